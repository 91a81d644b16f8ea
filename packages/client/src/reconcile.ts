import type { ParticipantInfo, ServerMessageOf } from "@relais/protocol";

/** What the SDK currently believes about one remote participant. */
export interface KnownParticipant {
  readonly sid: string;
  readonly identity: string;
  readonly trackPublications: ReadonlyMap<string, { readonly muted: boolean }>;
}

export type ReconcileEvent =
  | ServerMessageOf<"participantLeft">
  | ServerMessageOf<"participantJoined">
  | ServerMessageOf<"trackUnpublished">
  | ServerMessageOf<"trackPublished">
  | ServerMessageOf<"trackMuted">;

/**
 * After a resume, the server's participant list may differ from what the SDK
 * saw before the socket dropped. This turns the difference into the same
 * events the server would have sent live, so one set of handlers applies them:
 * removals first (participants, then tracks), then additions, then mute flips.
 */
export function reconcileParticipants(known: ReadonlyMap<string, KnownParticipant>, current: readonly ParticipantInfo[]): ReconcileEvent[] {
  const currentBySid = new Map(current.map((p) => [p.sid, p]));
  const removals: ReconcileEvent[] = [];
  const additions: ReconcileEvent[] = [];
  const muteFlips: ReconcileEvent[] = [];

  for (const [sid, participant] of known) {
    if (!currentBySid.has(sid)) removals.push({ type: "participantLeft", participantSid: sid, identity: participant.identity });
  }
  for (const info of current) {
    const before = known.get(info.sid);
    if (!before) {
      additions.push({ type: "participantJoined", participant: info });
      continue;
    }
    const tracksNow = new Map(info.tracks.map((t) => [t.sid, t]));
    for (const trackSid of before.trackPublications.keys()) {
      if (!tracksNow.has(trackSid)) removals.push({ type: "trackUnpublished", participantSid: info.sid, trackSid });
    }
    for (const track of info.tracks) {
      const previous = before.trackPublications.get(track.sid);
      if (!previous) additions.push({ type: "trackPublished", participantSid: info.sid, track });
      else if (previous.muted !== track.muted) {
        muteFlips.push({ type: "trackMuted", participantSid: info.sid, trackSid: track.sid, muted: track.muted });
      }
    }
  }
  return [...removals, ...additions, ...muteFlips];
}
