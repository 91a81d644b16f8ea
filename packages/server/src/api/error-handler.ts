import { type ErrorCode, errorBody } from "@relais/protocol";
import type { FastifyError, FastifyInstance } from "fastify";
import { RelaisError } from "../shared/relais-error.js";

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_ARGUMENT",
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_ARGUMENT",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "INVALID_ARGUMENT",
};

/** Every REST error leaves as `{ code, message, details? }` with the catalogue's status; nothing else escapes. */
export function installErrorHandler(app: FastifyInstance, log: (msg: string, data: Record<string, unknown>) => void): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof RelaisError) return reply.code(err.status).send(err.toBody());
    if (err.validation) {
      const details = {
        errors: err.validation.map((v) => ({ path: v.instancePath || "/", message: v.message ?? "invalid" })),
        in: err.validationContext,
      };
      return reply
        .code(400)
        .send(
          errorBody(
            "INVALID_ARGUMENT",
            details,
            `Invalid ${err.validationContext ?? "request"}: ${err.validation[0]?.instancePath || "/"} ${err.validation[0]?.message ?? ""}`.trim(),
          ),
        );
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped)
      return reply
        .code(new RelaisError(mapped).status)
        .send(errorBody(mapped, undefined, mapped === "INVALID_ARGUMENT" ? err.message : undefined));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return reply.code(err.statusCode).send(errorBody("INVALID_ARGUMENT", undefined, err.message));
    log("REST handler failed", { url: req.url, method: req.method, error: err.stack ?? String(err) });
    return reply.code(500).send(errorBody("INTERNAL"));
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(errorBody("NOT_FOUND")));
}
