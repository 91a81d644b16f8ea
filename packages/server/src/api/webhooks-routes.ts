import {
  CreatedWebhook,
  type CreateWebhookBody,
  CreateWebhookBody as CreateWebhookSchema,
  DeliveryList,
  ErrorResponse,
  WebhookList,
  WebhookParams,
} from "@relais/protocol";
import type { FastifyInstance } from "fastify";
import { RelaisError } from "../shared/relais-error.js";
import type { WebhookDeliveryRepository, WebhookEndpoint, WebhookEndpointRepository } from "../store/types.js";
import type { ApiCaller } from "./api-auth.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

const resource = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  enabled: e.enabled,
  failingSince: e.failingSince,
  disabledReason: e.disabledReason,
  createdAt: e.createdAt,
});

/** /v1/webhooks: endpoints with their own signing secret and event filter, and their delivery log. */
export function registerWebhookRoutes(
  app: FastifyInstance,
  store: { endpoints: WebhookEndpointRepository; deliveries: WebhookDeliveryRepository },
  caller: (req: unknown) => ApiCaller,
): void {
  const nodeWide = (req: unknown) => {
    if (caller(req).room !== null)
      throw new RelaisError("PERMISSION_DENIED", "Webhooks are node-wide: use the API key, not a room-limited token.");
  };

  app.post<{ Body: CreateWebhookBody }>(
    "/webhooks",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Register a webhook endpoint",
        body: CreateWebhookSchema,
        response: { 201: CreatedWebhook, ...errors },
      },
    },
    async (req, reply) => {
      nodeWide(req);
      const { endpoint, secret } = await store.endpoints.create({ url: req.body.url, events: req.body.events ?? null });
      return reply.code(201).send({ ...resource(endpoint), secret });
    },
  );

  app.get(
    "/webhooks",
    { schema: { tags: ["webhooks"], summary: "List webhook endpoints", response: { 200: WebhookList, ...errors } } },
    async (req) => {
      nodeWide(req);
      return { webhooks: (await store.endpoints.list()).map(resource) };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/webhooks/:id/deliveries",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Delivery log of an endpoint (newest first)",
        params: WebhookParams,
        response: { 200: DeliveryList, ...errors },
      },
    },
    async (req) => {
      nodeWide(req);
      if (!(await store.endpoints.get(req.params.id))) throw new RelaisError("NOT_FOUND", "No such webhook endpoint.");
      const list = await store.deliveries.list({ endpointId: req.params.id, limit: 200 });
      return { deliveries: list.map(({ payload: _payload, endpointId: _e, updatedAt: _u, ...d }) => d) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/webhooks/:id",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Delete a webhook endpoint",
        params: WebhookParams,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (req, reply) => {
      nodeWide(req);
      if (!(await store.endpoints.delete(req.params.id))) throw new RelaisError("NOT_FOUND", "No such webhook endpoint.");
      return reply.code(204).send();
    },
  );
}
