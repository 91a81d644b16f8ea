import { Ajv } from "ajv";
import type { FastifyInstance } from "fastify";

/**
 * Query strings and path params arrive as text and are coerced to their schema
 * types; JSON bodies are validated strictly: `{"name": 42}` is an error, not "42",
 * and unknown fields are refused (additionalProperties: false), never stripped.
 */
export function installValidators(app: FastifyInstance): void {
  const strict = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  const coercing = new Ajv({ coerceTypes: "array", useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? strict : coercing).compile(schema));
}
