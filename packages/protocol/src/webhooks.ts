import { type Static, type TLiteral, type TProperties, Type } from "@sinclair/typebox";
import { TrackSource } from "./grants.js";
import { DisconnectReason, TrackKind } from "./models.js";

/**
 * Webhook event payloads: the JSON body of every webhook request Relais sends.
 * Delivery follows Standard Webhooks (https://www.standardwebhooks.com/): the
 * `webhook-id` header is the delivery's id (stable across retries), the body is
 * one of the events below, flat, with `type` as the discriminator.
 */

export const WebhookEventType = Type.Union([
  Type.Literal("room_started"),
  Type.Literal("room_finished"),
  Type.Literal("participant_joined"),
  Type.Literal("participant_left"),
  Type.Literal("track_published"),
  Type.Literal("track_unpublished"),
]);
export type WebhookEventType = Static<typeof WebhookEventType>;

/** Every event type, in a stable order (for filters, docs and validation). */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = WebhookEventType.anyOf.map((t) => t.const);

export const WebhookRoom = Type.Object({ sid: Type.String(), name: Type.String() });
export type WebhookRoom = Static<typeof WebhookRoom>;

export const WebhookParticipant = Type.Object({
  sid: Type.String(),
  identity: Type.String(),
  name: Type.String(),
  metadata: Type.Optional(Type.String()),
});
export type WebhookParticipant = Static<typeof WebhookParticipant>;

export const WebhookTrack = Type.Object({
  sid: Type.String(),
  kind: TrackKind,
  source: TrackSource,
  name: Type.String(),
  mimeType: Type.Optional(Type.String()),
});
export type WebhookTrack = Static<typeof WebhookTrack>;

/** The fields every event carries, plus its own `type` literal and extra fields. */
function event<T extends WebhookEventType, P extends TProperties>(type: T, extra: P) {
  return Type.Object({
    /** Unique per event (not per delivery): the `webhook-id` header identifies the delivery. */
    id: Type.String(),
    type: Type.Literal(type) as TLiteral<T>,
    /** When the event happened, Unix time in milliseconds (not when it was sent). */
    createdAt: Type.Number(),
    room: WebhookRoom,
    ...extra,
  });
}

export const RoomStartedWebhookEvent = event("room_started", {});
export type RoomStartedWebhookEvent = Static<typeof RoomStartedWebhookEvent>;

export const RoomFinishedWebhookEvent = event("room_finished", {});
export type RoomFinishedWebhookEvent = Static<typeof RoomFinishedWebhookEvent>;

export const ParticipantJoinedWebhookEvent = event("participant_joined", { participant: WebhookParticipant });
export type ParticipantJoinedWebhookEvent = Static<typeof ParticipantJoinedWebhookEvent>;

export const ParticipantLeftWebhookEvent = event("participant_left", {
  participant: WebhookParticipant,
  reason: Type.Optional(DisconnectReason),
});
export type ParticipantLeftWebhookEvent = Static<typeof ParticipantLeftWebhookEvent>;

export const TrackPublishedWebhookEvent = event("track_published", { participant: WebhookParticipant, track: WebhookTrack });
export type TrackPublishedWebhookEvent = Static<typeof TrackPublishedWebhookEvent>;

export const TrackUnpublishedWebhookEvent = event("track_unpublished", { participant: WebhookParticipant, track: WebhookTrack });
export type TrackUnpublishedWebhookEvent = Static<typeof TrackUnpublishedWebhookEvent>;

export const WebhookEvent = Type.Union([
  RoomStartedWebhookEvent,
  RoomFinishedWebhookEvent,
  ParticipantJoinedWebhookEvent,
  ParticipantLeftWebhookEvent,
  TrackPublishedWebhookEvent,
  TrackUnpublishedWebhookEvent,
]);
export type WebhookEvent = Static<typeof WebhookEvent>;
