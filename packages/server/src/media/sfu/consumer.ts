import type { CodecParameters, ExtensionIdMap } from "../../media-channel/messages.js";
import type { TrackPriority } from "../bwe/allocator.js";
import { findExtension, rtpHeaderLength } from "../rtp/packet.js";
import type { Sheddable } from "./overload-guard.js";
import type { Producer } from "./producer.js";
import { videoCodecOf } from "./simulcast/codec-keyframe.js";
import { LayerSelector, layerForViewport, type SimulcastLayerState } from "./simulcast/layer-selector.js";
import { ForwardDecision, SimulcastForwarder } from "./simulcast/simulcast-forwarder.js";

let nextSerial = 0;

/** What a consumer needs from the transport it sends on. */
export interface ConsumerSink {
  readonly connected: boolean;
  /** Space for one plaintext RTP packet of `maxLength` bytes (plus the SRTP tag) at `rtpOffset`, or null (not connected). */
  beginRtp(maxLength: number): Buffer | null;
  readonly rtpOffset: number;
  /**
   * Protects the `length` bytes written at `rtpOffset` in place and sends them;
   * `twccOffset` (absolute, or -1) is where the transport-wide sequence number goes.
   */
  commitRtp(buf: Buffer, length: number, twccOffset: number): void;
}

/**
 * One forwarded stream toward one subscriber. Rewrites each packet of its
 * producer: our SSRC and payload type, sequence numbers and timestamps shifted
 * by per-consumer offsets (kept continuous when the source changes), and a
 * header-extension block of its own — the publisher's extensions (rid,
 * transport-cc seq, abs-send-time) are never leaked to subscribers.
 *
 *   out = [12-byte header | our one-byte extensions | publisher payload (+ padding)]
 */
export class Consumer implements Sheddable {
  private readonly extension: Buffer;
  /** Offset of the transport-cc sequence number inside `extension`, or -1. */
  private readonly twccAt: number;
  /** Offset of the audio-level byte inside `extension`, or -1. */
  private readonly audioLevelAt: number;
  private readonly sourceAudioLevelId: number;
  /** RTCP CNAME, pre-encoded for the SDES item of our sender reports. */
  readonly cname: Buffer;
  seqOffset = 0;
  tsOffset = 0;
  private rtxSeq = Math.floor(Math.random() * 0x8000);
  closed = false;
  packetsSent = 0;
  octetsSent = 0;
  lastRtpTimestamp = 0;
  paused = false;
  /** Not forwarded while the worker is overloaded (see OverloadGuard). */
  shed = false;
  /** Fraction lost in the subscriber's last receiver report for this stream (0..1). */
  reportedLoss = 0;
  readonly serial = nextSerial++;
  readonly kind: "audio" | "video";
  /** Simulcast: which layer to forward, chosen from the rendered size and the live layers. Null without simulcast. */
  readonly forwarder: SimulcastForwarder | null = null;
  private readonly selector = new LayerSelector();
  private readonly states: SimulcastLayerState[] = [];
  /** Adaptive stream (the subscriber's rendered size, device pixels; 0 = unknown) and visibility. */
  private viewWidth = 0;
  private viewHeight = 0;
  hidden = false;
  /** Bandwidth the allocator grants this stream (bps). */
  availableBps = Number.POSITIVE_INFINITY;
  /** Congestion control: the highest simulcast layer the subscriber's estimated bandwidth allows (-1 = none). */
  bandwidthLayer = Number.MAX_SAFE_INTEGER;
  /** Allocation priority of this stream (screen shares first). */
  priority: TrackPriority = "normal";
  /** Dynacast: the layer this subscriber would like (-1 = none), whether or not it is live. */
  desiredLayer = -1;
  private retransmitting = false;
  /** Simulcast: outgoing minus source RTP timestamp on the layer being forwarded (for sender reports). */
  private layerTsOffset = 0;
  /** Last outgoing sequence number of a forwarded (not retransmitted) packet. */
  private lastSeq = -1;
  /** After a pause, the next packet re-bases the sequence offset so the subscriber sees no gap. */
  private resync = false;
  /** Outgoing sequence number where the last re-base happened; NACKs for earlier packets are not answered. */
  private resyncAt = -1;

