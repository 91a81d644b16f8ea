import type { RoomEventMap } from "../rooms/room-events.js";
import type { TypedEmitter } from "../shared/typed-emitter.js";
import type { SessionRepository } from "./types.js";

/** Records room and participant sessions (join/leave times and reasons) from the rooms layer's events. */
export function recordSessionHistory(
  events: TypedEmitter<RoomEventMap>,
  sessions: SessionRepository,
  onError: (err: unknown) => void,
): void {
  // Writes are queued in event order so a leave never lands before its join.
  let chain: Promise<unknown> = Promise.resolve();
  const write = (fn: () => Promise<unknown>) => {
    chain = chain.then(fn).catch(onError);
  };
  events.on("roomStarted", (r) => write(() => sessions.roomStarted({ sid: r.sid, name: r.name, at: Date.now() })));
  events.on("roomFinished", (r) => write(() => sessions.roomFinished({ sid: r.sid, at: Date.now() })));
  events.on("participantJoined", (r, p) =>
    write(() =>
      sessions.participantJoined({
        participantSid: p.sid,
        roomSid: r.sid,
        roomName: r.name,
        identity: p.identity,
        name: p.name,
        at: Date.now(),
      }),
    ),
  );
  events.on("participantLeft", (_r, p, reason) => write(() => sessions.participantLeft({ participantSid: p.sid, at: Date.now(), reason })));
}
