// Throughput the receiver acknowledged, from TWCC feedback (libwebrtc BitrateEstimator): bytes
// per window of receive time (500 ms at first, then 150 ms), each window a sample fused into a
// Bayesian estimate whose uncertainty grows with the sample's distance from the estimate.

const INITIAL_WINDOW_MS = 500;
const WINDOW_MS = 150;
const UNCERTAINTY_SCALE = 10;
/** Added to the variance per sample, kbps² (lets the estimate follow real changes). */
const PROCESS_NOISE = 5;

export class AckedBitrateEstimator {
  private windowMs = 0;
  private windowBytes = 0;
  private prevArrivalMs = Number.NaN;
  private estimateKbps = Number.NaN;
  private variance = 50;
  private sampled = false;

  /** One acknowledged packet, in feedback order. */
  update(arrivalMs: number, size: number): void {
    const rateWindow = this.sampled ? WINDOW_MS : INITIAL_WINDOW_MS;
    if (Number.isNaN(this.prevArrivalMs)) this.prevArrivalMs = arrivalMs;
    if (arrivalMs > this.prevArrivalMs) {
      this.windowMs += arrivalMs - this.prevArrivalMs;
      this.prevArrivalMs = arrivalMs;
    }
    if (this.windowMs > rateWindow) {
      const sampleKbps = (8 * this.windowBytes) / rateWindow;
      this.windowMs -= rateWindow;
      if (this.windowMs > rateWindow) this.windowMs = 0; // a silent gap: start counting anew
      this.windowBytes = 0;
      this.fuse(sampleKbps);
      this.sampled = true;
    }
    this.windowBytes += size;
  }

  /** Acknowledged bitrate, bps, or NaN before the first window completes. */
  get bps(): number {
    return this.estimateKbps * 1000;
  }

  private fuse(sampleKbps: number): void {
    if (Number.isNaN(this.estimateKbps)) {
      this.estimateKbps = sampleKbps;
      return;
    }
    const base = Math.max(this.estimateKbps, 1);
    const uncertainty = (UNCERTAINTY_SCALE * Math.abs(this.estimateKbps - sampleKbps)) / base;
    const sampleVariance = uncertainty * uncertainty;
    const predicted = this.variance + PROCESS_NOISE;
    this.estimateKbps = (sampleVariance * this.estimateKbps + predicted * sampleKbps) / (sampleVariance + predicted);
    this.variance = (sampleVariance * predicted) / (sampleVariance + predicted);
  }
}
