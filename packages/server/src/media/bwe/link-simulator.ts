/**
 * A deterministic one-way network path for tests and benchmarks of congestion control (in the
 * spirit of pion's vnet): a drop-tail bottleneck queue of `capacityBps` drained in order, then
 * `propagationMs`, plus seeded random loss and reordering. `send` returns the arrival time of a
 * packet, or NaN if it was dropped. Capacity may change at any time.
 */
export interface LinkOptions {
  capacityBps: number;
  propagationMs: number;
  /** Queue limit in ms of capacity (drop-tail); default 300 ms. */
  queueMs?: number;
  /** Probability of a random loss after the queue (0..1). */
  lossRate?: number;
  /** Probability that a packet is held back `reorderDelayMs` (arrives after later ones). */
  reorderRate?: number;
  reorderDelayMs?: number;
  seed?: number;
}

export class LinkSimulator {
  capacityBps: number;
  lossRate: number;
  reorderRate: number;
  private readonly propagationMs: number;
  private readonly queueMs: number;
  private readonly reorderDelayMs: number;
  private busyUntilMs = 0;
  private random: number;
  dropped = 0;
  lostRandomly = 0;

  constructor(o: LinkOptions) {
    this.capacityBps = o.capacityBps;
    this.propagationMs = o.propagationMs;
    this.queueMs = o.queueMs ?? 300;
    this.lossRate = o.lossRate ?? 0;
    this.reorderRate = o.reorderRate ?? 0;
    this.reorderDelayMs = o.reorderDelayMs ?? 10;
    this.random = (o.seed ?? 1) >>> 0 || 1;
  }

  /** Queueing delay a packet sent now would see, ms. */
  queueDelayMs(nowMs: number): number {
    return Math.max(0, this.busyUntilMs - nowMs);
  }

  send(nowMs: number, size: number): number {
    const start = Math.max(nowMs, this.busyUntilMs);
    if (start - nowMs > this.queueMs) {
      this.dropped++;
      return Number.NaN;
    }
    this.busyUntilMs = start + (size * 8000) / this.capacityBps;
    if (this.lossRate > 0 && this.next() < this.lossRate) {
      this.lostRandomly++;
      return Number.NaN;
    }
    const extra = this.reorderRate > 0 && this.next() < this.reorderRate ? this.reorderDelayMs : 0;
    return this.busyUntilMs + this.propagationMs + extra;
  }

  /** xorshift32 in [0, 1). */
  private next(): number {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    return this.random / 0x100000000;
  }
}
