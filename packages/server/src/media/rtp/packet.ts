// RTP packet views (RFC 3550 §5.1) with RFC 8285 header extensions and RFC 4588 RTX.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|X|  CC   |M|     PT      |       sequence number         |  0
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           timestamp                           |  4
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           synchronization source (SSRC) identifier            |  8
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |            contributing source (CSRC) identifiers x CC        | 12
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |  profile (0xBEDE | 0x100X)    |  length (32-bit words)        |  if X
// |  extension elements, padded to 32 bits ...                    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  payload ...                  | padding ...   | pad count     |  if P
//
// One-byte element (0xBEDE):  |ID(4)|L(4)| data (L+1 bytes)           RFC 8285 §4.2
// Two-byte element (0x100X):  |  ID (8)  |  L (8)  | data (L bytes)   RFC 8285 §4.3
//
// Hot path: everything reads/writes bytes at offsets of the caller's buffer, allocates
// nothing and never throws. Packets are assumed to start at offset 0 of `buf`; `len` is
// the datagram length (the buffer may be a larger pooled one). Getters do not validate:
// call rtpHeaderLength() once per packet first. Out-of-range reads yield 0, writes are no-ops.

export const RTP_HEADER_LENGTH = 12;
export const ONE_BYTE_PROFILE = 0xbede;

/** RFC 7983 demultiplexing: first byte 128..191 is RTP or RTCP (after DTLS/SRTP). */
export function isRtpOrRtcp(firstByte: number): boolean {
  return firstByte >= 128 && firstByte <= 191;
}

/** RFC 5761 §4: with RTP/RTCP mux, a second byte of 192..223 is an RTCP packet type. */
export function isRtcpPacketType(secondByte: number): boolean {
  return secondByte >= 192 && secondByte <= 223;
}

/** Total header bytes (fixed + CSRCs + extension block), or -1 if malformed or truncated. */
export function rtpHeaderLength(buf: Uint8Array, len: number): number {
  if (len < RTP_HEADER_LENGTH || len > buf.length) return -1;
  const b0 = buf[0];
  if ((b0 & 0xc0) !== 0x80) return -1; // version 2 only
  let h = RTP_HEADER_LENGTH + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (h + 4 > len) return -1;
    h += 4 + ((buf[h + 2] << 8) | buf[h + 3]) * 4;
  }
  return h > len ? -1 : h;
}

/**
 * End of the payload: `len` minus the padding announced by the last byte when P is set
 * (RFC 3550 §5.1). -1 if the header is malformed or the padding count is 0 or overlaps it.
 */
export function rtpPayloadEnd(buf: Uint8Array, len: number): number {
  const h = rtpHeaderLength(buf, len);
  if (h < 0) return -1;
  if ((buf[0] & 0x20) === 0) return len;
  const pad = buf[len - 1];
  return pad === 0 || len - pad < h ? -1 : len - pad;
}

// --- fixed header fields ---------------------------------------------------------------------

export function readCsrcCount(buf: Uint8Array): number {
  return buf[0] & 0x0f;
}
export function hasPadding(buf: Uint8Array): boolean {
  return (buf[0] & 0x20) !== 0;
}
export function hasExtension(buf: Uint8Array): boolean {
  return (buf[0] & 0x10) !== 0;
}
/** Sets or clears the X bit of the header at `offset` (after appending an extension block). */
export function writeExtensionFlag(buf: Uint8Array, offset: number, on: boolean): void {
  buf[offset] = on ? buf[offset] | 0x10 : buf[offset] & ~0x10;
}
export function readMarker(buf: Uint8Array): boolean {
  return (buf[1] & 0x80) !== 0;
}
export function writeMarker(buf: Uint8Array, marker: boolean): void {
  buf[1] = marker ? buf[1] | 0x80 : buf[1] & 0x7f;
}
export function readPayloadType(buf: Uint8Array): number {
  return buf[1] & 0x7f;
}
/** Rewrites PT, keeping the marker bit. */
export function writePayloadType(buf: Uint8Array, pt: number): void {
  buf[1] = (buf[1] & 0x80) | (pt & 0x7f);
}
export function readSequence(buf: Uint8Array): number {
  return (buf[2] << 8) | buf[3];
}
export function writeSequence(buf: Uint8Array, seq: number): void {
  buf[2] = seq >>> 8;
  buf[3] = seq; // Uint8Array stores the value modulo 256
}
export function readTimestamp(buf: Uint8Array): number {
  return ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0;
}
export function writeTimestamp(buf: Uint8Array, ts: number): void {
  write32(buf, 4, ts);
}
export function readSsrc(buf: Uint8Array): number {
  return ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0;
}
export function writeSsrc(buf: Uint8Array, ssrc: number): void {
  write32(buf, 8, ssrc);
}