  constructor(
    readonly id: string,
    readonly producer: Producer,
    readonly mid: string,
    cname: string,
    readonly ssrc: number,
    readonly rtxSsrc: number | null,
    readonly codec: CodecParameters,
    extensions: ExtensionIdMap,
    private readonly sink: ConsumerSink,
    private readonly onClose: (c: Consumer) => void,
  ) {
    const { block, audioLevelAt, twccAt } = buildExtensionBlock(extensions, mid, producer.extensions.audioLevel !== 0);
    this.extension = block;
    this.twccAt = twccAt;
    this.audioLevelAt = audioLevelAt;
    this.sourceAudioLevelId = producer.extensions.audioLevel;
    this.cname = Buffer.from(cname, "utf8");
    this.kind = producer.kind;
    if (producer.layers.length > 0) {
      this.forwarder = new SimulcastForwarder({
        codec: videoCodecOf(codec.mimeType),
        clockRate: codec.clockRate,
        layers: producer.layers.length,
        requestKeyframe: (layer, nowMs) => producer.requestKeyFrame(nowMs, layer),
      });
      this.desiredLayer = producer.layers.length - 1;
    }
  }

  /** Forwarding resumes after the overload guard shed this stream (or it became visible): continue the sequence, ask for a keyframe. */
  restore(nowMs: number): void {
    this.resync = true;
    if (this.forwarder === null) this.producer.requestKeyFrame(nowMs);
    else this.updateLayer(nowMs);
  }

  /** Adaptive stream: the size the subscriber renders this stream at (device pixels; 0 = unknown), or not at all. */
  setPreferences(width: number, height: number, disabled: boolean, nowMs: number): void {
    const wasHidden = this.hidden;
    this.viewWidth = width;
    this.viewHeight = height;
    this.hidden = disabled;
    if (wasHidden && !disabled) this.restore(nowMs);
    else this.updateLayer(nowMs);
  }

  /** Forwards one producer packet (plaintext) of simulcast stream `layer` to the subscriber. */
  forward(packet: Buffer, layer: number): void {
    if (!this.sink.connected) return;
    const fw = this.forwarder;
    if (fw !== null) {
      // Pauses (shed, hidden, moderator) are the forwarder's target -1: it resumes on a keyframe without a gap.
      const p = this.producer;
      if (fw.onPacket(layer, packet, p.pktPayloadOffset, p.pktPayloadEnd, p.pktKeyframe, p.pktNowMs) === ForwardDecision.DROP) return;
      const n = this.emit(packet, this.codec.payloadType, this.ssrc, fw.outSequence, fw.outTimestamp, -1, fw);
      if (n < 0) return;
      this.lastSeq = fw.outSequence;
      this.layerTsOffset = (fw.outTimestamp - packet.readUInt32BE(4)) >>> 0;
      this.packetsSent++;
      this.octetsSent += n;
      return;
    }
    if (this.paused || this.shed || this.hidden || packet.length < 12) return;
    if (this.resync) this.rebase(packet);
    const seq = (((packet[2]! << 8) | packet[3]!) + this.seqOffset) & 0xffff;
    const n = this.emit(packet, this.codec.payloadType, this.ssrc, seq, (packet.readUInt32BE(4) + this.tsOffset) >>> 0, -1, null);
    if (n < 0) return;
    this.lastSeq = seq;
    this.packetsSent++;
    this.octetsSent += n;
  }

  /**
   * Simulcast: re-chooses the layer from the rendered size, the layers that are
   * live and the subscription's limits (called every 250 ms and on changes).
   */
  updateLayer(nowMs: number): void {
    const fw = this.forwarder;
    if (fw === null) return;
    const states = this.layerStates(nowMs);
    const top = states.length - 1;
    const maxLayer = this.paused || this.shed || this.hidden ? -1 : Math.min(top, this.bandwidthLayer);
    this.selector.select(
      {
        layers: states,
        viewportWidth: this.viewWidth,
        viewportHeight: this.viewHeight,
        devicePixelRatio: 1,
        availableBps: this.availableBps,
        maxLayer,
        nowMs,
      },
      fw.currentLayer,
    );
    fw.setTargetLayer(this.selector.targetLayer, nowMs);
    fw.tick(nowMs);
    // Dynacast and the allocator want the layer the subscriber would like (size and pauses, not
    // bandwidth or liveness), so the publisher keeps encoding it and probing can reach it.
    const visible = !(this.paused || this.shed || this.hidden);
    this.desiredLayer = visible ? layerForViewport(states, this.viewWidth, this.viewHeight, 1, 0.15, "contain") : -1;
  }

  private layerStates(nowMs: number): SimulcastLayerState[] {
    const p = this.producer;
    const states = this.states;
    for (let i = 0; i < p.layers.length; i++) {
      const l = p.layers[i]!;
      let st = states[i];
      if (st === undefined) {
        st = { width: 0, height: 0, bitrateBps: 0, live: false };
        states[i] = st;
      }
      st.width = l.width;
      st.height = l.height;
      st.bitrateBps = p.bitrate!.bitrate(i, nowMs);
      st.live = p.bitrate!.isLive(i, nowMs);
    }
    states.length = p.layers.length;
    return states;
  }

