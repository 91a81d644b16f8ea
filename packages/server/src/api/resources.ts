import type { ParticipantResource, RoomResource } from "@relais/protocol";
import type { Participant } from "../rooms/participant.js";
import type { Room } from "../rooms/room.js";

export function roomResource(r: Room): RoomResource {
  return {
    sid: r.sid,
    name: r.name,
    createdAt: r.createdAt,
    metadata: r.metadata,
    maxParticipants: r.maxParticipants,
    emptyTimeoutS: r.emptyTimeoutS,
    numParticipants: r.participants.size,
  };
}

export function participantResource(r: Room, p: Participant): ParticipantResource {
  return { ...p.info(), state: p.state, room: r.name };
}
