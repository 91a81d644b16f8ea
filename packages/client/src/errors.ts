import type { ErrorCode } from "@relais/protocol";

/** Codes raised by the SDK itself; they never cross the wire. */
export const ClientErrorCatalogue = {
  SIGNAL_UNREACHABLE: "The signaling server could not be reached.",
  SIGNAL_CLOSED: "The signaling connection closed before the reply arrived.",
  SIGNAL_TIMEOUT: "The signaling server did not reply in time.",
  NEGOTIATION_FAILED: "The media session could not be negotiated.",
  NOT_CONNECTED: "The room is not connected.",
  DISCONNECTED: "The room was disconnected.",
  UNSUPPORTED_BROWSER: "This browser lacks WebRTC or WebSocket support.",
  DATA_TOO_LARGE: "The data packet is larger than the 64 KiB limit (header included).",
  DATA_INVALID: "The data packet cannot be framed (topic over 255 bytes, or too many destinations).",
  DATA_CHANNEL_CLOSED: "The data channel to the server is not open.",
} as const;

export type ClientErrorCode = keyof typeof ClientErrorCatalogue;

/** Every code a `RelaisError` can carry: the server's catalogue plus the SDK's own. */
export type RelaisErrorCode = ErrorCode | ClientErrorCode;

/** An error with a stable `code` to switch on. */
export class RelaisError extends Error {
  override readonly name = "RelaisError";
  readonly code: RelaisErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: RelaisErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? (code in ClientErrorCatalogue ? ClientErrorCatalogue[code as ClientErrorCode] : code));
    this.code = code;
    this.details = details;
  }
}

/** Builds the error for a server `error` message; unknown codes are kept as they are. */
export function serverError(code: string, message: string, details?: Record<string, unknown>): RelaisError {
  return new RelaisError(code as RelaisErrorCode, message, details);
}

export function clientError(code: ClientErrorCode, details?: Record<string, unknown>): RelaisError {
  return new RelaisError(code, ClientErrorCatalogue[code], details);
}

/** Errors caused by the socket going away: the request can be repeated once signaling is back. */
export function isTransientSignalError(error: unknown): boolean {
  return error instanceof RelaisError && (error.code === "SIGNAL_CLOSED" || error.code === "SIGNAL_UNREACHABLE");
}

export function isRelaisError(error: unknown, code?: RelaisErrorCode): error is RelaisError {
  return error instanceof RelaisError && (code === undefined || error.code === code);
}
