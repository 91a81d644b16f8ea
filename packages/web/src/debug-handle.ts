import type { Room } from "@relais/client";

/** What automated tests and curious operators can reach from the console. */
export interface DebugHandle {
  room: Room;
  events: { type: "participantJoined" | "participantLeft" | "trackSubscribed"; identity: string; source?: string }[];
}

declare global {
  interface Window {
    relais?: DebugHandle;
  }
}

/** Sets `window.relais = { room, events }` and records participant and subscription events. */
export function exposeDebugHandle(room: Room): DebugHandle {
  const handle: DebugHandle = { room, events: [] };
  room.on("participantJoined", (p) => handle.events.push({ type: "participantJoined", identity: p.identity }));
  room.on("participantLeft", (p) => handle.events.push({ type: "participantLeft", identity: p.identity }));
  room.on("trackSubscribed", (_track, publication, p) =>
    handle.events.push({ type: "trackSubscribed", identity: p.identity, source: publication.source }),
  );
  window.relais = handle;
  return handle;
}
