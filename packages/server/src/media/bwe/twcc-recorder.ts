// Receive side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
// extensions-01): per incoming packet, remember (transport-wide sequence number, arrival time);
// every 50–100 ms the caller drains the pending range as RTPFB FMT=15 feedback (§3.1).
//
//   record(seq, t) ──> ring[extSeq & mask] = t         (no allocation)
//   writeFeedback() ──> [windowStart .. highest] as one or more FMT=15 packets, each with
//                       its own reference time (§3.1: 24-bit, 64 ms) and feedback count (§3.1)
//
// Like libwebrtc's RemoteEstimatorProxy, a packet that arrives after its sequence number was
// reported lost moves the window back, so the sender learns of it (it must accept repeats).

import { newTwccInfo, TWCC_DELTA_US, TWCC_REFERENCE_TIME_US, type TwccInfo, writeTwcc } from "../rtcp/twcc.js";
import { SequenceUnwrapper } from "./sequence-unwrapper.js";

export interface TwccRecorderOptions {
  /** SSRC we send feedback as (RTCP packet sender). */
  senderSsrc: number;
  /** Packets remembered (a power of two); a jump or backlog beyond it starts afresh. Default 8192. */
  historySize?: number;
}

/** Ticks of 250 µs per ms, and per 64 ms reference-time unit (§3.1.5, §3.1). */
const TICKS_PER_MS = 1000 / TWCC_DELTA_US;
const TICKS_PER_REFERENCE = TWCC_REFERENCE_TIME_US / TWCC_DELTA_US;
/** This many packets in a row older than the history means the sender restarted its sequence. */
const RESTART_AFTER_TOO_OLD = 64;
/** Fixed header (20) + worst padding (3). */
const FIXED_BYTES = 23;

// Encoder input, shared: writeFeedback runs to completion on one thread.
const status = new Uint8Array(0x10000);
const deltas = new Int16Array(0x10000);

export class TwccRecorder {
  private readonly mask: number;
  private readonly slotSeq: Float64Array;
  private readonly slotArrivalMs: Float64Array;
  private readonly unwrapper = new SequenceUnwrapper();
  private readonly info: TwccInfo = newTwccInfo();
  private readonly senderSsrc: number;
  /** First extended sequence number not yet reported, -1 before the first packet. */
  private windowStart = -1;
  private highest = -1;
  private fbPktCount = 0;
  /** SSRC of the last media packet, put in the "media source" field as libwebrtc does. */
  mediaSsrc = 0;
  /** Packets dropped for being older than the history. */
  tooOld = 0;
  private tooOldInARow = 0;

  constructor(options: TwccRecorderOptions) {
    const size = options.historySize ?? 8192;
    if (size < 64 || (size & (size - 1)) !== 0) throw new RangeError("historySize must be a power of two >= 64");
    this.mask = size - 1;
    this.slotSeq = new Float64Array(size).fill(-1);
    this.slotArrivalMs = new Float64Array(size);
    this.senderSsrc = options.senderSsrc >>> 0;
  }

  /** One incoming packet carrying transport-wide sequence number `seq` (16 bits). Per packet; allocates nothing. */
  record(seq: number, arrivalMs: number, mediaSsrc?: number): void {
    let ext = this.unwrapper.unwrap(seq);
    if (mediaSsrc !== undefined) this.mediaSsrc = mediaSsrc;
    const size = this.mask + 1;
    if (this.highest < 0 || ext > this.highest + size) {
      // First packet, or a jump past everything we remember (sender restart): start afresh.
      this.windowStart = ext;
      this.highest = ext;
    } else if (ext > this.highest) {
      this.highest = ext;
      if (this.windowStart <= this.highest - size) this.windowStart = this.highest - size + 1; // backlog overflow
    } else if (ext <= this.highest - size) {
      this.tooOld++;
      if (++this.tooOldInARow < RESTART_AFTER_TOO_OLD) return;
      // A restart far behind (more than 32767 back reads as "old"): forget the past.
      this.unwrapper.reset();
      ext = this.unwrapper.unwrap(seq);
      this.windowStart = ext;
      this.highest = ext;
    }
    this.tooOldInARow = 0;
    const slot = ext & this.mask;
    if (this.slotSeq[slot] === ext) return; // duplicate: keep the first arrival
    this.slotSeq[slot] = ext;
    this.slotArrivalMs[slot] = arrivalMs;
    if (ext < this.windowStart) this.windowStart = ext; // late arrival of a packet reported lost
  }

