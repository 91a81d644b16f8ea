import type { ThreadLoad } from "./thread-load.js";

/** What the guard may shed: a video stream toward one subscriber. */
export interface Sheddable {
  readonly kind: "audio" | "video";
  /** Shed by the guard: not forwarded until restored. */
  shed: boolean;
  /** Fraction of packets the subscriber last reported lost (0..1): the slowest go first. */
  readonly reportedLoss: number;
  /** Creation order: among equals, the newest stream goes first. */
  readonly serial: number;
  /** Called when the stream is restored, so it restarts on a keyframe. */
  restore(nowMs: number): void;
}

export interface OverloadGuardOptions {
  /** Event-loop utilisation above which the worker sheds (0..1). */
  high: number;
  /** Utilisation below which it restores, one step at a time. */
  low: number;
  /** Fraction of the video streams shed (or restored) per sample. */
  step: number;
  /** Consecutive samples above `high` before the first shedding: a GC pause or a burst of handshakes is not saturation. */
  sustain: number;
  /**
   * The worker's own on-CPU share (0..1) the overload must come with. A thread busy all the
   * time yet on a core for less than this was starved by other processes: shedding its
   * subscribers' video would degrade calls for a cause outside the SFU (the stats show it).
   */
  minCpu: number;
}

export const DEFAULT_OVERLOAD_GUARD: OverloadGuardOptions = { high: 0.92, low: 0.75, step: 0.1, sustain: 2, minCpu: 0.5 };

/**
 * Graceful saturation of one media worker. A worker that cannot keep up would
 * otherwise let its socket's receive queue grow: every packet, every
 * subscriber's audio and every STUN check (joins!) then waits behind seconds of
 * video. Instead, sampled every ~250 ms, the guard stops forwarding video to a
 * slice of the subscribers — the ones reporting the most loss, then the newest
 * — until the event loop has headroom again, and restores them gradually.
 * Saturation means the worker's own work: utilisation above `high` for
 * `sustain` samples in a row while the thread actually ran on a core.
 * Audio, publishers' uplinks and other rooms' audio are never shed.
 */
export class OverloadGuard {
  shedCount = 0;
  /** Times a stream was shed, since start (exported in worker stats). */
  totalShed = 0;
  /** Samples in a row that were above `high` with the CPU share to match. */
  private overloadedSamples = 0;
  /** Samples that were above `high` while the thread was starved of CPU, since start. */
  starvedSamples = 0;

  constructor(private readonly o: OverloadGuardOptions = DEFAULT_OVERLOAD_GUARD) {}

  /** `load` is the worker thread's load over the last sample period. */
  sample(load: ThreadLoad, streams: Iterable<Sheddable>, nowMs: number): void {
    if (load.utilisation > this.o.high) {
      if (load.cpu !== null && load.cpu < this.o.minCpu) {
        this.starvedSamples++;
        this.overloadedSamples = 0;
        return;
      }
      // Once shedding, keep stepping each sample: the first step was not enough.
      if (++this.overloadedSamples >= this.o.sustain || this.shedCount > 0) this.shed(streams);
      return;
    }
    this.overloadedSamples = 0;
    if (load.utilisation < this.o.low && this.shedCount > 0) this.restore(streams, nowMs);
  }

  private shed(streams: Iterable<Sheddable>): void {
    const candidates: Sheddable[] = [];
    let video = 0;
    for (const s of streams) {
      if (s.kind !== "video") continue;
      video++;
      if (!s.shed) candidates.push(s);
    }
    if (candidates.length === 0) return;
    candidates.sort((a, b) => b.reportedLoss - a.reportedLoss || b.serial - a.serial);
    const n = Math.min(candidates.length, Math.max(1, Math.ceil(video * this.o.step)));
    for (let i = 0; i < n; i++) candidates[i]!.shed = true;
    this.shedCount = video - candidates.length + n;
    this.totalShed += n;
  }

  private restore(streams: Iterable<Sheddable>, nowMs: number): void {
    const shed: Sheddable[] = [];
    let video = 0;
    for (const s of streams) {
      if (s.kind !== "video") continue;
      video++;
      if (s.shed) shed.push(s);
    }
    // Oldest and least lossy first: the reverse of the shedding order.
    shed.sort((a, b) => a.reportedLoss - b.reportedLoss || a.serial - b.serial);
    const n = Math.min(shed.length, Math.max(1, Math.ceil(video * this.o.step)));
    for (let i = 0; i < n; i++) {
      shed[i]!.shed = false;
      shed[i]!.restore(nowMs);
    }
    this.shedCount = shed.length - n;
  }
}
