import type { LatencyHistogram, SendLog } from "./latency.js";
import { newVp8Info, readVp8Descriptor } from "./packetize.js";

/** Gaps wider than this are a stream reset, not loss worth NACKing (as the SFU does). */
const MAX_NACK_GAP = 64;
/** Extended sequence numbers remembered for duplicate detection. */
const SEEN = 4096;

const vp8 = newVp8Info();

/**
 * What one subscriber receives of one forwarded track: continuity, loss, NACKs,
 * keyframes, latency. Sequence numbers are the subscriber's (after the SFU's
 * rewrite); they are extended to 32 bits as RFC 3550 A.1 does.
 */
export class ReceiveStream {
  packets = 0;
  octets = 0;
  duplicates = 0;
  retransmissions = 0;
  keyframes = 0;
  /** Packets that arrived after a later one (reordered or recovered). */
  late = 0;
  latencyMisses = 0;
  firstPacketMs = -1;
  private baseExt = -1;
  private highestExt = -1;
  private unique = 0;
  private readonly seen = new Int32Array(SEEN).fill(-1);
  /** Subscriber seq minus publisher seq, learned from a frame start; null until known. */
  private seqOffset: number | null = null;
  private lastKeyframeTimestamp = -1;

  constructor(
    readonly kind: "audio" | "video",
    readonly ssrc: number,
    readonly rtxSsrc: number | null,
    private readonly source: SendLog | null,
    private readonly latency: LatencyHistogram,
    /** Called with the subscriber sequence numbers of a gap, to NACK them (video only). */
    private readonly nack: ((stream: ReceiveStream, seqs: number[]) => void) | null,
  ) {}

  /** Expected packets so far: highest − first + 1 (extended). */
  get expected(): number {
    return this.baseExt < 0 ? 0 : this.highestExt - this.baseExt + 1;
  }

  get received(): number {
    return this.unique;
  }

  /** Extended highest sequence number received (RFC 3550 §6.4.1), for our receiver reports. */
  get highestSequence(): number {
    return this.highestExt < 0 ? 0 : this.highestExt >>> 0;
  }

  /** A decrypted RTP packet; `payloadAt` is where the payload starts; `rtx` when it came as RFC 4588 RTX. */
  receive(packet: Buffer, seq: number, payloadAt: number, payloadEnd: number, nowMs: number, rtx: boolean): void {
    this.packets++;
    this.octets += payloadEnd - payloadAt;
    if (rtx) this.retransmissions++;
    if (this.firstPacketMs < 0) this.firstPacketMs = nowMs;
    let ext: number;
    if (this.highestExt < 0) {
      ext = seq;
      this.baseExt = ext;
      this.highestExt = ext;
    } else {
      const delta = ((seq - (this.highestExt & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      ext = this.highestExt + delta;
      if (ext < this.baseExt) return; // older than the first packet we saw: not counted
    }
    const slot = ext % SEEN;
    if (this.seen[slot] === ext) {
      this.duplicates++;
      return;
    }
    this.seen[slot] = ext;
    this.unique++;
    let inOrder = true;
    if (ext > this.highestExt) {
      const missing = ext - this.highestExt - 1;
      if (missing > 0 && missing <= MAX_NACK_GAP && this.nack !== null) {
        const seqs: number[] = [];
        for (let i = missing; i >= 1; i--) seqs.push((seq - i) & 0xffff);
        this.nack(this, seqs);
      }
      this.highestExt = ext;
    } else if (ext !== this.baseExt) {
      this.late++;
      inOrder = false;
    }
    const ts = packet.readUInt32BE(4);
    let frameStart = true;
    if (this.kind === "video") {
      if (readVp8Descriptor(packet, payloadAt, payloadEnd, vp8) < 0) return;
      frameStart = vp8.frameStart;
      if (vp8.keyframe && ts !== this.lastKeyframeTimestamp) {
        this.keyframes++;
        this.lastKeyframeTimestamp = ts;
      }
    }
    if (inOrder && !rtx) this.measureLatency(seq, ts, frameStart, nowMs);
  }

  private measureLatency(seq: number, ts: number, frameStart: boolean, nowMs: number): void {
    const log = this.source;
    if (log === null) return;
    if (this.seqOffset === null || log.sentTime((seq - this.seqOffset) & 0xffff, ts) < 0) {
      this.seqOffset = null;
      if (!frameStart) {
        this.latencyMisses++;
        return;
      }
      const first = log.firstSeqOfFrame(ts);
      if (first < 0) {
        this.latencyMisses++;
        return;
      }
      this.seqOffset = (seq - first) & 0xffff;
    }
    const sent = log.sentTime((seq - this.seqOffset) & 0xffff, ts);
    if (sent < 0) {
      this.latencyMisses++;
      return;
    }
    this.latency.add(nowMs - sent);
  }
}
