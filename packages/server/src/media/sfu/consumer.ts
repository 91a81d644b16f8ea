import type { CodecParameters, ExtensionIdMap } from "../../media-channel/messages.js";
import { findExtension, rtpHeaderLength } from "../rtp/packet.js";
import type { Producer } from "./producer.js";

/** What a consumer needs from the transport it sends on. */
export interface ConsumerSink {
  sendRtp(packet: Buffer): void;
  readonly connected: boolean;
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
export class Consumer {
  private readonly extension: Buffer;
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
    const { block, audioLevelAt } = buildExtensionBlock(extensions, mid, producer.extensions.audioLevel !== 0);
    this.extension = block;
    this.audioLevelAt = audioLevelAt;
    this.sourceAudioLevelId = producer.extensions.audioLevel;
    this.cname = Buffer.from(cname, "utf8");
  }

  /** Forwards one producer packet (plaintext) to the subscriber. */
  forward(packet: Buffer): void {
    if (this.paused || !this.sink.connected) return;
    const out = this.rewrite(packet, this.codec.payloadType, this.ssrc, -1);
    if (!out) return;
    this.packetsSent++;
    this.octetsSent += out.length;
    this.sink.sendRtp(out);
  }

  /** Answers a subscriber NACK for our sequence number `seq` from the producer's cache. */
  retransmit(seq: number): boolean {
    const original = this.producer.cache.get((seq - this.seqOffset) & 0xffff);
    if (!original || !this.sink.connected) return false;
    const out =
      this.rtxSsrc !== null && this.codec.rtxPayloadType !== null
        ? this.rewrite(original, this.codec.rtxPayloadType, this.rtxSsrc, seq)
        : this.rewrite(original, this.codec.payloadType, this.ssrc, -1);
    if (!out) return false;
    this.sink.sendRtp(out);
    return true;
  }

  /**
   * Builds the outgoing packet. With `osn >= 0` it is an RTX packet (RFC 4588 §4):
   * own sequence space, payload prefixed by the original sequence number.
   */
  private rewrite(packet: Buffer, payloadType: number, ssrc: number, osn: number): Buffer | null {
    const len = packet.length;
    const headerLength = rtpHeaderLength(packet, len);
    if (headerLength < 0) return null;
    const ext = this.extension;
    const rtxExtra = osn >= 0 ? 2 : 0;
    const payloadLength = len - headerLength;
    const out = Buffer.allocUnsafe(12 + ext.length + rtxExtra + payloadLength);
    const hasPadding = (packet[0]! & 0x20) !== 0 && osn < 0;
    out[0] = 0x80 | (hasPadding ? 0x20 : 0) | (ext.length > 0 ? 0x10 : 0);
    out[1] = (packet[1]! & 0x80) | payloadType;
    const seq = osn >= 0 ? this.rtxSeq++ & 0xffff : (((packet[2]! << 8) | packet[3]!) + this.seqOffset) & 0xffff;
    out.writeUInt16BE(seq, 2);
    const ts = (packet.readUInt32BE(4) + this.tsOffset) >>> 0;
    out.writeUInt32BE(ts, 4);
    out.writeUInt32BE(ssrc, 8);
    if (ext.length > 0) {
      ext.copy(out, 12);
      if (this.audioLevelAt >= 0) {
        const at = findExtension(packet, len, this.sourceAudioLevelId);
        out[12 + this.audioLevelAt] = at >= 0 ? packet[at & 0xffff]! : 0x7f;
      }
    }
    let o = 12 + ext.length;
    if (osn >= 0) {
      out.writeUInt16BE(osn, o);
      o += 2;
    }
    if (osn >= 0 && (packet[0]! & 0x20) !== 0) {
      // RTX carries the original payload without its padding.
      const pad = packet[len - 1]!;
      if (pad === 0 || pad > payloadLength) return null; // malformed padding (RFC 3550 §5.1)
      packet.copy(out, o, headerLength, len - pad);
      return out.subarray(0, o + payloadLength - pad);
    }
    packet.copy(out, o, headerLength, len);
    if (osn < 0) this.lastRtpTimestamp = ts;
    return out;
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
function buildExtensionBlock(ids: ExtensionIdMap, mid: string, hasSourceLevel: boolean): { block: Buffer; audioLevelAt: number } {
  const elements: number[] = [];
  let audioLevelAt = -1;
  const midBytes = Buffer.from(mid, "ascii");
  if (ids.mid > 0 && ids.mid < 15 && midBytes.length >= 1 && midBytes.length <= 16) {
    elements.push((ids.mid << 4) | (midBytes.length - 1), ...midBytes);
  }
  if (ids.audioLevel > 0 && ids.audioLevel < 15 && hasSourceLevel) {
    elements.push(ids.audioLevel << 4);
    audioLevelAt = 4 + elements.length;
    elements.push(0x7f);
  }
  if (elements.length === 0) return { block: Buffer.alloc(0), audioLevelAt: -1 };
  const words = Math.ceil(elements.length / 4);
  const block = Buffer.alloc(4 + words * 4);
  block.writeUInt16BE(0xbede, 0);
  block.writeUInt16BE(words, 2);
  Buffer.from(elements).copy(block, 4);
  return { block, audioLevelAt };
}