  private rebase(packet: Buffer): void {
    this.resync = false;
    if (this.lastSeq < 0) return;
    const next = (this.lastSeq + 1) & 0xffff;
    this.seqOffset = (next - ((packet[2]! << 8) | packet[3]!)) & 0xffff;
    this.resyncAt = next;
  }

  /** The subscriber needs a keyframe: of the simulcast layer it gets (or is about to), else of the stream. */
  requestKeyFrame(nowMs: number): void {
    const fw = this.forwarder;
    if (fw === null) this.producer.requestKeyFrame(nowMs);
    else {
      const layer = fw.currentLayer >= 0 ? fw.currentLayer : fw.targetLayer;
      if (layer >= 0) this.producer.requestKeyFrame(nowMs, layer);
    }
  }

  /**
   * What our sender reports derive their RTP time from: the receive statistics
   * (last SR of the publisher) of the stream forwarded now, and the offset from
   * its timestamps to ours. Null while nothing is forwarded.
   */
  reportSource(): { stats: Producer["stats"]; tsOffset: number } | null {
    const fw = this.forwarder;
    if (fw === null) return { stats: this.producer.stats, tsOffset: this.tsOffset };
    const layer = fw.currentLayer >= 0 ? this.producer.layers[fw.currentLayer] : undefined;
    return layer ? { stats: layer.stats, tsOffset: this.layerTsOffset } : null;
  }

  /** Whether this stream can carry bandwidth probes (padding-only RTX packets). */
  get canPad(): boolean {
    return this.rtxSsrc !== null && this.codec.rtxPayloadType !== null && this.packetsSent > 0 && this.sink.connected;
  }

  /** One padding-only RTX packet (RFC 4588 with the P bit, RFC 3550 §5.1): a probe the decoder never sees. */
  sendPadding(padding: number): boolean {
    if (!this.canPad || padding < 1 || padding > 255) return false;
    const ext = this.extension;
    const length = 12 + ext.length + padding;
    const sink = this.sink;
    const out = sink.beginRtp(length);
    if (out === null) return false;
    const at = sink.rtpOffset;
    out[at] = 0xa0 | (ext.length > 0 ? 0x10 : 0);
    out[at + 1] = this.codec.rtxPayloadType!;
    out.writeUInt16BE(this.rtxSeq++ & 0xffff, at + 2);
    out.writeUInt32BE(this.lastRtpTimestamp, at + 4);
    out.writeUInt32BE(this.rtxSsrc!, at + 8);
    if (ext.length > 0) ext.copy(out, at + 12);
    out.fill(0, at + 12 + ext.length, at + length - 1);
    out[at + length - 1] = padding;
    sink.commitRtp(out, length, this.twccAt >= 0 ? at + 12 + this.twccAt : -1);
    return true;
  }

  /** Answers a subscriber NACK for our sequence number `seq` from the producer's cache. */
  retransmit(seq: number, nowMs: number): boolean {
    if (!this.sink.connected) return false;
    this.retransmitting = true;
    try {
      return this.retransmitUnguarded(seq, nowMs);
    } finally {
      this.retransmitting = false;
    }
  }

  private retransmitUnguarded(seq: number, nowMs: number): boolean {
    let original: Buffer | null | undefined;
    let ts: number;
    const fw = this.forwarder;
    if (fw !== null) {
      if (!fw.prepareRetransmission(seq)) return false;
      const m = fw.munger;
      original = this.producer.layer(m.lookupLayer)?.cache.get(m.lookupSequence, nowMs);
      if (!original) return false;
      ts = (original.readUInt32BE(4) + m.lookupTimestampOffset) >>> 0;
    } else {
      // Sequence numbers before the last re-base map to other source packets now.
      if (this.resyncAt >= 0 && ((this.resyncAt - seq) & 0xffff) > 0 && ((this.resyncAt - seq) & 0xffff) < 0x8000) return false;
      original = this.producer.cache.get((seq - this.seqOffset) & 0xffff, nowMs);
      if (!original) return false;
      ts = (original.readUInt32BE(4) + this.tsOffset) >>> 0;
    }
    const rtx = this.rtxSsrc !== null && this.codec.rtxPayloadType !== null;
    const n = rtx
      ? this.emit(original, this.codec.rtxPayloadType!, this.rtxSsrc!, this.rtxSeq++ & 0xffff, ts, seq, fw)
      : this.emit(original, this.codec.payloadType, this.ssrc, seq, ts, -1, fw);
    return n >= 0;
  }

