/**
 * Running estimate of the bottleneck capacity, sampled with the acknowledged bitrate at each
 * over-use (libwebrtc LinkCapacityEstimator). Near it the rate controller increases
 * additively; far below, multiplicatively (draft-ietf-rmcat-gcc-02 §5.5).
 */
export class LinkCapacityEstimator {
  /** kbps, NaN while unknown. */
  private estimateKbps = Number.NaN;
  /** Relative variance (kbps), bounded as libwebrtc does. */
  private deviation = 0.4;

  get known(): boolean {
    return !Number.isNaN(this.estimateKbps);
  }

  get estimateBps(): number {
    return this.estimateKbps * 1000;
  }

  /** Estimate plus three standard deviations, bps (Infinity when unknown). */
  get upperBoundBps(): number {
    return this.known ? (this.estimateKbps + 3 * this.standardDeviation()) * 1000 : Number.POSITIVE_INFINITY;
  }

  get lowerBoundBps(): number {
    return this.known ? Math.max(0, this.estimateKbps - 3 * this.standardDeviation()) * 1000 : 0;
  }

  onOveruse(ackedBps: number): void {
    const sample = ackedBps / 1000;
    const alpha = 0.05;
    if (!this.known) this.estimateKbps = sample;
    else this.estimateKbps = (1 - alpha) * this.estimateKbps + alpha * sample;
    const norm = Math.max(this.estimateKbps, 1);
    const error = this.estimateKbps - sample;
    this.deviation = (1 - alpha) * this.deviation + (alpha * error * error) / norm;
    this.deviation = Math.min(2.5, Math.max(0.4, this.deviation));
  }

  reset(): void {
    this.estimateKbps = Number.NaN;
  }

  private standardDeviation(): number {
    return Math.sqrt(this.deviation * this.estimateKbps);
  }
}
