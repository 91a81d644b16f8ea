/**
 * Token bucket on messages and bytes at once: a message passes only if both
 * buckets hold enough. Time is passed in (ms) so tests control the clock.
 */
export class MessageRateLimiter {
  private messages: number;
  private bytes: number;
  private lastMs: number;

  constructor(
    private readonly limits: { messagesPerSecond: number; messageBurst: number; bytesPerSecond: number; byteBurst: number },
    nowMs: number,
  ) {
    this.messages = limits.messageBurst;
    this.bytes = limits.byteBurst;
    this.lastMs = nowMs;
  }

  /** Takes one message of `size` bytes; false if over the limit (nothing is taken then). */
  take(size: number, nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    const l = this.limits;
    this.messages = Math.min(l.messageBurst, this.messages + elapsed * l.messagesPerSecond);
    this.bytes = Math.min(l.byteBurst, this.bytes + elapsed * l.bytesPerSecond);
    if (this.messages < 1 || this.bytes < size) return false;
    this.messages -= 1;
    this.bytes -= size;
    return true;
  }
}