function write32(buf: Uint8Array, o: number, v: number): void {
  buf[o] = v >>> 24;
  buf[o + 1] = v >>> 16;
  buf[o + 2] = v >>> 8;
  buf[o + 3] = v;
}

export interface RtpHeaderFields {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
}

/**
 * Writes a 12-byte header (V=2, no padding, no extension, no CSRC) at `offset`.
 * Returns 12, or -1 if it does not fit. Reuse one fields object per stream.
 */
export function writeRtpHeader(out: Uint8Array, offset: number, h: RtpHeaderFields): number {
  if (offset < 0 || offset + RTP_HEADER_LENGTH > out.length) return -1;
  out[offset] = 0x80;
  out[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  out[offset + 2] = h.sequence >>> 8;
  out[offset + 3] = h.sequence;
  write32(out, offset + 4, h.timestamp);
  write32(out, offset + 8, h.ssrc);
  return RTP_HEADER_LENGTH;
}

// --- header extensions (RFC 8285) -------------------------------------------------------------

/** Packed result of findExtension(): data offset in the low 16 bits, data length above. */
export function extensionOffset(packed: number): number {
  return packed & 0xffff;
}
export function extensionLength(packed: number): number {
  return packed >>> 16;
}

/**
 * Finds element `id` in the header extension block. Returns `length << 16 | dataOffset`
 * (see extensionOffset/extensionLength), or -1 if absent or the block is malformed.
 * One-byte form: IDs 1..14; a 0x00 byte is padding; ID 15, or ID 0 with a non-zero length,
 * ends parsing (RFC 8285 §4.2, as libwebrtc does). Two-byte form: IDs 1..255, 0 is padding.
 */
export function findExtension(buf: Uint8Array, len: number, id: number): number {
  if (len > buf.length || len < RTP_HEADER_LENGTH) return -1;
  const b0 = buf[0];
  if ((b0 & 0xd0) !== 0x90) return -1; // V=2 with X set
  const start = RTP_HEADER_LENGTH + (b0 & 0x0f) * 4;
  if (start + 4 > len) return -1;
  const profile = (buf[start] << 8) | buf[start + 1];
  let o = start + 4;
  const end = o + ((buf[start + 2] << 8) | buf[start + 3]) * 4;
  if (end > len || end > 0xffff) return -1;
  if (profile === ONE_BYTE_PROFILE) {
    if (id < 1 || id > 14) return -1;
    while (o < end) {
      const b = buf[o];
      if (b === 0) {
        o++;
        continue;
      }
      const eid = b >> 4;
      if (eid === 0 || eid === 15) return -1;
      const l = (b & 0x0f) + 1;
      if (o + 1 + l > end) return -1;
      if (eid === id) return l * 0x10000 + o + 1;
      o += 1 + l;
    }
  } else if ((profile & 0xfff0) === 0x1000) {
    if (id < 1 || id > 255) return -1;
    while (o < end) {
      const eid = buf[o];
      if (eid === 0) {
        o++;
        continue;
      }
      if (o + 2 > end) return -1;
      const l = buf[o + 1];
      if (o + 2 + l > end) return -1;
      if (eid === id) return l * 0x10000 + o + 2;
      o += 2 + l;
    }
  }
  return -1;
}

/**
 * RFC 6464 audio level: -1 if absent, else the raw byte: `& 0x7f` is the level in -dBov
 * (0 loudest, 127 silence), `& 0x80` the voice-activity flag.
 */
export function readAudioLevel(buf: Uint8Array, len: number, extId: number): number {
  const p = findExtension(buf, len, extId);
  return p < 0 || p >>> 16 < 1 ? -1 : buf[p & 0xffff];
}

/** `data` verbatim (1..16 bytes), or `value` big-endian in `size` bytes (1..4, default 1). */
export interface OneByteExtension {
  id: number;
  data?: Uint8Array;
  value?: number;
  size?: number;
}

/**
 * Writes a one-byte-form extension block (0xBEDE, length, elements, zero padding to 32 bits)
 * at `offset`; the caller sets the X bit (writeExtensionFlag). Returns bytes written, 0 for no
 * items, -1 for an invalid item or if it does not fit.
 */
export function writeOneByteExtensions(out: Uint8Array, offset: number, items: readonly OneByteExtension[]): number {
  if (items.length === 0) return 0;
  let body = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const l = it.data !== undefined ? it.data.length : (it.size ?? 1);
    if (it.id < 1 || it.id > 14 || l < 1 || l > 16 || (it.data === undefined && l > 4)) return -1;
    body += 1 + l;
  }
  const padded = (body + 3) & ~3;
  if (offset < 0 || offset + 4 + padded > out.length) return -1;
  out[offset] = 0xbe;
  out[offset + 1] = 0xde;
  out[offset + 2] = padded >>> 10;
  out[offset + 3] = padded >>> 2;
  let o = offset + 4;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.data !== undefined) {
      out[o++] = (it.id << 4) | (it.data.length - 1);
      out.set(it.data, o);
      o += it.data.length;
    } else {
      const size = it.size ?? 1;
      const v = it.value ?? 0;
      out[o++] = (it.id << 4) | (size - 1);
      for (let k = size - 1; k >= 0; k--) out[o++] = v >>> (8 * k);
    }
  }
  out.fill(0, o, offset + 4 + padded);
  return 4 + padded;
}