  /** Sequence numbers waiting to be reported (received or not). */
  get pending(): number {
    return this.windowStart < 0 ? 0 : this.highest - this.windowStart + 1;
  }

  /**
   * Writes the next feedback packet (one RTPFB FMT=15, at most `maxBytes`) for the pending
   * range and advances past what it covers. Returns bytes written, 0 when nothing is pending,
   * -1 if even one status does not fit. Call repeatedly until it returns 0: a range is split
   * when it would exceed `maxBytes`, 65535 statuses, or a receive delta beyond ±8.19 s (§3.1.5).
   */
  writeFeedback(out: Uint8Array, offset: number, maxBytes: number = out.length - offset): number {
    if (this.windowStart < 0 || this.windowStart > this.highest) return 0;
    const start = this.windowStart;
    const end = this.highest;
    let first = start;
    while (first <= end && !this.received(first)) first++;
    if (first > end) {
      this.windowStart = end + 1; // nothing received left in the range (stale slots only)
      return 0;
    }
    const firstTicks = Math.floor(this.slotArrivalMs[first & this.mask] * TICKS_PER_MS);
    const reference = Math.floor(firstTicks / TICKS_PER_REFERENCE);
    let previousTicks = reference * TICKS_PER_REFERENCE;
    // Upper bound of the encoded size: every chunk but the last covers >= 7 statuses, except
    // that a long loss run costs one run-length chunk per 8191 (counted separately).
    let count = 0;
    let deltaBytes = 0;
    let vectorItems = 0;
    let runChunks = 0;
    let lostRun = 0;
    const budget = Math.min(maxBytes, out.length - offset);
    for (let ext = start; ext <= end && count < 0xffff; ext++) {
      let symbolBytes = 0;
      let delta = 0;
      const got = this.received(ext);
      if (got) {
        const ticks = Math.floor(this.slotArrivalMs[ext & this.mask] * TICKS_PER_MS);
        delta = ticks - previousTicks;
        if (delta < -0x8000 || delta > 0x7fff) break; // not representable: next packet, new reference
        symbolBytes = delta >= 0 && delta <= 0xff ? 1 : 2;
      }
      const nextLostRun = got ? 0 : lostRun + 1;
      const nextRunChunks = runChunks + (nextLostRun > 0 && nextLostRun % 0x1fff === 14 ? 1 : 0);
      const nextVectorItems = nextLostRun >= 14 ? vectorItems : vectorItems + 1;
      const bound = FIXED_BYTES + 2 * Math.ceil(nextVectorItems / 7) + 2 * nextRunChunks + 2 + deltaBytes + symbolBytes;
      if (bound > budget && count > 0) break;
      status[count] = got ? 1 : 0;
      deltas[count] = delta;
      count++;
      deltaBytes += symbolBytes;
      lostRun = nextLostRun;
      runChunks = nextRunChunks;
      vectorItems = nextVectorItems;
      if (got) previousTicks += delta;
    }
    const info = this.info;
    info.baseSeq = start & 0xffff;
    info.referenceTime = reference;
    info.fbPktCount = this.fbPktCount;
    const target = out.subarray(0, offset + budget);
    let written = -1;
    // The bound is conservative; shrink only if the real encoding still does not fit.
    for (; count > 0; count = count > 8 ? Math.floor((count * 3) / 4) : count - 1) {
      info.statusCount = count;
      written = writeTwcc(target, offset, this.senderSsrc, this.mediaSsrc, info, status, deltas);
      if (written > 0) break;
    }
    if (written <= 0) return -1;
    this.fbPktCount = (this.fbPktCount + 1) & 0xff;
    this.windowStart = start + count;
    return written;
  }

  private received(ext: number): boolean {
    return this.slotSeq[ext & this.mask] === ext;
  }
}
