// VP8 RTP payload descriptor (RFC 7741 §4.2), parsed as a view and rewritten in place.
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID | (REQUIRED)
//       +-+-+-+-+-+-+-+-+
//  X:   |I|L|T|K| RSV   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PictureID   | (OPTIONAL)  M=1: PictureID is 15 bits and
//       +-+-+-+-+-+-+-+-+                  continues in the next byte
//       |   PictureID   | (if M)
//       +-+-+-+-+-+-+-+-+
//  L:   |   TL0PICIDX   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//
// Offsets stored in the descriptor are relative to the start of the payload, so the same
// descriptor can be applied to a copy of the payload at another offset (the consumer's
// outgoing buffer) without parsing it again.

/** One parsed descriptor; reuse one instance per stream (no allocation per packet). */
export class Vp8Descriptor {
  /** Descriptor length in bytes (the VP8 payload header follows). */
  length = 0;
  nonReference = false;
  /** S: first packet of a partition. */
  partitionStart = false;
  partitionId = 0;
  /** PictureID, 7 or 15 bits; -1 if absent. */
  pictureId = -1;
  /** 7 or 15; 0 if absent. Rewrites keep the width of the incoming packet. */
  pictureIdBits = 0;
  /** Payload-relative offset of the first PictureID byte (the one holding M), or -1. */
  pictureIdAt = -1;
  /** TL0PICIDX, or -1 if absent. */
  tl0PicIdx = -1;
  tl0PicIdxAt = -1;
  /** Temporal layer id (TID), or -1 if T=0. */
  temporalId = -1;
  /** Y: layer sync bit. */
  layerSync = false;
  /** KEYIDX (5 bits), or -1 if K=0. */
  keyIdx = -1;
  /** Payload-relative offset of the TID/Y/KEYIDX byte, or -1. */
  tidKeyIdxAt = -1;
  /** Key frame: partition 0 start with P=0 in the VP8 payload header (RFC 7741 §4.3). */
  keyframe = false;
}

/**
 * Parses the descriptor at `buf[offset, end)` into `out`. Returns false (and leaves `out`
 * in an unspecified state) if it is truncated.
 */
export function parseVp8Descriptor(buf: Uint8Array, offset: number, end: number, out: Vp8Descriptor): boolean {
  if (end > buf.length || offset >= end) return false;
  const b0 = buf[offset];
  out.nonReference = (b0 & 0x20) !== 0;
  out.partitionStart = (b0 & 0x10) !== 0;
  out.partitionId = b0 & 0x07;
  out.pictureId = -1;
  out.pictureIdBits = 0;
  out.pictureIdAt = -1;
  out.tl0PicIdx = -1;
  out.tl0PicIdxAt = -1;
  out.temporalId = -1;
  out.layerSync = false;
  out.keyIdx = -1;
  out.tidKeyIdxAt = -1;
  let o = offset + 1;
  if (b0 & 0x80) {
    if (o >= end) return false;
    const x = buf[o++];
    if (x & 0x80) {
      if (o >= end) return false;
      out.pictureIdAt = o - offset;
      if (buf[o] & 0x80) {
        if (o + 1 >= end) return false;
        out.pictureId = ((buf[o] & 0x7f) << 8) | buf[o + 1];
        out.pictureIdBits = 15;
        o += 2;
      } else {
        out.pictureId = buf[o] & 0x7f;
        out.pictureIdBits = 7;
        o += 1;
      }
    }
    if (x & 0x40) {
      if (o >= end) return false;
      out.tl0PicIdxAt = o - offset;
      out.tl0PicIdx = buf[o++];
    }
    if (x & 0x30) {
      if (o >= end) return false;
      const b = buf[o];
      out.tidKeyIdxAt = o - offset;
      if (x & 0x20) {
        out.temporalId = b >> 6;
        out.layerSync = (b & 0x20) !== 0;
      }
      if (x & 0x10) out.keyIdx = b & 0x1f;
      o++;
    }
  }
  out.length = o - offset;
  out.keyframe = out.partitionStart && out.partitionId === 0 && o < end && (buf[o] & 0x01) === 0;
  return true;
}

/**
 * Writes `pictureId` (taken modulo 2^bits) at payload-relative `at`, keeping the width (M bit)
 * the packet already has: 7-bit |0|id| or 15-bit |1|id hi|id lo|.
 */
export function writeVp8PictureId(buf: Uint8Array, payloadOffset: number, at: number, bits: number, pictureId: number): void {
  const o = payloadOffset + at;
  if (bits === 15) {
    buf[o] = 0x80 | ((pictureId >> 8) & 0x7f);
    buf[o + 1] = pictureId & 0xff;
  } else {
    buf[o] = pictureId & 0x7f;
  }
}

/** Writes TL0PICIDX (modulo 256) at payload-relative `at`. */
export function writeVp8Tl0PicIdx(buf: Uint8Array, payloadOffset: number, at: number, tl0PicIdx: number): void {
  buf[payloadOffset + at] = tl0PicIdx & 0xff;
}

/** Writes KEYIDX (modulo 32) into the TID/Y/KEYIDX byte, keeping TID and Y. */
export function writeVp8KeyIdx(buf: Uint8Array, payloadOffset: number, at: number, keyIdx: number): void {
  const o = payloadOffset + at;
  buf[o] = (buf[o] & 0xe0) | (keyIdx & 0x1f);
}

/**
 * Coded size of a VP8 key frame (RFC 6386 §9.1): after the 3-byte frame tag come the start
 * code 9d 01 2a, then 16-bit little-endian width and height (low 14 bits; the top 2 are
 * scaling). `vp8Offset` is where the VP8 payload starts (payload offset + descriptor length).
 * Returns `width << 16 | height`, or -1 if this is not the start of a key frame.
 * Lets the SFU learn each simulcast layer's resolution without signalling.
 */
export function readVp8KeyframeSize(buf: Uint8Array, vp8Offset: number, end: number): number {
  const o = vp8Offset;
  if (end > buf.length || o + 10 > end || (buf[o] & 0x01) !== 0) return -1;
  if (buf[o + 3] !== 0x9d || buf[o + 4] !== 0x01 || buf[o + 5] !== 0x2a) return -1;
  const width = (buf[o + 6] | (buf[o + 7] << 8)) & 0x3fff;
  const height = (buf[o + 8] | (buf[o + 9] << 8)) & 0x3fff;
  return width * 0x10000 + height;
}
