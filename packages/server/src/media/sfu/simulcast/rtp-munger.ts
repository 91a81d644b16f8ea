// Per-consumer rewriting of RTP sequence numbers and timestamps (RFC 3550 §5.1) across
// source switches, so the subscriber sees one continuous stream whatever simulcast layer
// is forwarded.
//
//   source (layer L, ext seq s, ts t) ──► out seq = s + offset(range of s)
//                                         out ts  = t + tsOffset(epoch)
//
// An epoch is the time one source is forwarded. Sequence numbers are extended to 53-bit
// integers (unwrapped against the newest one), so wrap-around needs no special case.
// Inside an epoch the sequence offset only changes when the newest packet is skipped
// (padding-only probes are not forwarded): each change opens a new range, so a late
// out-of-order packet still maps to the slot it would have had. Gaps from real loss keep
// their outgoing numbers, so the subscriber's NACKs and the publisher's retransmissions
// line up.
//
// Timestamp at a switch (what LiveKit does when no RTCP sender-report reference is
// available): the layers' RTP clocks are unrelated (each SSRC has a random base), so the
// keyframe of the new layer gets
//
//   out ts = last out ts + max(1, round(elapsed wall time since the last forwarded packet × clockRate))
//
// i.e. the subscriber sees the time that really passed; the +1 minimum keeps two
// different frames from ever sharing a timestamp.

/** Outcome of `map()`; negative values mean "drop". */
export const MungeOutcome = {
  /** In order (possibly after a gap): forwarded and now the newest. */
  NEWEST: 1,
  /** Late packet of the current source, mapped to the number reserved for it. */
  OUT_OF_ORDER: 2,
  /** Belongs to the current source but before the switch point. */
  BEFORE_SWITCH: -1,
  /** Further behind the newest than the history remembers. */
  TOO_OLD: -2,
  /** That outgoing number was already sent. */
  DUPLICATE: -3,
} as const;

export interface RtpMungerOptions {
  clockRate: number;
  /** Outgoing packets remembered for NACK lookups, duplicate detection and reordering (rounded to a power of two). */
  historySize?: number;
  /** First outgoing sequence number; default: the first source packet's own (identity mapping). */
  initialSequence?: number;
  /** First outgoing timestamp; default: the first source packet's own. */
  initialTimestamp?: number;
}

const EPOCHS = 8;
const RANGES = 16;
const EXT_BASE = 0x10000;

export class RtpMunger {
  /** Switch counter: -1 before the first source; history entries carry it. */
  epoch = -1;
  /** Layer of the current source, -1 before the first. */
  layer = -1;
  /** Results of the last `map()`. */
  outSequence = 0;
  outTimestamp = 0;
  /** Results of the last successful `lookup()`. */
  lookupLayer = -1;
  lookupSequence = -1;
  lookupEpoch = -1;
  lookupTimestampOffset = 0;
  /** Last forwarded (newest) packet: for RTCP sender reports and the next switch. */
  lastTimestamp = 0;
  lastForwardMs = 0;

  private readonly clockRate: number;
  private readonly initialSequence: number | undefined;
  private readonly initialTimestamp: number | undefined;
  private lastOutExt = -1;
  private highestSrcExt = 0;
  private switchSrcExt = 0;
  private tsOffset = 0;
  private readonly rangeStart = new Float64Array(RANGES);
  private readonly rangeOffset = new Float64Array(RANGES);
  private rangeCount = 0;
  private readonly epochTag = new Float64Array(EPOCHS).fill(-1);
  private readonly epochTsOffset = new Float64Array(EPOCHS);
  private readonly mask: number;
  private readonly historyTag: Float64Array;
  private readonly historyLayer: Int8Array;
  private readonly historySequence: Uint16Array;
  private readonly historyEpoch: Int32Array;

  constructor(options: RtpMungerOptions) {
    this.clockRate = options.clockRate;
    this.initialSequence = options.initialSequence;
    this.initialTimestamp = options.initialTimestamp;
    let n = 1;
    while (n < (options.historySize ?? 1024)) n <<= 1;
    this.mask = n - 1;
    this.historyTag = new Float64Array(n).fill(-1);
    this.historyLayer = new Int8Array(n);
    this.historySequence = new Uint16Array(n);
    this.historyEpoch = new Int32Array(n);
  }

  /** True once a source has been forwarded. */
  get started(): boolean {
    return this.lastOutExt >= 0;
  }

  /** 16-bit sequence number of the newest forwarded packet. */
  get lastSequence(): number {
    return this.lastOutExt & 0xffff;
  }

