/**
 * Token-bucket rate limiting by key (an API key, a client IP). Each key gets
 * `perMinute` tokens per minute with a burst of the same size; an empty
 * bucket answers how long to wait (for Retry-After).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();
  private lastSweepMs = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): { ok: true } | { ok: false; retryAfterS: number } {
    const now = this.now();
    this.sweep(now);
    const ratePerMs = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, updatedMs: now };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.updatedMs) * ratePerMs);
    b.updatedMs = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000)) };
  }

  /** Full buckets carry no information: drop them once a minute so the map stays small. */
  private sweep(now: number): void {
    if (now - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = now;
    for (const [k, b] of this.buckets) if (now - b.updatedMs > 60_000) this.buckets.delete(k);
  }
}
