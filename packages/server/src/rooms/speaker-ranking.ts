/**
 * Active speakers of a room from the media workers' smoothed audio levels (linear 0..1,
 * media/sfu/audio-level.ts), with hysteresis so the list and its dominant speaker do not
 * flap: a participant starts speaking above `startLevel`, stops only after staying below
 * `stopLevel` for `holdMs`; the dominant speaker keeps the floor for at least
 * `minDominantMs` and then only yields to someone `switchRatio` times louder, or when it
 * stops speaking (the idea of Jitsi's DominantSpeakerIdentification, much simplified).
 * Pure: the caller passes the clock.
 */

export interface SpeakerLevel {
  participantSid: string;
  identity: string;
  /** Smoothed linear level, 0..1. */
  level: number;
}

export interface SpeakerRankingOptions {
  startLevel: number;
  stopLevel: number;
  holdMs: number;
  minDominantMs: number;
  switchRatio: number;
}

/** ~-40 dBov to start, ~-46 dBov to stop (in linear amplitude, as the workers report). */
export const DEFAULT_SPEAKER_RANKING: SpeakerRankingOptions = {
  startLevel: 0.01,
  stopLevel: 0.005,
  holdMs: 1_500,
  minDominantMs: 2_000,
  switchRatio: 1.5,
};

interface SpeakerState {
  identity: string;
  level: number;
  speaking: boolean;
  lastLoudMs: number;
}

export class SpeakerRanking {
  private readonly states = new Map<string, SpeakerState>();
  private dominant: string | null = null;
  private dominantSinceMs = 0;
  private published = "";

  constructor(private readonly o: SpeakerRankingOptions = DEFAULT_SPEAKER_RANKING) {}

  /**
   * The room's current levels (every participant with audio; absent = gone). Returns the new
   * ranking — speaking participants, dominant first, then loudest first — or null when neither
   * the dominant speaker nor the set of speakers changed (level changes alone are not news).
   */
  update(levels: Iterable<SpeakerLevel>, nowMs: number): SpeakerLevel[] | null {
    const seen = new Set<string>();
    for (const { participantSid, identity, level } of levels) {
      seen.add(participantSid);
      let s = this.states.get(participantSid);
      if (!s) {
        s = { identity, level, speaking: false, lastLoudMs: 0 };
        this.states.set(participantSid, s);
      }
      s.level = level;
      if (level >= this.o.startLevel || (s.speaking && level >= this.o.stopLevel)) {
        s.speaking = true;
        s.lastLoudMs = nowMs;
      } else if (s.speaking && nowMs - s.lastLoudMs > this.o.holdMs) {
        s.speaking = false;
      }
    }
    for (const sid of [...this.states.keys()]) if (!seen.has(sid)) this.states.delete(sid);
    this.electDominant(nowMs);
    const ranking = this.ranking();
    // News = another dominant speaker or another set of speakers; the others swapping places is not.
    const key = `${this.dominant}|${ranking
      .map((s) => s.participantSid)
      .sort()
      .join(",")}`;
    if (key === this.published) return null;
    this.published = key;
    return ranking;
  }

  /** The last ranking returned (or that would be), for participants joining mid-call. */
  current(): SpeakerLevel[] {
    return this.ranking();
  }

  private electDominant(nowMs: number): void {
    const current = this.dominant === null ? undefined : this.states.get(this.dominant);
    let loudest: string | null = null;
    let loudestLevel = -1;
    for (const [sid, s] of this.states) {
      if (s.speaking && s.level > loudestLevel && sid !== this.dominant) {
        loudest = sid;
        loudestLevel = s.level;
      }
    }
    if (!current?.speaking) {
      this.setDominant(loudest, nowMs);
      return;
    }
    const held = nowMs - this.dominantSinceMs >= this.o.minDominantMs;
    if (loudest !== null && held && loudestLevel > current.level * this.o.switchRatio) this.setDominant(loudest, nowMs);
  }

  private setDominant(sid: string | null, nowMs: number): void {
    if (sid === this.dominant) return;
    this.dominant = sid;
    this.dominantSinceMs = nowMs;
  }

  private ranking(): SpeakerLevel[] {
    const out: SpeakerLevel[] = [];
    for (const [participantSid, s] of this.states) {
      if (s.speaking) out.push({ participantSid, identity: s.identity, level: Math.round(s.level * 1000) / 1000 });
    }
    out.sort((a, b) => (a.participantSid === this.dominant ? -1 : b.participantSid === this.dominant ? 1 : b.level - a.level));
    return out;
  }
}
