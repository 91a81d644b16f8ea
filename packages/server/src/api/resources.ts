import type { ParticipantResource, RoomResource } from "@relais/protocol";
import type { Participant } from "../rooms/participant.js";
import type { Room } from "../rooms/room.js";
import type { RoomRecord } from "../store/types.js";

/** A room as the API shows it: its stored configuration (if any) and its live session (if any). */
export function roomResource(live: Room | undefined, config: RoomRecord | null): RoomResource {
  if (!live && !config) throw new Error("roomResource needs a live room or a configuration");
  return {
    sid: live?.sid ?? "",
    active: live !== undefined,
    name: (live?.name ?? config?.name)!,
    createdAt: config?.createdAt ?? live!.createdAt,
    metadata: live?.metadata ?? config!.metadata,
    maxParticipants: live?.maxParticipants ?? config!.maxParticipants,
    emptyTimeoutS: live?.emptyTimeoutS ?? config!.emptyTimeoutS,
    numParticipants: live?.participants.size ?? 0,
    residencyPolicy: config?.residencyPolicy ?? null,
  };
}

export function participantResource(r: Room, p: Participant): ParticipantResource {
  return { ...p.info(), state: p.state, room: r.name, connectionQuality: p.connectionQuality };
}
