import type { ConnectionQuality, DisconnectReason } from "@relais/protocol";
import type { ConnectionState } from "./connection-state.js";
import type { DataReceivedInfo } from "./data-channels.js";
import type { LocalTrackPublication } from "./local-track-publication.js";
import type { Participant } from "./participant-activity.js";
import type { RemoteParticipant, RemoteTrackPublication } from "./remote-participant.js";

/** Why a room ended: the server's reasons plus the ones the client decides. */
export type RoomDisconnectReason = DisconnectReason | "resume_failed" | "auth_failed" | "protocol_error";

/** Every event a Room emits, with its listener arguments. */
export interface RoomEvents {
  participantJoined: [participant: RemoteParticipant];
  participantLeft: [participant: RemoteParticipant];
  /** The server changed a participant's name, metadata or permissions (this client's included). */
  participantUpdated: [participant: Participant];
  trackPublished: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackUnpublished: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackSubscribed: [track: MediaStreamTrack, publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackUnsubscribed: [track: MediaStreamTrack, publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackSubscriptionFailed: [trackSid: string, code: string];
  trackMuted: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  trackUnmuted: [publication: RemoteTrackPublication, participant: RemoteParticipant];
  localTrackPublished: [publication: LocalTrackPublication];
  localTrackUnpublished: [publication: LocalTrackPublication];
  /** The server (a moderator when `byModerator`) muted or unmuted one of this client's tracks. */
  localTrackMuted: [publication: LocalTrackPublication, byModerator: boolean];
  localTrackUnmuted: [publication: LocalTrackPublication, byModerator: boolean];
  /** Who speaks now, the dominant speaker first (this client included); empty when nobody does. */
  activeSpeakersChanged: [speakers: Participant[]];
  connectionQualityChanged: [quality: ConnectionQuality, participant: Participant];
  connectionStateChanged: [state: ConnectionState];
  reconnecting: [];
  reconnected: [];
  disconnected: [reason: RoomDisconnectReason];
  /** A data packet from another participant (publishData); `participant` is undefined if not known yet. */
  dataReceived: [payload: Uint8Array, participant: RemoteParticipant | undefined, info: DataReceivedInfo];
}

export type EmitRoomEvent = <K extends keyof RoomEvents>(event: K, ...args: RoomEvents[K]) => void;
