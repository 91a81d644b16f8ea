/**
 * Extends 16-bit sequence numbers (RTP, transport-wide) to a monotonic number line so that
 * ring-buffer slots and comparisons survive the 65535 -> 0 wrap (RFC 3550 §A.1 does the same
 * with a cycle count). A step back of up to 32767 is read as reordering, not as a wrap.
 */
export class SequenceUnwrapper {
  private last = -1;

  /** Extended value of `seq` (0..65535), near the previous one. */
  unwrap(seq: number): number {
    seq &= 0xffff;
    if (this.last < 0) {
      this.last = seq + 0x10000; // start one cycle in so early reordering stays positive
      return this.last;
    }
    let delta = (seq - this.last) & 0xffff;
    if (delta >= 0x8000) delta -= 0x10000;
    const ext = this.last + delta;
    if (delta > 0) this.last = ext;
    return ext;
  }

  /** Forgets the past: the next value starts a new number line. */
  reset(): void {
    this.last = -1;
  }

  /** Extended value of `seq` relative to `reference` (an extended value), without updating state. */
  static near(reference: number, seq: number): number {
    let delta = (seq - reference) & 0xffff;
    if (delta >= 0x8000) delta -= 0x10000;
    return reference + delta;
  }
}
