import type { PacketSink } from "./media-source.js";

/** What the pacer drives: a track's frames (one SSRC, or every layer of a simulcast track). */
export interface PacedSource {
  readonly periodMs: number;
  /** When the next frame is due (performance.now() clock). */
  nextDueMs: number;
  /** Bytes per millisecond the pacer lets out (Infinity: unpaced). */
  readonly pacingBytesPerMs: number;
  produceFrame(): void;
  readonly queued: boolean;
  /** Sends queued packets while `budget` (bytes) lasts; returns the bytes sent. */
  drain(sink: PacketSink, budget: number): number;
}

/** Anything with periodic work (consent checks, RTCP), ticked about every 50 ms. */
export interface Tickable {
  tick(nowMs: number): void;
}

const TICK_INTERVAL_MS = 50;
/** libwebrtc's pacer runs every 5 ms and lets out one interval's budget at a time. */
const PACING_INTERVAL_MS = 5;
/** A source further behind than this many frames skips ahead instead of bursting (counted as a slip). */
const MAX_BEHIND_FRAMES = 5;

interface Entry {
  source: PacedSource;
  sink: PacketSink;
  /** Bytes the pacer may still send (IntervalBudget: at most one interval's worth builds up). */
  budget: number;
  lastDrainMs: number;
}

/**
 * Drives every source from one timer: frames are produced when due (33.3 ms for
 * video, 20 ms for audio) and their packets leave at the source's pacing rate,
 * as libwebrtc's paced sender does (budget refilled per 5 ms interval, audio
 * not paced). Sources start at random phases, as independent encoders would.
 */
export class Pacer {
  private readonly entries: Entry[] = [];
  private readonly tickables: Tickable[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextTickMs = 0;
  private running = false;
  /** Times a source fell too far behind (the load tester itself was overloaded). */
  slips = 0;

  add(source: PacedSource, sink: PacketSink): void {
    const now = performance.now();
    source.nextDueMs = now + Math.random() * source.periodMs;
    this.entries.push({ source, sink, budget: 0, lastDrainMs: now });
  }

  addTickable(t: Tickable): void {
    this.tickables.push(t);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly loop = (): void => {
    if (!this.running) return;
    let now = performance.now();
    let next = now + TICK_INTERVAL_MS;
    for (const e of this.entries) {
      const s = e.source;
      if (now - s.nextDueMs > MAX_BEHIND_FRAMES * s.periodMs) {
        this.slips++;
        s.nextDueMs = now;
      }
      while (s.nextDueMs <= now) {
        s.produceFrame();
        s.nextDueMs += s.periodMs;
      }
      if (s.queued) {
        const rate = s.pacingBytesPerMs;
        if (rate === Number.POSITIVE_INFINITY) {
          s.drain(e.sink, Number.POSITIVE_INFINITY);
        } else {
          const cap = rate * PACING_INTERVAL_MS;
          e.budget = Math.min(cap, e.budget + rate * (now - e.lastDrainMs));
          if (e.budget > 0) e.budget -= s.drain(e.sink, e.budget);
        }
      } else if (e.budget > 0) {
        e.budget = 0; // an idle pacer does not save up (IntervalBudget without underuse build-up)
      }
      e.lastDrainMs = now;
      if (s.queued && now + PACING_INTERVAL_MS < next) next = now + PACING_INTERVAL_MS;
      if (s.nextDueMs < next) next = s.nextDueMs;
    }
    now = performance.now();
    if (now >= this.nextTickMs) {
      this.nextTickMs = now + TICK_INTERVAL_MS;
      for (const t of this.tickables) t.tick(now);
    }
    this.timer = setTimeout(this.loop, Math.max(0, next - performance.now()));
  };
}
