import type { CodecParameters, ExtensionIdMap } from "../../media-channel/messages.js";
import { readRtxOsn, rtpHeaderLength, rtpPayloadEnd } from "../rtp/packet.js";
import type { AudioLevel } from "./audio-level.js";
import { PacketCache } from "./packet-cache.js";
import { ReceiveStats } from "./receive-stats.js";
import { isKeyframeStart, videoCodecOf } from "./simulcast/codec-keyframe.js";
import { LayerBitrate } from "./simulcast/layer-bitrate.js";

/** What a producer needs from the transport it arrived on (callbacks, not a back-pointer to the whole transport). */
export interface ProducerSink {
  sendRtcpToPublisher(kind: "pli" | "nack" | "rr", producer: Producer, sequences?: number[]): void;
}

/** Anything a producer fans out to: a subscriber's consumer, or a pipe to another worker. */
export interface ProducerSubscriber {
  readonly id: string;
  /** `layer` is the simulcast stream the packet belongs to (0 for a producer without simulcast). */
  forward(packet: Buffer, layer: number): void;
  close(): void;
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
  readonly consumers: ProducerSubscriber[] = [];
  readonly cache: PacketCache;
  readonly stats: ReceiveStats;
  private lastKeyframeRequestMs = Number.NEGATIVE_INFINITY;
  closed = false;
  /** Muted by a moderator: packets are still cached, not forwarded. */
  paused = false;
  packetsReceived = 0;
  bytesReceived = 0;
  /**
   * Simulcast (RFC 8853): one child Producer per stream, lowest quality first. Each
   * child keeps its own SSRC, packet cache, receive statistics, NACKs and receiver
   * reports; media reaches this parent's consumers tagged with the layer index.
   */
  readonly layers: Producer[] = [];
  /** Simulcast parent: bitrate and liveness per layer, and facts about the packet being fanned out (read by consumers). */
  bitrate: LayerBitrate | null = null;
  private readonly codecId: number;
  pktPayloadOffset = 0;
  pktPayloadEnd = 0;
  pktKeyframe = false;
  pktNowMs = 0;
  /** For a layer: the resolution the publisher announced (0 = unknown). */
  width = 0;
  height = 0;
  /** For a layer: its simulcast parent and index. */
  parent: Producer | null = null;
  layerIndex = 0;
  /** For a layer: the rid it carries, and when its last packet arrived (liveness). */
  rid = "";
  lastPacketMs = Number.NEGATIVE_INFINITY;
  /** RFC 6464 level smoother, set by the worker on audio producers of its transports (not on pipe copies). */
  audioLevel: AudioLevel | null = null;

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
    // Sized by time: 1 s of video (retransmissions later than that are useless), 500 ms of audio.
    this.cache = kind === "video" ? new PacketCache(2048, 1000) : new PacketCache(128, 500);
    this.stats = new ReceiveStats(codec.clockRate);
    this.codecId = videoCodecOf(codec.mimeType);
  }

  /** A decrypted RTP packet of the media stream. `packet` is ours to keep (cached by reference). */
  receiveRtp(packet: Buffer, nowMs: number): void {
    const seq = (packet[2]! << 8) | packet[3]!;
    const ts = packet.readUInt32BE(4);
    this.packetsReceived++;
    this.bytesReceived += packet.length;
    if (this.cache.has(seq, nowMs)) return; // duplicate (e.g. both original and RTX arrived)
    const missing = this.stats.update(seq, ts, nowMs);
    this.cache.store(seq, packet, nowMs);
    if (missing > 0 && missing <= MAX_NACK_GAP && this.kind === "video") this.nackGap(seq, missing);
    this.lastPacketMs = nowMs;
    const parent = this.parent;
    if (parent !== null) {
      if (parent.paused) return;
      const len = packet.length;
      parent.packetsReceived++;
      parent.bytesReceived += len;
      parent.bitrate!.onPacket(this.layerIndex, len, nowMs);
      const off = rtpHeaderLength(packet, len);
      const end = rtpPayloadEnd(packet, len);
      if (off < 0 || end < off) return;
      parent.pktPayloadOffset = off;
      parent.pktPayloadEnd = end;
      parent.pktKeyframe = isKeyframeStart(parent.codecId, packet, off, end);
      parent.pktNowMs = nowMs;
      const consumers = parent.consumers;
      const layer = this.layerIndex;
      for (let i = 0; i < consumers.length; i++) consumers[i]!.forward(packet, layer);
      return;
    }
    if (this.paused) return;
    if (this.audioLevel !== null) this.audioLevel.observePacket(packet);
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) consumers[i]!.forward(packet, 0);
  }

  /** Adds simulcast layer `rid` (its SSRC is learned from the first packet that carries the rid). */
  addLayer(rid: string, width: number, height: number, sink: ProducerSink): Producer {
    const layer = new Producer(`${this.id}#${this.layers.length}`, this.kind, this.mid, 0, null, this.codec, this.extensions, sink);
    layer.parent = this;
    layer.layerIndex = this.layers.length;
    layer.rid = rid;
    layer.width = width;
    layer.height = height;
    this.layers.push(layer);
    this.bitrate = new LayerBitrate({ layers: this.layers.length });
    return layer;
  }

  /** The producer that receives stream `layer` (this one without simulcast). */
  layer(index: number): Producer | undefined {
    return this.layers.length === 0 ? (index === 0 ? this : undefined) : this.layers[index];
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

  /** Asks the publisher for a keyframe of `layer` (-1: of every simulcast stream), throttled per stream. */
  requestKeyFrame(nowMs: number, layer = -1): void {
    if (this.layers.length > 0) {
      if (layer >= 0) this.layers[layer]?.requestKeyFrame(nowMs);
      else for (const l of this.layers) l.requestKeyFrame(nowMs);
      return;
    }
    if (this.kind !== "video" || nowMs - this.lastKeyframeRequestMs < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.lastKeyframeRequestMs = nowMs;
    this.sink.sendRtcpToPublisher("pli", this);
  }

  /** Periodic work (once a second): our receiver report to the publisher. */
  tick(): void {
    for (const l of this.layers) l.tick();
    if (this.stats.hasData) this.sink.sendRtcpToPublisher("rr", this);
  }

  addConsumer(c: ProducerSubscriber): void {
    this.consumers.push(c);
  }

  removeConsumer(c: ProducerSubscriber): void {
    const i = this.consumers.indexOf(c);
    if (i >= 0) this.consumers.splice(i, 1);
  }

  /** Closes the producer and, in cascade, its consumers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.consumers]) c.close();
    for (const l of this.layers) l.close();
    this.cache.clear();
  }
}
