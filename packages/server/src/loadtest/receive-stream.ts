import { readVp8KeyframeSize } from "../media/sfu/simulcast/vp8-descriptor.js";
import type { LatencyHistogram, SendLog } from "./latency.js";
import { newVp8Info, readVp8Descriptor } from "./packetize.js";

/** Gaps wider than this are a stream reset, not loss worth NACKing (as the SFU does). */
const MAX_NACK_GAP = 64;
/** Extended sequence numbers remembered for duplicate detection. */
const SEEN = 4096;

const vp8 = newVp8Info();

/** One simulcast layer of a track published in this process: its size and send log. */
export interface SimulcastLayerLog {
  width: number;
  height: number;
  log: SendLog;
}

export interface ReceiveStreamOptions {
  kind: "audio" | "video";
  ssrc: number;
  rtxSsrc: number | null;
  /** Send log of the publisher in this process (null: foreign publisher, no latency). */
  source: SendLog | null;
  /** Simulcast: every layer's send log; the stream follows the layer its keyframes say it gets. */
  layers: SimulcastLayerLog[] | null;
  latency: LatencyHistogram;
  /** Called with the subscriber sequence numbers of a gap, to NACK them (video only). */
  nack: ((stream: ReceiveStream, seqs: number[]) => void) | null;
}

/**
 * What one subscriber receives of one forwarded track: continuity, loss, NACKs,
 * keyframes, latency. Sequence numbers are the subscriber's (after the SFU's
 * rewrite); they are extended to 32 bits as RFC 3550 A.1 does. A simulcast layer
 * switch must look like nothing here: the SFU keeps sequence numbers continuous.
 *
 * Which layer arrives is read from each keyframe's coded width (RFC 6386 §9.1). The
 * SFU offsets timestamps at a switch, so with simulcast the latency mapping is
 * anchored at each keyframe on the layer's last keyframe sent, instead of being
 * learned from any frame start's timestamp.
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
  /** Coded width of the last keyframe received (-1: none yet): with simulcast, the layer being received. */
  layerWidth = -1;
  /** Keyframes whose width differed from the previous keyframe's: simulcast layer switches. */
  switches = 0;
  readonly kind: "audio" | "video";
  readonly ssrc: number;
  readonly rtxSsrc: number | null;
  private source: SendLog | null;
  private readonly layers: SimulcastLayerLog[] | null;
  private readonly latency: LatencyHistogram;
  private readonly nack: ((stream: ReceiveStream, seqs: number[]) => void) | null;
  private baseExt = -1;
  private highestExt = -1;
  private unique = 0;
  private readonly seen = new Int32Array(SEEN).fill(-1);
  /** Subscriber seq minus publisher seq, learned from a frame start; null until known. */
  private seqOffset: number | null = null;
  /** Subscriber timestamp minus publisher timestamp (0 without simulcast: the SFU keeps them). */
  private tsOffset = 0;
  private lastKeyframeTimestamp = -1;

  constructor(o: ReceiveStreamOptions) {
    this.kind = o.kind;
    this.ssrc = o.ssrc;
    this.rtxSsrc = o.rtxSsrc;
    this.source = o.source;
    this.layers = o.layers;
    this.latency = o.latency;
    this.nack = o.nack;
  }

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
      const descriptor = readVp8Descriptor(packet, payloadAt, payloadEnd, vp8);
      if (descriptor < 0) return;
      frameStart = vp8.frameStart;
      if (vp8.keyframe && ts !== this.lastKeyframeTimestamp) {
        this.keyframes++;
        this.lastKeyframeTimestamp = ts;
        const size = readVp8KeyframeSize(packet, payloadAt + descriptor, payloadEnd);
        if (size >= 0) this.onKeyframe(Math.floor(size / 0x10000), seq, ts);
      }
    }
    if (inOrder && !rtx) this.measureLatency(seq, ts, frameStart, nowMs);
  }

  private onKeyframe(width: number, seq: number, ts: number): void {
    if (this.layerWidth >= 0 && width !== this.layerWidth) this.switches++;
    this.layerWidth = width;
    if (this.layers === null) return;
    const log = this.layers.find((l) => l.width === width)?.log ?? null;
    this.source = log;
    if (log === null || log.lastKeyframeSeq < 0) {
      this.seqOffset = null;
      return;
    }
    this.seqOffset = (seq - log.lastKeyframeSeq) & 0xffff;
    this.tsOffset = (ts - log.lastKeyframeTimestamp) >>> 0;
  }

  private measureLatency(seq: number, subscriberTs: number, frameStart: boolean, nowMs: number): void {
    const log = this.source;
    if (log === null) return;
    const ts = (subscriberTs - this.tsOffset) >>> 0;
    if (this.seqOffset === null || log.sentTime((seq - this.seqOffset) & 0xffff, ts) < 0) {
      this.seqOffset = null;
      if (this.layers !== null || !frameStart) {
        // Simulcast: only a keyframe tells which layer (and timestamp offset) this is.
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
    if (sent < 0 || sent > nowMs) {
      // sent > now: anchored on a newer keyframe than the one that arrived; wait for the next.
      this.seqOffset = null;
      this.latencyMisses++;
      return;
    }
    this.latency.add(nowMs - sent);
  }
}
