import type { DisconnectReason } from "@relais/protocol";
import type { ConnectionState } from "./connection-state.js";
import type { LocalTrackPublication } from "./local-track-publication.js";
import type { RemoteParticipant, RemoteTrackPublication } from "./remote-participant.js";

/** Why a room ended: the server's reasons plus the ones the client decides. */
export type RoomDisconnectReason = DisconnectReason | "resume_failed" | "auth_failed" | "protocol_error";

/** Every event a Room emits, with its listener arguments. */
export interface RoomEvents {
  participantJoined: [participant: RemoteParticipant];
  participantLeft: [participant: RemoteParticipant];
  trackPublished: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackUnpublished: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackSubscribed: [track: MediaStreamTrack, publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackUnsubscribed: [track: MediaStreamTrack, publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackSubscriptionFailed: [trackSid: string, code: string];
  trackMuted: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackUnmuted: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  localTrackPublished: [publication: LocalTrackPublication];
  localTrackUnpublished: [publication: LocalTrackPublication];
  connectionStateChanged: [state: ConnectionState];
  reconnecting: [];
  reconnected: [];
  disconnected: [reason: RoomDisconnectReason];
}

export type EmitRoomEvent = <K extends keyof RoomEvents>(event: K, ...args: RoomEvents[K]) => void;
