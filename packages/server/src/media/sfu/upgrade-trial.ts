/** An upgrade the estimate takes back within this long failed: that layer waits out a back-off. */
export const UPGRADE_TRIAL_MS = 3000;
export const UPGRADE_BACKOFF_MS = 10_000;
export const MAX_UPGRADE_BACKOFF_MS = 30_000;
/** A trial fails only if the estimate fell this far below the one that granted the upgrade. */
const ESTIMATE_FELL_RATIO = 0.95;

/**
 * Upgrades of one simulcast consumer's layer are trials: a probe can look faster than
 * the path (a shaper's burst allowance), so a layer granted and taken back within
 * UPGRADE_TRIAL_MS because the estimate fell is not granted again before a back-off
 * (10 s, doubling to 30 s) — no flapping into congestion every few seconds. Upgrades go
 * one layer at a time; downgrades apply at once.
 *
 * Only the path fails a trial. A layer taken back because it is no longer wanted or no
 * longer live (the tile shrank, dynacast paused it), or because its price rose while the
 * estimate held (a new layer's first keyframe makes its measured bitrate spike), ends the
 * trial without a back-off.
 */
export class UpgradeTrial {
  private trialLayer = -1;
  private trialSinceMs = 0;
  private trialEstimateBps = 0;
  private blockedLayer = Number.MAX_SAFE_INTEGER;
  private blockedUntilMs = 0;
  private backoffMs = UPGRADE_BACKOFF_MS;

  /**
   * `previous`: the layer granted last time (-1 paused); `granted`: what the allocator grants now;
   * `wanted`: the layer it would grant with unlimited bandwidth. Returns the layer to grant.
   */
  guard(previous: number, granted: number, wanted: number, estimateBps: number, nowMs: number): number {
    if (this.trialLayer >= 0) {
      const elapsed = nowMs - this.trialSinceMs;
      if (elapsed >= UPGRADE_TRIAL_MS) {
        if (granted >= this.trialLayer) this.backoffMs = UPGRADE_BACKOFF_MS; // it held
        this.trialLayer = -1;
      } else if (granted < this.trialLayer) {
        if (wanted >= this.trialLayer && estimateBps < ESTIMATE_FELL_RATIO * this.trialEstimateBps) {
          this.blockedLayer = this.trialLayer;
          this.blockedUntilMs = nowMs + this.backoffMs;
          this.backoffMs = Math.min(MAX_UPGRADE_BACKOFF_MS, this.backoffMs * 2);
        }
        this.trialLayer = -1;
      }
    }
    if (nowMs < this.blockedUntilMs && granted >= this.blockedLayer) granted = this.blockedLayer - 1;
    // Up one layer at a time: each step is a trial the path has to pass before the next.
    if (previous >= 0 && granted > previous + 1) granted = previous + 1;
    if (granted > previous && previous >= 0 && this.trialLayer < 0) {
      this.trialLayer = granted;
      this.trialSinceMs = nowMs;
      this.trialEstimateBps = estimateBps;
    }
    return granted;
  }
}
