// Over-use detector with an adaptive threshold (draft-ietf-rmcat-gcc-02 §5.4, §5.5; constants of
// libwebrtc's TrendlineEstimator): compares the (scaled) delay trend m(i) with a threshold γ(i)
// that follows |m(i)| slowly upward and faster downward, so a concurrent TCP flow does not
// starve us and a noisy path does not trigger constant over-use.

export const USAGE_NORMAL = 0;
export const USAGE_UNDERUSING = 1;
export const USAGE_OVERUSING = 2;
export type BandwidthUsage = typeof USAGE_NORMAL | typeof USAGE_UNDERUSING | typeof USAGE_OVERUSING;

/** gcc-02 §5.4: K_u and K_d, per ms. */
const K_UP = 0.0087;
const K_DOWN = 0.039;
const INITIAL_THRESHOLD = 12.5;
const MIN_THRESHOLD = 6;
const MAX_THRESHOLD = 600;
/** Outliers (|m| beyond γ + 15) do not move the threshold (gcc-02 §5.4). */
const MAX_ADAPT_OFFSET = 15;
const MAX_TIME_DELTA_MS = 100;
/** Over-use must last this long (and two samples) before it is signalled (gcc-02 §5.4). */
const OVERUSING_TIME_MS = 10;

export class OveruseDetector {
  threshold = INITIAL_THRESHOLD;
  state: BandwidthUsage = USAGE_NORMAL;
  private timeOverUsingMs = -1;
  private overuseCount = 0;
  private previousTrend = 0;
  private lastUpdateMs = Number.NaN;

  /** `modifiedTrend` is m(i) (ms), `trend` the raw slope, `sendDeltaMs` the group's send spacing. */
  detect(modifiedTrend: number, trend: number, sendDeltaMs: number, nowMs: number): BandwidthUsage {
    if (modifiedTrend > this.threshold) {
      this.timeOverUsingMs = this.timeOverUsingMs < 0 ? sendDeltaMs / 2 : this.timeOverUsingMs + sendDeltaMs;
      this.overuseCount++;
      if (this.timeOverUsingMs > OVERUSING_TIME_MS && this.overuseCount > 1 && trend >= this.previousTrend) {
        this.timeOverUsingMs = 0;
        this.overuseCount = 0;
        this.state = USAGE_OVERUSING;
      }
    } else if (modifiedTrend < -this.threshold) {
      this.timeOverUsingMs = -1;
      this.overuseCount = 0;
      this.state = USAGE_UNDERUSING;
    } else {
      this.timeOverUsingMs = -1;
      this.overuseCount = 0;
      this.state = USAGE_NORMAL;
    }
    this.previousTrend = trend;
    this.adaptThreshold(modifiedTrend, nowMs);
    return this.state;
  }

  /** γ(i) = γ(i-1) + Δt · K · (|m(i)| - γ(i-1)), K = K_d below the threshold, K_u above (gcc-02 §5.4). */
  private adaptThreshold(modifiedTrend: number, nowMs: number): void {
    if (Number.isNaN(this.lastUpdateMs)) this.lastUpdateMs = nowMs;
    const magnitude = Math.abs(modifiedTrend);
    if (magnitude > this.threshold + MAX_ADAPT_OFFSET) {
      this.lastUpdateMs = nowMs;
      return;
    }
    const k = magnitude < this.threshold ? K_DOWN : K_UP;
    const dt = Math.min(Math.max(nowMs - this.lastUpdateMs, 0), MAX_TIME_DELTA_MS);
    this.threshold += k * (magnitude - this.threshold) * dt;
    this.threshold = Math.min(MAX_THRESHOLD, Math.max(MIN_THRESHOLD, this.threshold));
    this.lastUpdateMs = nowMs;
  }
}
