// Loss-based controller (draft-ietf-rmcat-gcc-02 §6; libwebrtc SendSideBandwidthEstimation):
//
//   loss < 2 %      increase ×1.08 per second (+1 kbps)
//   2 % .. 10 %     hold
//   loss > 10 %     A ← A · (1 − 0.5 · loss), at most once per 300 ms + RTT
//
// Its output caps the delay-based estimate; it never runs far ahead of it, so a loss episode
// starts decreasing from the rate actually in use.

const LOW_LOSS = 0.02;
const HIGH_LOSS = 0.1;
const INCREASE_PER_SECOND = 1.08;
const DECREASE_INTERVAL_MS = 300;

export interface LossBasedControlOptions {
  startBps: number;
  minBps: number;
  maxBps: number;
}

export class LossBasedControl {
  estimateBps: number;
  private lastUpdateMs = Number.NaN;
  private lastDecreaseMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: LossBasedControlOptions) {
    this.estimateBps = o.startBps;
  }

  /** One loss report: `lossFraction` over the packets settled since the previous one. */
  update(lossFraction: number, delayBasedBps: number, rttMs: number, nowMs: number): number {
    const dtMs = Number.isNaN(this.lastUpdateMs) ? 0 : Math.min(Math.max(nowMs - this.lastUpdateMs, 0), 1000);
    this.lastUpdateMs = nowMs;
    let next = this.estimateBps;
    if (lossFraction < LOW_LOSS) {
      next = next * INCREASE_PER_SECOND ** (dtMs / 1000) + dtMs;
    } else if (lossFraction > HIGH_LOSS && nowMs - this.lastDecreaseMs >= DECREASE_INTERVAL_MS + rttMs) {
      next = next * (1 - 0.5 * lossFraction);
      this.lastDecreaseMs = nowMs;
    }
    this.estimateBps = this.clamp(next, delayBasedBps);
    return this.estimateBps;
  }

  /** Jumps to a measured rate (a probe result the delay-based side accepted). */
  reset(bps: number): void {
    this.estimateBps = Math.min(this.o.maxBps, Math.max(this.o.minBps, bps));
  }

  /** Re-caps by the delay-based estimate without a loss report. */
  cap(delayBasedBps: number): void {
    this.estimateBps = this.clamp(this.estimateBps, delayBasedBps);
  }

  private clamp(bps: number, delayBasedBps: number): number {
    return Math.min(this.o.maxBps, delayBasedBps, Math.max(this.o.minBps, bps));
  }
}
