import type { DisconnectReason, ParticipantInfo, RoomInfo, TrackInfo } from "@relais/protocol";

/** Domain events of the rooms layer; webhooks, session history and metrics observe them. */
export type RoomEventMap = {
  roomStarted: [room: RoomInfo];
  roomFinished: [room: RoomInfo];
  participantJoined: [room: RoomInfo, participant: ParticipantInfo];
  participantLeft: [room: RoomInfo, participant: ParticipantInfo, reason: DisconnectReason];
  trackPublished: [room: RoomInfo, participant: ParticipantInfo, track: TrackInfo];
  trackUnpublished: [room: RoomInfo, participant: ParticipantInfo, track: TrackInfo];
};
