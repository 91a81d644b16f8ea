import type { Room } from "@relais/client";

/** What automated tests and curious operators can reach from the console. */
export interface DebugHandle {
  room: Room;
  events: { type: "participantJoined" | "participantLeft" | "trackSubscribed"; identity: string; source?: string }[];
  /** Every `activeSpeakersChanged`, as the speakers' identities (dominant first). */
  speakers: string[][];
  /** Dynacast: the simulcast streams this page encodes now, by source (e.g. `{ camera: ["q", "h"] }`). */
  activeLayers: () => Record<string, string[]>;
}

declare global {
  interface Window {
    relais?: DebugHandle;
  }
}

/** Sets `window.relais = { room, events, speakers }` and records participant, subscription and speaker events. */
export function exposeDebugHandle(room: Room): DebugHandle {
  const handle: DebugHandle = {
    room,
    events: [],
    speakers: [],
    activeLayers: () => {
      const layers: Record<string, string[]> = {};
      for (const p of room.localParticipant.trackPublications.values()) if (p.layers) layers[p.source] = [...p.activeLayers];
      return layers;
    },
  };
  room.on("activeSpeakersChanged", (speakers) => handle.speakers.push(speakers.map((p) => p.identity)));
  room.on("participantJoined", (p) => handle.events.push({ type: "participantJoined", identity: p.identity }));
  room.on("participantLeft", (p) => handle.events.push({ type: "participantLeft", identity: p.identity }));
  room.on("trackSubscribed", (_track, publication, p) =>
    handle.events.push({ type: "trackSubscribed", identity: p.identity, source: publication.source }),
  );
  window.relais = handle;
  return handle;
}
