import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RoomManager } from "../rooms/room-manager.js";
import { RateLimiter } from "../shared/rate-limit.js";
import { RelaisError } from "../shared/relais-error.js";
import type { RoomRepository, WebhookDeliveryRepository, WebhookEndpointRepository } from "../store/types.js";
import { type ApiCaller, type ApiCredentials, authenticate } from "./api-auth.js";
import { installErrorHandler } from "./error-handler.js";
import { registerParticipantRoutes } from "./participants-routes.js";
import { registerRoomRoutes } from "./rooms-routes.js";
import { registerTokenRoutes } from "./tokens-routes.js";
import { installValidators } from "./validators.js";
import { registerWebhookRoutes } from "./webhooks-routes.js";

export interface ApiOptions {
  rooms: RoomManager;
  webhooks: { endpoints: WebhookEndpointRepository; deliveries: WebhookDeliveryRepository };
  roomConfigs: RoomRepository;
  credentials: ApiCredentials;
  /** Mutating calls (POST/PATCH/DELETE) per minute, per API key and per client IP. */
  rateLimitPerMinute: number;
  version: string;
  log: (msg: string, data: Record<string, unknown>) => void;
}

const callers = new WeakMap<object, ApiCaller>();

/**
 * The REST API under /v1 (OpenAPI 3.1 at /v1/openapi.json, rendered at /docs/api).
 * Every call is authenticated; mutating calls are rate limited per key and per IP.
 */
export async function registerApi(app: FastifyInstance, o: ApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Relais Video API",
        version: o.version,
        description: "Rooms, participants and access tokens. Errors: docs/errors.md.",
      },
      components: {
        securitySchemes: {
          basic: { type: "http", scheme: "basic", description: "API key and secret" },
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Access token with grants.admin" },
        },
      },
      security: [{ basic: [] }, { bearer: [] }],
    },
  });
  app.get("/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, { routePrefix: "/docs/api", staticCSP: true });

  const byKey = new RateLimiter(o.rateLimitPerMinute);
  const byIp = new RateLimiter(o.rateLimitPerMinute);
  const caller = (req: unknown) => callers.get(req as object)!;

  await app.register(
    async (v1) => {
      installErrorHandler(v1, o.log);
      installValidators(v1);
      // The API speaks JSON only: other bodies get 415 instead of a confusing validation error.
      v1.removeContentTypeParser("text/plain");
      v1.addHook("onRequest", async (req: FastifyRequest, reply) => {
        const mutating = req.method !== "GET" && req.method !== "HEAD";
        if (mutating) {
          const ip = byIp.take(req.ip);
          if (!ip.ok) {
            reply.header("retry-after", String(ip.retryAfterS));
            throw new RelaisError("RATE_LIMITED");
          }
        }
        const c = await authenticate(req, o.credentials);
        if (mutating) {
          const key = byKey.take(c.apiKey);
          if (!key.ok) {
            reply.header("retry-after", String(key.retryAfterS));
            throw new RelaisError("RATE_LIMITED");
          }
        }
        callers.set(req, c);
      });
      registerRoomRoutes(v1, o.rooms, o.roomConfigs, caller);
      registerParticipantRoutes(v1, o.rooms, caller);
      registerTokenRoutes(v1, o.credentials, caller);
      registerWebhookRoutes(v1, o.webhooks, caller);
    },
    { prefix: "/v1" },
  );
}
