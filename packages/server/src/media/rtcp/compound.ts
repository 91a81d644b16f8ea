// RTCP common header and compound-packet iteration (RFC 3550 §6.1, §6.4, appendix A.2).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P| RC/FMT  |      PT       |   length (32-bit words - 1)   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |              SSRC of sender (all types used here)             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// :            type-specific body ...           | padding | count |  if P
//
// A compound packet is RTCP packets back to back in one datagram; each header's length field
// frames the next. Conventions for every rtcp/ parser: `(buf, offset, length)` where `length`
// is the whole packet as framed by its header (padding included, as this iterator reports
// it); parsers strip padding themselves and return -1/false on anything malformed, never
// throwing. We do not insist on SR/RR first: RFC 5506 reduced-size RTCP (feedback alone) is
// what browsers send with rtcp-rsize.

import { read16, read32 } from "./bytes.js";

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;
/** Transport-layer feedback (RFC 4585 §6.2): FMT 1 generic NACK, 15 transport-wide CC. */
export const RTCP_RTPFB = 205;
/** Payload-specific feedback (RFC 4585 §6.3): FMT 1 PLI, 4 FIR, 15 application (REMB). */
export const RTCP_PSFB = 206;
export const RTCP_XR = 207;

export const RTCP_HEADER_LENGTH = 4;

/** Packet type (second byte) of the packet at `offset`. */
export function rtcpType(buf: Uint8Array, offset: number): number {
  return buf[offset + 1];
}

/** The 5-bit RC / SC / FMT field of the packet at `offset`. */
export function rtcpCount(buf: Uint8Array, offset: number): number {
  return buf[offset] & 0x1f;
}

/** SSRC of the packet's sender (bytes 4..7) for SR, RR, RTPFB, PSFB, APP, XR. */
export function rtcpSenderSsrc(buf: Uint8Array, offset: number): number {
  return read32(buf, offset + 4);
}

/**
 * Byte length of the packet starting at `offset` of `buf[0, len)`, from its length field;
 * -1 if the header is truncated, not version 2, or the packet overruns `len`.
 */
export function rtcpPacketLength(buf: Uint8Array, len: number, offset: number): number {
  if (offset < 0 || len > buf.length || offset + RTCP_HEADER_LENGTH > len) return -1;
  if ((buf[offset] & 0xc0) !== 0x80) return -1;
  const n = (read16(buf, offset + 2) + 1) * 4;
  return offset + n > len ? -1 : n;
}

/**
 * Checks that `[offset, offset + length)` is a well-framed packet of type `type` and returns
 * its length without padding (RFC 3550 §6.4.1: the last padding byte counts the padding,
 * itself included), or -1.
 */
export function rtcpBodyEnd(buf: Uint8Array, offset: number, length: number, type: number): number {
  if (offset < 0 || length < 4 || offset + length > buf.length) return -1;
  if ((buf[offset] & 0xc0) !== 0x80 || buf[offset + 1] !== type) return -1;
  if ((read16(buf, offset + 2) + 1) * 4 !== length) return -1;
  if ((buf[offset] & 0x20) === 0) return length;
  const pad = buf[offset + length - 1];
  return pad === 0 || pad > length - 4 ? -1 : length - pad;
}

/**
 * Walks the compound packet `buf[0, len)`, calling `cb(type, fmt, offset, length)` for each
 * packet (`fmt` is the RC/SC/FMT field). Returns the number of packets, or -1 as soon as one
 * is malformed or the packets do not exactly fill `len` (callbacks already made stand; use
 * validateRtcpCompound() first for all-or-nothing). Pass a long-lived function, not a
 * fresh closure per datagram, to keep the path allocation-free.
 */
export function forEachRtcpPacket(
  buf: Uint8Array,
  len: number,
  cb: (type: number, fmt: number, offset: number, length: number) => void,
): number {
  let count = 0;
  let o = 0;
  while (o < len) {
    const n = rtcpPacketLength(buf, len, o);
    if (n < 0) return -1;
    cb(buf[o + 1], buf[o] & 0x1f, o, n);
    o += n;
    count++;
  }
  return count === 0 ? -1 : count;
}

/** Number of packets if `buf[0, len)` is a well-framed compound packet, else -1. */
export function validateRtcpCompound(buf: Uint8Array, len: number): number {
  let count = 0;
  for (let o = 0; o < len; count++) {
    const n = rtcpPacketLength(buf, len, o);
    if (n < 0) return -1;
    o += n;
  }
  return count === 0 ? -1 : count;
}

/** Writes a common header; `length` is the full packet in bytes (a multiple of 4). */
export function writeRtcpHeader(out: Uint8Array, offset: number, type: number, countOrFmt: number, length: number): void {
  out[offset] = 0x80 | (countOrFmt & 0x1f);
  out[offset + 1] = type;
  const words = length / 4 - 1;
  out[offset + 2] = words >>> 8;
  out[offset + 3] = words;
}
