import type { CodecParameters, ExtensionIdMap } from "../../media-channel/messages.js";
import { readRtxOsn } from "../rtp/packet.js";
import type { Consumer } from "./consumer.js";
import { PacketCache } from "./packet-cache.js";
import { ReceiveStats } from "./receive-stats.js";

/** What a producer needs from the transport it arrived on (callbacks, not a back-pointer to the whole transport). */
export interface ProducerSink {
  sendRtcpToPublisher(kind: "pli" | "nack" | "rr", producer: Producer, sequences?: number[]): void;
}

/** Minimum gap between two keyframe requests sent to the publisher. */
const KEYFRAME_REQUEST_INTERVAL_MS = 500;
/** Gaps larger than this are a stream reset, not loss worth NACKing. */
const MAX_NACK_GAP = 64;

/**
 * One incoming RTP stream (a published track). Packets are cached for NACKs and
 * fanned out to consumers; a slow consumer never blocks this loop because
 * sends are fire-and-forget datagrams or bounded TCP writes.
 */
export class Producer {
  readonly consumers: Consumer[] = [];
  readonly cache: PacketCache;
  readonly stats: ReceiveStats;
  private lastKeyframeRequestMs = Number.NEGATIVE_INFINITY;
  closed = false;
  /** Muted by a moderator: packets are still cached, not forwarded. */
  paused = false;
  packetsReceived = 0;
  bytesReceived = 0;

  constructor(
    readonly id: string,
    readonly kind: "audio" | "video",
    readonly mid: string,
    public ssrc: number,
    public rtxSsrc: number | null,
    readonly codec: CodecParameters,
    readonly extensions: ExtensionIdMap,
    private readonly sink: ProducerSink,
  ) {
    this.cache = new PacketCache(kind === "video" ? 1024 : 64);
    this.stats = new ReceiveStats(codec.clockRate);
  }

  /** A decrypted RTP packet of the media stream. `packet` is ours to keep (cached by reference). */
  receiveRtp(packet: Buffer, nowMs: number): void {
    const seq = (packet[2]! << 8) | packet[3]!;
    const ts = packet.readUInt32BE(4);
    this.packetsReceived++;
    this.bytesReceived += packet.length;
    if (this.cache.has(seq)) return; // duplicate (e.g. both original and RTX arrived)
    const missing = this.stats.update(seq, ts, nowMs);
    this.cache.store(seq, packet);
    if (missing > 0 && missing <= MAX_NACK_GAP && this.kind === "video") this.nackGap(seq, missing);
    if (this.paused) return;
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) consumers[i]!.forward(packet);
  }

  /** An RTX packet (RFC 4588): restore the original packet from its OSN and handle it as media. */
  receiveRtx(rtx: Buffer, headerLength: number, nowMs: number): void {
    const osn = readRtxOsn(rtx, rtx.length);
    if (osn < 0) return; // padding-only probe (P set, no OSN in front of the padding)
    const restored = Buffer.allocUnsafe(rtx.length - 2);
    rtx.copy(restored, 0, 0, headerLength);
    rtx.copy(restored, headerLength, headerLength + 2);
    restored[1] = (restored[1]! & 0x80) | this.codec.payloadType;
    restored.writeUInt16BE(osn, 2);
    restored.writeUInt32BE(this.ssrc, 8);
    // Padding (P bit) stays valid: the padding count is still the last byte.
    this.receiveRtp(restored, nowMs);
  }

  private nackGap(seq: number, missing: number): void {
    const list: number[] = [];
    for (let i = missing; i >= 1; i--) list.push((seq - i) & 0xffff);
    this.sink.sendRtcpToPublisher("nack", this, list);
  }

  requestKeyFrame(nowMs: number): void {
    if (this.kind !== "video" || nowMs - this.lastKeyframeRequestMs < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.lastKeyframeRequestMs = nowMs;
    this.sink.sendRtcpToPublisher("pli", this);
  }

  /** Periodic work (once a second): our receiver report to the publisher. */
  tick(): void {
    if (this.stats.hasData) this.sink.sendRtcpToPublisher("rr", this);
  }

  addConsumer(c: Consumer): void {
    this.consumers.push(c);
  }

  removeConsumer(c: Consumer): void {
    const i = this.consumers.indexOf(c);
    if (i >= 0) this.consumers.splice(i, 1);
  }

  /** Closes the producer and, in cascade, its consumers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.consumers]) c.close();
    this.cache.clear();
  }
}
