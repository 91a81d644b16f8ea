import type { ConnectionQuality, ConnectionQualityInfo, ServerMessage } from "@relais/protocol";
import type { TransportActivityListener } from "../media-control/transport-activity.js";
import type { Participant } from "./participant.js";
import { DEFAULT_SPEAKER_RANKING, type SpeakerLevel, SpeakerRanking } from "./speaker-ranking.js";

/** Longer than the ranking's hold time, so a speaker the workers stopped reporting times out. */
const SILENCE_RECHECK_MS = DEFAULT_SPEAKER_RANKING.holdMs + 500;

export interface RoomActivityOptions {
  /** Everyone in the room whose signaling is live gets the news. */
  broadcast: (msg: ServerMessage) => void;
  /** The dominant speaker changed (null: nobody speaks): bandwidth allocation favours their video. */
  onDominantSpeaker?: (participantSid: string | null) => void;
  clock?: () => number;
}

/**
 * A room's active speakers and connection qualities, from its transports' activity reports:
 * ranks speakers (speaker-ranking.ts) and pushes `speakersChanged` only when the ranking
 * changes; pushes `connectionQualityChanged` when a participant's label changes.
 */
export class RoomActivity {
  private readonly ranking = new SpeakerRanking();
  /** Latest level of each audio producer, by participant. */
  private readonly levels = new Map<Participant, Map<string, number>>();
  private rankScheduled = false;
  /** Workers stop reporting once everyone is silent: this re-ranks so the last speaker times out. */
  private silenceTimer: NodeJS.Timeout | null = null;
  private dominant: string | null = null;
  private readonly clock: () => number;

  constructor(private readonly o: RoomActivityOptions) {
    this.clock = o.clock ?? (() => performance.now());
  }

  /** The listener to register for `p`'s transport. */
  listenerFor(p: Participant): TransportActivityListener {
    return {
      audioLevel: (producerId, level) => {
        if (p.state === "left") return;
        let byProducer = this.levels.get(p);
        if (!byProducer) {
          byProducer = new Map();
          this.levels.set(p, byProducer);
        }
        byProducer.set(producerId, level);
        this.scheduleRanking();
      },
      connectionQuality: (quality, mos) => {
        if (p.state === "left" || (p.connectionQuality === quality && p.connectionScore === mos)) return;
        const changed = p.connectionQuality !== quality;
        p.connectionQuality = quality;
        p.connectionScore = mos;
        if (changed) this.o.broadcast({ type: "connectionQualityChanged", updates: [qualityInfo(p)] });
      },
    };
  }

  /** `p` left, or one of its tracks ended: its levels no longer count. */
  forget(p: Participant, producerId?: string): void {
    if (producerId === undefined) this.levels.delete(p);
    else this.levels.get(p)?.delete(producerId);
    this.scheduleRanking();
  }

  /** What a participant that just joined (or resumed) needs to catch up. */
  currentState(everyone: Iterable<Participant>): ServerMessage[] {
    const updates: ConnectionQualityInfo[] = [];
    for (const p of everyone) if (p.state !== "left" && p.connectionQuality !== "unknown") updates.push(qualityInfo(p));
    const out: ServerMessage[] = [];
    if (updates.length > 0) out.push({ type: "connectionQualityChanged", updates });
    const speakers = this.ranking.current();
    if (speakers.length > 0) out.push({ type: "speakersChanged", speakers });
    return out;
  }

  /** All entries of one worker report arrive synchronously: rank once, after them. */
  private scheduleRanking(): void {
    if (this.rankScheduled) return;
    this.rankScheduled = true;
    queueMicrotask(() => {
      this.rankScheduled = false;
      this.rank();
    });
  }

  private rank(): void {
    const current: SpeakerLevel[] = [];
    for (const [p, byProducer] of this.levels) {
      if (p.state === "left") continue;
      let level = 0;
      for (const l of byProducer.values()) level = Math.max(level, l);
      current.push({ participantSid: p.sid, identity: p.identity, level });
    }
    const speakers = this.ranking.update(current, this.clock());
    if (speakers) {
      this.o.broadcast({ type: "speakersChanged", speakers });
      const dominant = speakers[0]?.participantSid ?? null;
      if (dominant !== this.dominant) {
        this.dominant = dominant;
        this.o.onDominantSpeaker?.(dominant);
      }
    }
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    if (this.ranking.current().length > 0) {
      this.silenceTimer = setTimeout(() => this.rank(), SILENCE_RECHECK_MS);
      this.silenceTimer.unref();
    }
  }

  /** The room closed. Idempotent. */
  close(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = null;
    this.levels.clear();
  }
}

function qualityInfo(p: Participant): ConnectionQualityInfo {
  return { participantSid: p.sid, identity: p.identity, quality: p.connectionQuality as ConnectionQuality, score: p.connectionScore };
}