// --- RTX (RFC 4588 §4) -----------------------------------------------------------------------
//
// RTX payload = original sequence number (OSN, 16 bits) followed by the original payload.
// The RTX packet carries its own SSRC, PT and sequence number; header extensions are its own.

/**
 * OSN of an RTX packet, or -1 if malformed or it carries no OSN (padding-only RTX packets,
 * which browsers send as bandwidth probes).
 */
export function readRtxOsn(buf: Uint8Array, len: number): number {
  const h = rtpHeaderLength(buf, len);
  const end = rtpPayloadEnd(buf, len);
  if (h < 0 || end - h < 2) return -1;
  return (buf[h] << 8) | buf[h + 1];
}

/**
 * Turns an RTX packet into the original packet without copying the payload: the header is
 * moved 2 bytes forward over the OSN, then PT/SSRC/sequence are restored. Returns the new
 * start offset (2; the packet is `buf.subarray(2, len)`), or -1 (buffer left untouched).
 */
export function rtxUnwrapInPlace(buf: Uint8Array, len: number, payloadType: number, ssrc: number): number {
  const osn = readRtxOsn(buf, len);
  if (osn < 0) return -1;
  buf.copyWithin(2, 0, rtpHeaderLength(buf, len));
  restamp(buf, 2, payloadType, osn, ssrc);
  return 2;
}

/**
 * Builds an RTX packet from the original packet `src[0, len)` into `out` at `offset`: same
 * header (extensions included), RTX PT/SSRC/sequence, OSN, then the original payload and
 * padding. Returns bytes written (len + 2), or -1 if malformed or it does not fit.
 */
export function writeRtxPacket(
  out: Uint8Array,
  offset: number,
  src: Uint8Array,
  len: number,
  rtxPayloadType: number,
  rtxSsrc: number,
  rtxSequence: number,
): number {
  const h = rtpHeaderLength(src, len);
  if (h < 0 || offset < 0 || offset + len + 2 > out.length) return -1;
  out.set(src.subarray(0, h), offset);
  out[offset + h] = src[2]; // OSN = original sequence number
  out[offset + h + 1] = src[3];
  out.set(src.subarray(h, len), offset + h + 2);
  restamp(out, offset, rtxPayloadType, rtxSequence, rtxSsrc);
  return len + 2;
}

/** PT (keeping M), sequence and SSRC of the header at `o`; avoids a subarray per packet. */
function restamp(buf: Uint8Array, o: number, pt: number, seq: number, ssrc: number): void {
  buf[o + 1] = (buf[o + 1] & 0x80) | (pt & 0x7f);
  buf[o + 2] = seq >>> 8;
  buf[o + 3] = seq;
  write32(buf, o + 8, ssrc);
}