  /**
   * Writes the outgoing packet straight into the sink's send buffer (no copy of
   * our own), then has it protected and sent; returns its plaintext length, or -1.
   * With `osn >= 0` it is an RTX packet (RFC 4588 §4): own sequence space,
   * payload prefixed by the original sequence number, padding removed.
   * With a simulcast forwarder, VP8 picture ids are rewritten in the copy (a
   * retransmission when `osn >= 0` or `seq` is not the forwarder's last).
   */
  private emit(
    packet: Buffer,
    payloadType: number,
    ssrc: number,
    seq: number,
    ts: number,
    osn: number,
    fw: SimulcastForwarder | null,
  ): number {
    const len = packet.length;
    const headerLength = rtpHeaderLength(packet, len);
    if (headerLength < 0) return -1;
    const ext = this.extension;
    let payloadEnd = len;
    let padded = (packet[0]! & 0x20) !== 0;
    if (osn >= 0 && padded) {
      // RTX carries the original payload without its padding.
      const pad = packet[len - 1]!;
      if (pad === 0 || pad > len - headerLength) return -1; // malformed padding (RFC 3550 §5.1)
      payloadEnd = len - pad;
      padded = false;
    }
    const payloadStart = 12 + ext.length + (osn >= 0 ? 2 : 0);
    const length = payloadStart + payloadEnd - headerLength;
    const sink = this.sink;
    const out = sink.beginRtp(length);
    if (out === null) return -1;
    const at = sink.rtpOffset;
    out[at] = 0x80 | (padded ? 0x20 : 0) | (ext.length > 0 ? 0x10 : 0);
    out[at + 1] = (packet[1]! & 0x80) | payloadType;
    out.writeUInt16BE(seq, at + 2);
    out.writeUInt32BE(ts, at + 4);
    out.writeUInt32BE(ssrc, at + 8);
    if (ext.length > 0) {
      ext.copy(out, at + 12);
      if (this.audioLevelAt >= 0) {
        const e = findExtension(packet, len, this.sourceAudioLevelId);
        out[at + 12 + this.audioLevelAt] = e >= 0 ? packet[e & 0xffff]! : 0x7f;
      }
    }
    if (osn >= 0) out.writeUInt16BE(osn, at + 12 + ext.length);
    packet.copy(out, at + payloadStart, headerLength, payloadEnd);
    if (fw !== null) {
      if (osn < 0 && seq === fw.outSequence && !this.retransmitting) fw.rewritePayload(out, at + payloadStart);
      else if (!fw.rewriteRetransmissionPayload(out, at + payloadStart, at + length)) return -1;
    }
    if (osn < 0 && !this.retransmitting) this.lastRtpTimestamp = ts;
    sink.commitRtp(out, length, this.twccAt >= 0 ? at + 12 + this.twccAt : -1);
    return length;
  }

  /** Closes the consumer; the producer forgets it. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.producer.removeConsumer(this);
    this.onClose(this);
  }
}

/**
 * Our header extensions for this subscriber (RFC 8285 one-byte form):
 * mid (so BUNDLE demux works without SSRC signalling) and, for audio, the level.
 */
function buildExtensionBlock(
  ids: ExtensionIdMap,
  mid: string,
  hasSourceLevel: boolean,
): { block: Buffer; audioLevelAt: number; twccAt: number } {
  const elements: number[] = [];
  let audioLevelAt = -1;
  let twccAt = -1;
  const midBytes = Buffer.from(mid, "ascii");
  if (ids.mid > 0 && ids.mid < 15 && midBytes.length >= 1 && midBytes.length <= 16) {
    elements.push((ids.mid << 4) | (midBytes.length - 1), ...midBytes);
  }
  if (ids.audioLevel > 0 && ids.audioLevel < 15 && hasSourceLevel) {
    elements.push(ids.audioLevel << 4);
    audioLevelAt = 4 + elements.length;
    elements.push(0x7f);
  }
  if (ids.transportCc > 0 && ids.transportCc < 15) {
    // The transport writes its transport-wide sequence number here when it sends the packet.
    elements.push((ids.transportCc << 4) | 1);
    twccAt = 4 + elements.length;
    elements.push(0, 0);
  }
  if (elements.length === 0) return { block: Buffer.alloc(0), audioLevelAt: -1, twccAt: -1 };
  const words = Math.ceil(elements.length / 4);
  const block = Buffer.alloc(4 + words * 4);
  block.writeUInt16BE(0xbede, 0);
  block.writeUInt16BE(words, 2);
  Buffer.from(elements).copy(block, 4);
  return { block, audioLevelAt, twccAt };
}
