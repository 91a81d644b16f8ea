/**
 * REST API contracts (`/v1/…`): request bodies, query strings and resources,
 * as TypeBox schemas. Fastify validates with them and @fastify/swagger turns
 * them into the OpenAPI document at /v1/openapi.json.
 */
import { type Static, Type } from "@sinclair/typebox";
import { VideoGrants } from "./grants.js";
import { ConnectionQuality, ParticipantInfo, ParticipantPermissions } from "./models.js";
import { WebhookEventType } from "./webhooks.js";

const RoomName = Type.String({ pattern: "^[A-Za-z0-9_.~-]{1,128}$", description: "1–128 characters of A–Z a–z 0–9 _ . ~ -" });
const Identity = Type.String({ minLength: 1, maxLength: 128 });
const Metadata = Type.String({ maxLength: 65536 });

export const ErrorResponse = Type.Object({
  code: Type.String({ description: "Stable error code, see docs/errors.md" }),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const RoomResource = Type.Object({
  sid: Type.String({ description: "the live session's id; empty while the room is configured but nobody is in it" }),
  active: Type.Boolean({ description: "whether the room is live on this node" }),
  residencyPolicy: Type.Union([Type.String(), Type.Null()], { description: "stored now, enforced by a later release" }),
  name: Type.String(),
  createdAt: Type.Number({ description: "Unix time in milliseconds" }),
  metadata: Type.String(),
  maxParticipants: Type.Integer(),
  emptyTimeoutS: Type.Integer(),
  numParticipants: Type.Integer(),
});
export type RoomResource = Static<typeof RoomResource>;

export const CreateRoomBody = Type.Object(
  {
    name: RoomName,
    maxParticipants: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    emptyTimeoutS: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    metadata: Type.Optional(Metadata),
    residencyPolicy: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBody>;

export const UpdateRoomBody = Type.Object({ metadata: Metadata }, { additionalProperties: false });

export const ListRoomsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 256, description: "nextCursor of the previous page" })),
    prefix: Type.Optional(Type.String({ maxLength: 128, description: "only rooms whose name starts with this" })),
  },
  { additionalProperties: false },
);
export type ListRoomsQuery = Static<typeof ListRoomsQuery>;

export const RoomList = Type.Object({ rooms: Type.Array(RoomResource), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const RoomParams = Type.Object({ room: RoomName }, { additionalProperties: false });
export const ParticipantParams = Type.Object({ room: RoomName, identity: Identity }, { additionalProperties: false });
export const TrackParams = Type.Object(
  { room: RoomName, identity: Identity, trackSid: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const ParticipantResource = Type.Composite([
  ParticipantInfo,
  Type.Object({ state: Type.String(), room: Type.String(), connectionQuality: ConnectionQuality }),
]);
export type ParticipantResource = Static<typeof ParticipantResource>;

export const ParticipantList = Type.Object({ participants: Type.Array(ParticipantResource) });

export const UpdateParticipantBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    metadata: Type.Optional(Metadata),
    permissions: Type.Optional(Type.Partial(ParticipantPermissions, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateParticipantBody = Static<typeof UpdateParticipantBody>;

export const MuteTrackBody = Type.Object({ muted: Type.Boolean() }, { additionalProperties: false });

export const CreateTokenBody = Type.Object(
  {
    room: RoomName,
    identity: Type.Optional(Identity),
    name: Type.Optional(Type.String({ maxLength: 128 })),
    metadata: Type.Optional(Metadata),
    ttlS: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86400, default: 7200 })),
    grants: Type.Optional(VideoGrants),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

export const TokenResource = Type.Object({ token: Type.String(), expiresAt: Type.Number({ description: "Unix time in seconds" }) });

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2048, pattern: "^https?://", description: "http(s) URL the events are POSTed to" }),
    events: Type.Optional(Type.Array(WebhookEventType, { minItems: 1, uniqueItems: true, description: "event types; all when omitted" })),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const WebhookResource = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Union([Type.Array(Type.String()), Type.Null()]),
  enabled: Type.Boolean(),
  failingSince: Type.Union([Type.Number(), Type.Null()]),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Number(),
});
export const CreatedWebhook = Type.Composite([
  WebhookResource,
  Type.Object({ secret: Type.String({ description: "whsec_… signing secret, shown once" }) }),
]);
export const WebhookList = Type.Object({ webhooks: Type.Array(WebhookResource) });
export const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const DeliveryResource = Type.Object({
  id: Type.String({ description: "the webhook-id header, the same on every attempt" }),
  eventType: Type.String(),
  room: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Number(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.Number(),
  deliveredAt: Type.Union([Type.Number(), Type.Null()]),
});
export const DeliveryList = Type.Object({ deliveries: Type.Array(DeliveryResource) });
