// Added forwarding latency: publishers and subscribers share one process, so one
// monotonic clock (performance.now) serves both ends.
//
// The SFU rewrites SSRC and may shift sequence numbers, and it strips header
// extensions, so no timestamp of ours survives in the header. What it forwards
// unchanged is the payload and the RTP timestamp. The publisher logs, per
// sequence number, its send time and RTP timestamp; and, per frame, the sequence
// number of the frame's first packet. A subscriber stream learns its sequence
// offset once from a frame start (timestamp → first sequence number), then maps
// each packet to the publisher's sequence number, and checks the RTP timestamp
// before it trusts the match.

const SEQ_SPACE = 65536;
const FRAME_RING = 4096;

/** Send times of one published track. */
export class SendLog {
  private readonly sentAt = new Float64Array(SEQ_SPACE);
  private readonly timestampOf = new Uint32Array(SEQ_SPACE);
  private readonly frameFirstSeq = new Int32Array(FRAME_RING).fill(-1);
  private readonly frameTimestamp = new Uint32Array(FRAME_RING);

  /** `timestampStep`: RTP ticks between frames (3000 for 30 fps video, 960 for 20 ms Opus). */
  constructor(
    private readonly firstTimestamp: number,
    private readonly timestampStep: number,
  ) {}

  /** Publisher sequence number and RTP timestamp of the first packet of the last keyframe sent (-1: none yet). */
  lastKeyframeSeq = -1;
  lastKeyframeTimestamp = 0;

  /** The first packet of a keyframe left: a simulcast subscriber anchors its mapping on it (the SFU rewrites timestamps across layer switches). */
  recordKeyframe(seq: number, timestamp: number): void {
    this.lastKeyframeSeq = seq;
    this.lastKeyframeTimestamp = timestamp;
  }

  record(seq: number, timestamp: number, nowMs: number, frameStart: boolean): void {
    this.sentAt[seq] = nowMs;
    this.timestampOf[seq] = timestamp;
    if (frameStart) {
      const slot = this.frameSlot(timestamp);
      this.frameFirstSeq[slot] = seq;
      this.frameTimestamp[slot] = timestamp;
    }
  }

  private frameSlot(timestamp: number): number {
    return Math.floor(((timestamp - this.firstTimestamp) >>> 0) / this.timestampStep) % FRAME_RING;
  }

  /** Publisher sequence number of the first packet of the frame with `timestamp`, or -1. */
  firstSeqOfFrame(timestamp: number): number {
    const slot = this.frameSlot(timestamp);
    return this.frameTimestamp[slot] === timestamp ? this.frameFirstSeq[slot] : -1;
  }

  /** Send time of publisher packet `seq` if it carried `timestamp`, else -1. */
  sentTime(seq: number, timestamp: number): number {
    return this.timestampOf[seq] === timestamp && this.sentAt[seq] > 0 ? this.sentAt[seq] : -1;
  }
}

/** Latencies in 10 µs bins up to 100 ms, then 1 ms bins up to 60 s; constant memory, O(1) per sample. */
export class LatencyHistogram {
  private readonly fine = new Uint32Array(10_000);
  private readonly coarse = new Uint32Array(60_000 + 1);
  count = 0;
  maxMs = 0;
  /** Since the last takeRecent(): for the progress line. */
  private recentSum = 0;
  private recentCount = 0;
  private recentMax = 0;

  add(ms: number): void {
    this.recentSum += ms;
    this.recentCount++;
    if (ms > this.recentMax) this.recentMax = ms;
    if (ms < 100) this.fine[ms > 0 ? Math.floor(ms * 100) : 0]++;
    else this.coarse[Math.min(this.coarse.length - 1, Math.floor(ms))]++;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Mean and max since the previous call (null without samples). */
  takeRecent(): { meanMs: number; maxMs: number } | null {
    const r = this.recentCount > 0 ? { meanMs: this.recentSum / this.recentCount, maxMs: this.recentMax } : null;
    this.recentSum = 0;
    this.recentCount = 0;
    this.recentMax = 0;
    return r;
  }

  reset(): void {
    this.fine.fill(0);
    this.coarse.fill(0);
    this.count = 0;
    this.maxMs = 0;
  }

  /** The q-quantile (0..1) in ms, at bin resolution (the bin's upper edge); null without samples. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.fine.length; i++) {
      seen += this.fine[i];
      if (seen >= target) return (i + 1) / 100;
    }
    for (let i = 100; i < this.coarse.length; i++) {
      seen += this.coarse[i];
      if (seen >= target) return Math.min(i + 1, this.maxMs);
    }
    return this.maxMs;
  }
}
