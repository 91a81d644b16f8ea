// RTP packetization of the test clip: VP8 (RFC 7741) and Opus (RFC 7587).
//
// VP8 payload descriptor as we write it (4 bytes, RFC 7741 §4.2):
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID |   X=1, S=1 on the first packet of a frame, PID=0
//       +-+-+-+-+-+-+-+-+
//       |I|L|T|K| RSV   |   I=1: a picture id follows
//       +-+-+-+-+-+-+-+-+
//       |M| PictureID   |   M=1: 15-bit picture id
//       +-+-+-+-+-+-+-+-+
//       |   PictureID   |
//       +-+-+-+-+-+-+-+-+
// Opus: one 20 ms Opus packet is the whole RTP payload; the timestamp advances by 960.

import { writeOneByteExtensions } from "../media/rtp/packet.js";

/** Largest RTP packet we build before SRTP (what libwebrtc uses on a typical path). */
export const MAX_RTP_PACKET = 1200;
export const VP8_DESCRIPTOR_LENGTH = 4;

export const PT_OPUS = 111;
export const PT_VP8 = 96;
export const PT_RTX = 97;
/** Header extension ids we offer (the ones Chrome uses). */
export const EXT_AUDIO_LEVEL = 1;
export const EXT_MID = 4;
/** RFC 8852 rtp-stream-id and repaired-rtp-stream-id (simulcast), Chrome's ids. */
export const EXT_RID = 10;
export const EXT_REPAIRED_RID = 11;

export interface HeaderOptions {
  mid: string;
  /** Add an RFC 6464 audio level (voice, -40 dBov). */
  audioLevel: boolean;
  /** Simulcast: the RFC 8852 rid this stream carries, right after the mid (see ridElementOffset). */
  rid?: string;
}

/**
 * RTP header (12 bytes) plus our one-byte extension block (RFC 8285 §4.2): mid, then
 * the rid for a simulcast stream, or an audio level for Opus. libwebrtc stops sending
 * mid/rid once the SFU has acknowledged them; we send them on every packet (allowed,
 * and what it does until then). Returns the header as a reusable template; the caller
 * patches marker, sequence number and timestamp per packet.
 */
export function headerTemplate(payloadType: number, ssrc: number, o: HeaderOptions): Buffer {
  const items = [{ id: EXT_MID, data: Buffer.from(o.mid, "ascii") }];
  if (o.rid !== undefined) items.push({ id: EXT_RID, data: Buffer.from(o.rid, "ascii") });
  if (o.audioLevel) items.push({ id: EXT_AUDIO_LEVEL, data: Buffer.from([0x80 | 40]) });
  const scratch = Buffer.alloc(12 + 64);
  scratch[0] = 0x90; // V=2, X=1
  scratch[1] = payloadType & 0x7f;
  scratch.writeUInt32BE(ssrc >>> 0, 8);
  const n = writeOneByteExtensions(scratch, 12, items);
  if (n <= 0) throw new Error("header extension block does not fit");
  return Buffer.from(scratch.subarray(0, 12 + n));
}

/** Offset of the rid element's ID/length byte in a headerTemplate with a rid: 12-byte header, 0xBEDE + length, the mid element. */
export function ridElementOffset(mid: string): number {
  return 12 + 4 + 1 + mid.length;
}

/** Builds one RTP packet from a header template and payload pieces. */
export function buildRtp(template: Buffer, marker: boolean, seq: number, ts: number, pieces: readonly Buffer[]): Buffer {
  let length = template.length;
  for (const p of pieces) length += p.length;
  const out = Buffer.allocUnsafe(length);
  template.copy(out, 0);
  out[1] = (template[1] & 0x7f) | (marker ? 0x80 : 0);
  out.writeUInt16BE(seq & 0xffff, 2);
  out.writeUInt32BE(ts >>> 0, 4);
  let o = template.length;
  for (const p of pieces) {
    p.copy(out, o);
    o += p.length;
  }
  return out;
}

/** Splits a VP8 frame into payloads of nearly equal size (as libwebrtc does), each behind a descriptor. */
export function vp8Payloads(frame: Buffer, pictureId: number, maxPayload: number): { descriptor: Buffer; data: Buffer }[] {
  const room = maxPayload - VP8_DESCRIPTOR_LENGTH;
  const n = Math.max(1, Math.ceil(frame.length / room));
  const size = Math.ceil(frame.length / n);
  const out: { descriptor: Buffer; data: Buffer }[] = [];
  for (let i = 0, o = 0; i < n; i++, o += size) {
    const d = Buffer.allocUnsafe(VP8_DESCRIPTOR_LENGTH);
    d[0] = 0x80 | (i === 0 ? 0x10 : 0);
    d[1] = 0x80;
    d[2] = 0x80 | ((pictureId >>> 8) & 0x7f);
    d[3] = pictureId & 0xff;
    out.push({ descriptor: d, data: frame.subarray(o, Math.min(o + size, frame.length)) });
  }
  return out;
}

/**
 * Reads the VP8 payload descriptor at `o` (RFC 7741 §4.2). Returns the descriptor
 * length, or -1 if truncated. Fills `out` with the start-of-partition flag,
 * partition index, picture id (-1 if absent) and, on the first packet of a frame,
 * whether the frame is a keyframe (VP8 payload header P bit = 0, §4.3).
 */
export function readVp8Descriptor(buf: Uint8Array, o: number, end: number, out: Vp8Info): number {
  if (o >= end) return -1;
  const b0 = buf[o];
  let n = 1;
  out.pictureId = -1;
  if (b0 & 0x80) {
    if (o + n >= end) return -1;
    const b1 = buf[o + n++];
    if (b1 & 0x80) {
      if (o + n >= end) return -1;
      if (buf[o + n] & 0x80) {
        if (o + n + 1 >= end) return -1;
        out.pictureId = ((buf[o + n] & 0x7f) << 8) | buf[o + n + 1];
        n += 2;
      } else {
        out.pictureId = buf[o + n] & 0x7f;
        n += 1;
      }
    }
    if (b1 & 0x40) n++; // TL0PICIDX
    if (b1 & 0x30) n++; // TID / KEYIDX
  }
  if (o + n > end) return -1;
  out.frameStart = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  out.keyframe = out.frameStart && o + n < end && (buf[o + n] & 0x01) === 0;
  return n;
}

export interface Vp8Info {
  frameStart: boolean;
  keyframe: boolean;
  pictureId: number;
}

export function newVp8Info(): Vp8Info {
  return { frameStart: false, keyframe: false, pictureId: -1 };
}
