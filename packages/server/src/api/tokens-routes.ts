import { CreateTokenBody, ErrorResponse, TokenResource } from "@relais/protocol";
import type { FastifyInstance } from "fastify";
import { createAccessToken } from "../auth/access-token.js";
import { RelaisError } from "../shared/relais-error.js";
import { type ApiCaller, type ApiCredentials, assertRoomAccess } from "./api-auth.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse };

/** POST /v1/tokens: mint an access token signed with the calling API key (same claims as the CLI). */
export function registerTokenRoutes(app: FastifyInstance, credentials: ApiCredentials, caller: (req: unknown) => ApiCaller): void {
  app.post<{ Body: CreateTokenBody }>(
    "/tokens",
    {
      schema: {
        tags: ["tokens"],
        summary: "Mint an access token for a room",
        body: CreateTokenBody,
        response: { 201: TokenResource, ...errors },
      },
    },
    async (req, reply) => {
      const c = caller(req);
      assertRoomAccess(c, req.body.room);
      const ttlS = req.body.ttlS ?? 7200;
      // Read again: the key may have been revoked since the request was authenticated.
      const apiSecret = await credentials.secretFor(c.apiKey);
      if (!apiSecret) throw new RelaisError("UNAUTHORIZED");
      const token = await createAccessToken({
        apiKey: c.apiKey,
        apiSecret,
        room: req.body.room,
        identity: req.body.identity,
        name: req.body.name,
        metadata: req.body.metadata,
        grants: req.body.grants,
        ttlS,
      });
      return reply.code(201).send({ token, expiresAt: Math.floor(Date.now() / 1000) + ttlS });
    },
  );
}