  /**
   * Makes (layer, seq, ts) — the first packet of a new source, normally its keyframe — the
   * next outgoing packet: seq = last + 1, ts = last + elapsed (see the file comment).
   * Then call `map()` for that same packet.
   */
  switchSource(layer: number, seq: number, ts: number, nowMs: number): void {
    this.epoch++;
    this.layer = layer;
    this.switchSrcExt = EXT_BASE + seq;
    this.highestSrcExt = this.switchSrcExt - 1;
    if (this.lastOutExt < 0) {
      this.lastOutExt = EXT_BASE + (this.initialSequence ?? seq) - 1;
      this.tsOffset = this.initialTimestamp === undefined ? 0 : (this.initialTimestamp - ts) >>> 0;
    } else {
      const elapsed = Math.round(((nowMs - this.lastForwardMs) * this.clockRate) / 1000);
      this.tsOffset = (this.lastTimestamp + Math.max(1, elapsed) - ts) >>> 0;
    }
    this.rangeCount = 1;
    this.rangeStart[0] = this.switchSrcExt;
    this.rangeOffset[0] = this.lastOutExt + 1 - this.switchSrcExt;
    const slot = this.epoch % EPOCHS;
    this.epochTag[slot] = this.epoch;
    this.epochTsOffset[slot] = this.tsOffset;
  }

  /**
   * Maps a packet of the current source. On a non-negative outcome `outSequence` and
   * `outTimestamp` hold the rewritten values and the packet is in the NACK history.
   */
  map(seq: number, ts: number, nowMs: number): number {
    const ext = this.unwrapSource(seq);
    if (ext < this.switchSrcExt) return MungeOutcome.BEFORE_SWITCH;
    let outExt: number;
    let outcome: number;
    if (ext > this.highestSrcExt) {
      outExt = ext + this.rangeOffset[this.rangeCount - 1];
      outcome = MungeOutcome.NEWEST;
    } else {
      if (this.highestSrcExt - ext > this.mask) return MungeOutcome.TOO_OLD;
      const offset = this.offsetFor(ext);
      if (offset === null) return MungeOutcome.TOO_OLD;
      outExt = ext + offset;
      if (this.historyTag[outExt & this.mask] === outExt) return MungeOutcome.DUPLICATE;
      outcome = MungeOutcome.OUT_OF_ORDER;
    }
    const outTs = (ts + this.tsOffset) >>> 0;
    if (outcome === MungeOutcome.NEWEST) {
      this.highestSrcExt = ext;
      this.lastOutExt = outExt;
      this.lastTimestamp = outTs;
      this.lastForwardMs = nowMs;
    }
    const slot = outExt & this.mask;
    this.historyTag[slot] = outExt;
    this.historyLayer[slot] = this.layer;
    this.historySequence[slot] = seq;
    this.historyEpoch[slot] = this.epoch;
    this.outSequence = outExt & 0xffff;
    this.outTimestamp = outTs;
    return outcome;
  }

  /**
   * The current source's packet `seq` will not be forwarded (e.g. padding only): if it is
   * the newest, the following packets close up behind it so the subscriber sees no gap.
   */
  skip(seq: number): void {
    const ext = this.unwrapSource(seq);
    if (ext <= this.highestSrcExt || ext < this.switchSrcExt) return;
    this.highestSrcExt = ext;
    const offset = this.rangeOffset[this.rangeCount - 1] - 1;
    if (this.rangeCount === RANGES) {
      this.rangeStart.copyWithin(0, 1);
      this.rangeOffset.copyWithin(0, 1);
      this.rangeCount--;
    }
    this.rangeStart[this.rangeCount] = ext + 1;
    this.rangeOffset[this.rangeCount] = offset;
    this.rangeCount++;
  }

  /**
   * For a subscriber NACK: which source packet went out as `outSeq`. On true, `lookupLayer`,
   * `lookupSequence`, `lookupEpoch` and `lookupTimestampOffset` (add to the cached packet's
   * timestamp) are set; false if it was never sent or is forgotten.
   */
  lookup(outSeq: number): boolean {
    if (this.lastOutExt < 0) return false;
    const outExt = this.lastOutExt + (((outSeq - this.lastOutExt) << 16) >> 16);
    const slot = outExt & this.mask;
    if (this.historyTag[slot] !== outExt) return false;
    const epoch = this.historyEpoch[slot];
    const e = epoch % EPOCHS;
    if (this.epochTag[e] !== epoch) return false;
    this.lookupLayer = this.historyLayer[slot];
    this.lookupSequence = this.historySequence[slot];
    this.lookupEpoch = epoch;
    this.lookupTimestampOffset = this.epochTsOffset[e];
    return true;
  }

  /** Extends a 16-bit source sequence number against the newest one (RFC 3550 A.1). */
  private unwrapSource(seq: number): number {
    return this.highestSrcExt + (((seq - this.highestSrcExt) << 16) >> 16);
  }

  /** Sequence offset that applied to source `ext`, or null if its range was forgotten. */
  private offsetFor(ext: number): number | null {
    for (let i = this.rangeCount - 1; i >= 0; i--) {
      if (ext >= this.rangeStart[i]) return this.rangeOffset[i];
    }
    return null;
  }
}
