import type { ParticipantInfo, RoomInfo, TrackInfo } from "@relais/protocol";
import type { RoomEventMap } from "../rooms/room-events.js";
import type { TypedEmitter } from "../shared/typed-emitter.js";
import type { WebhookEventInput } from "./dispatcher.js";

const room = (r: RoomInfo) => ({ sid: r.sid, name: r.name });
const participant = (p: ParticipantInfo) => ({
  sid: p.sid,
  identity: p.identity,
  name: p.name,
  ...(p.metadata ? { metadata: p.metadata } : {}),
});
const track = (t: TrackInfo) => ({ sid: t.sid, kind: t.kind, source: t.source, name: t.name, mimeType: t.mimeType });

/** Turns the rooms layer's domain events into webhook events (payloads: packages/protocol/src/webhooks.ts). */
export function forwardRoomEventsToWebhooks(events: TypedEmitter<RoomEventMap>, emit: (e: WebhookEventInput) => void): void {
  events.on("roomStarted", (r) => emit({ type: "room_started", room: room(r) }));
  events.on("roomFinished", (r) => emit({ type: "room_finished", room: room(r) }));
  events.on("participantJoined", (r, p) => emit({ type: "participant_joined", room: room(r), participant: participant(p) }));
  events.on("participantLeft", (r, p, reason) =>
    emit({ type: "participant_left", room: room(r), participant: participant(p), reason } as WebhookEventInput),
  );
  events.on("trackPublished", (r, p, t) => emit({ type: "track_published", room: room(r), participant: participant(p), track: track(t) }));
  events.on("trackUnpublished", (r, p, t) =>
    emit({ type: "track_unpublished", room: room(r), participant: participant(p), track: track(t) }),
  );
}
