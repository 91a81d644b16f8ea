import { type ErrorBody, ErrorCatalogue, type ErrorCode } from "@relais/protocol";

/** An error with a stable code from the catalogue; safe to show to clients (never carries secrets). */
export class RelaisError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ErrorCatalogue[code].message);
    this.name = "RelaisError";
    this.code = code;
    this.status = ErrorCatalogue[code].status;
    if (details) this.details = details;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export function toRelaisError(err: unknown): RelaisError {
  return err instanceof RelaisError ? err : new RelaisError("INTERNAL");
}
