// Delay-gradient filter of the delay-based controller (draft-ietf-rmcat-gcc-02 §5.3 describes a
// Kalman filter; libwebrtc replaced it with this trendline): accumulate the group delay
// variations, smooth them, and fit a least-squares line over the last 20 groups. A positive
// slope means the bottleneck queue is filling.

import { type BandwidthUsage, OveruseDetector } from "./overuse-detector.js";

const WINDOW_SIZE = 20;
const SMOOTHING = 0.9;
const THRESHOLD_GAIN = 4;
/** The slope is scaled by min(number of deltas, 60) so early samples weigh less. */
const MAX_DELTA_WEIGHT = 60;

export class TrendlineEstimator {
  readonly detector = new OveruseDetector();
  private readonly xs = new Float64Array(WINDOW_SIZE);
  private readonly ys = new Float64Array(WINDOW_SIZE);
  private count = 0;
  private next = 0;
  private deltaCount = 0;
  private firstArrivalMs = Number.NaN;
  private accumulatedDelayMs = 0;
  private smoothedDelayMs = 0;
  /** Last fitted slope (ms of delay per ms), 0 until the window is full. */
  trend = 0;

  /** One group delta; returns the detector's state. */
  update(arrivalDeltaMs: number, sendDeltaMs: number, arrivalMs: number): BandwidthUsage {
    const delta = arrivalDeltaMs - sendDeltaMs;
    if (this.deltaCount < 1000) this.deltaCount++;
    if (Number.isNaN(this.firstArrivalMs)) this.firstArrivalMs = arrivalMs;
    this.accumulatedDelayMs += delta;
    this.smoothedDelayMs = SMOOTHING * this.smoothedDelayMs + (1 - SMOOTHING) * this.accumulatedDelayMs;
    this.xs[this.next] = arrivalMs - this.firstArrivalMs;
    this.ys[this.next] = this.smoothedDelayMs;
    this.next = (this.next + 1) % WINDOW_SIZE;
    if (this.count < WINDOW_SIZE) this.count++;
    if (this.count === WINDOW_SIZE) {
      const slope = this.fitSlope();
      if (!Number.isNaN(slope)) this.trend = slope;
    }
    if (this.deltaCount < 2) return this.detector.state;
    const modified = Math.min(this.deltaCount, MAX_DELTA_WEIGHT) * this.trend * THRESHOLD_GAIN;
    return this.detector.detect(modified, this.trend, sendDeltaMs, arrivalMs);
  }

  private fitSlope(): number {
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < WINDOW_SIZE; i++) {
      sx += this.xs[i];
      sy += this.ys[i];
    }
    const mx = sx / WINDOW_SIZE;
    const my = sy / WINDOW_SIZE;
    let num = 0;
    let den = 0;
    for (let i = 0; i < WINDOW_SIZE; i++) {
      const dx = this.xs[i] - mx;
      num += dx * (this.ys[i] - my);
      den += dx * dx;
    }
    return den === 0 ? Number.NaN : num / den;
  }
}
