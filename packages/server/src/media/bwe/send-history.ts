import { SequenceUnwrapper } from "./sequence-unwrapper.js";

/** Feedback state of a sent packet. */
export const FEEDBACK_NONE = 0;
export const FEEDBACK_RECEIVED = 1;
export const FEEDBACK_LOST = 2;

/**
 * What we sent under each transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01 §2): send time, size, probe cluster, and what feedback said. A ring of typed
 * arrays addressed by extended sequence number; recording a packet allocates nothing.
 */
export class SendHistory {
  private readonly mask: number;
  private readonly seq: Float64Array;
  readonly sendMs: Float64Array;
  readonly size: Uint16Array;
  readonly probeCluster: Int32Array;
  readonly feedback: Uint8Array;
  private readonly unwrapper = new SequenceUnwrapper();
  /** Highest extended sequence number sent, -1 before the first. */
  highest = -1;

  constructor(capacity = 8192) {
    if (capacity < 64 || (capacity & (capacity - 1)) !== 0) throw new RangeError("capacity must be a power of two >= 64");
    this.mask = capacity - 1;
    this.seq = new Float64Array(capacity).fill(-1);
    this.sendMs = new Float64Array(capacity);
    this.size = new Uint16Array(capacity);
    this.probeCluster = new Int32Array(capacity);
    this.feedback = new Uint8Array(capacity);
  }

  /** Records a sent packet; returns its extended sequence number. */
  add(twSeq: number, sendMs: number, size: number, probeCluster: number): number {
    const ext = this.unwrapper.unwrap(twSeq);
    if (ext > this.highest) this.highest = ext;
    const slot = ext & this.mask;
    this.seq[slot] = ext;
    this.sendMs[slot] = sendMs;
    this.size[slot] = Math.min(size, 0xffff);
    this.probeCluster[slot] = probeCluster;
    this.feedback[slot] = FEEDBACK_NONE;
    return ext;
  }

  /** Slot of the packet last sent with 16-bit `twSeq`, or -1 if it is not (or no longer) known. */
  slotOf(twSeq: number): number {
    if (this.highest < 0) return -1;
    const ext = SequenceUnwrapper.near(this.highest, twSeq);
    const slot = ext & this.mask;
    return this.seq[slot] === ext ? slot : -1;
  }

  /** Slot of extended sequence number `ext`, or -1. */
  slotOfExtended(ext: number): number {
    const slot = ext & this.mask;
    return ext >= 0 && this.seq[slot] === ext ? slot : -1;
  }

  /** Extended sequence number of a 16-bit one, near the highest sent. */
  extend(twSeq: number): number {
    return SequenceUnwrapper.near(this.highest, twSeq);
  }

  get capacity(): number {
    return this.mask + 1;
  }
}
