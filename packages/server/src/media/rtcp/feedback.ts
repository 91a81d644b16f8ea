// RTCP feedback messages: PLI, generic NACK (RFC 4585), FIR (RFC 5104), REMB
// (draft-alvestrand-rmcat-remb-03).
//
// Common feedback header (RFC 4585 §6.1):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|   FMT   |       PT      |          length               |  0
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of packet sender                        |  4
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of media source                         |  8
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// :            Feedback Control Information (FCI)                 : 12
//
// PLI   PT=206 FMT=1   no FCI (RFC 4585 §6.3.1)
// NACK  PT=205 FMT=1   FCI items (RFC 4585 §6.2.1): lost PID, plus bit i of BLP => PID+i+1
//       |            PID                |             BLP               |
// FIR   PT=206 FMT=4   media source SSRC 0; FCI entries (RFC 5104 §4.3.1.1):
//       |                              SSRC                             |
//       | Seq nr.       |    Reserved (0)                               |
// REMB  PT=206 FMT=15  media source SSRC 0; FCI (remb-03 §2.2), bitrate = mantissa * 2^exp:
//       |  'R' 'E' 'M' 'B'                                              |
//       |  Num SSRC     | BR Exp    |  BR Mantissa (18 bits)            |
//       |   SSRC feedback  x Num SSRC                                   |

import { read16, read32, write16, write32 } from "./bytes.js";
import { RTCP_PSFB, RTCP_RTPFB, rtcpBodyEnd, writeRtcpHeader } from "./compound.js";

export const FMT_NACK = 1;
export const FMT_TWCC = 15;
export const FMT_PLI = 1;
export const FMT_FIR = 4;
export const FMT_APP = 15;

const FB_HEADER_LENGTH = 12;
const REMB_ID = 0x52454d42; // 'REMB'

/** SSRC of the media source a feedback packet is about (bytes 8..11). */
export function fbMediaSsrc(buf: Uint8Array, offset: number): number {
  return read32(buf, offset + 8);
}

/** Payload end (padding removed) of a feedback packet of `type`/`fmt`, or -1. */
function fbEnd(buf: Uint8Array, offset: number, length: number, type: number, fmt: number): number {
  const end = rtcpBodyEnd(buf, offset, length, type);
  return end < FB_HEADER_LENGTH || (buf[offset] & 0x1f) !== fmt ? -1 : end;
}

function writeFbHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  fmt: number,
  length: number,
  senderSsrc: number,
  mediaSsrc: number,
): void {
  writeRtcpHeader(out, offset, type, fmt, length);
  write32(out, offset + 4, senderSsrc);
  write32(out, offset + 8, mediaSsrc);
}

// --- PLI ---------------------------------------------------------------------------------------

export function isPli(buf: Uint8Array, offset: number, length: number): boolean {
  return fbEnd(buf, offset, length, RTCP_PSFB, FMT_PLI) >= 0;
}

/** Returns 12, or -1 if it does not fit. */
export function writePli(out: Uint8Array, offset: number, senderSsrc: number, mediaSsrc: number): number {
  if (offset < 0 || offset + 12 > out.length) return -1;
  writeFbHeader(out, offset, RTCP_PSFB, FMT_PLI, 12, senderSsrc, mediaSsrc);
  return 12;
}

// --- FIR ---------------------------------------------------------------------------------------

/** Number of FIR entries (>= 1), or -1 if not a well-formed FIR. */
export function firEntryCount(buf: Uint8Array, offset: number, length: number): number {
  const end = fbEnd(buf, offset, length, RTCP_PSFB, FMT_FIR);
  if (end < FB_HEADER_LENGTH + 8 || (end - FB_HEADER_LENGTH) % 8 !== 0) return -1;
  return (end - FB_HEADER_LENGTH) / 8;
}
export function firEntrySsrc(buf: Uint8Array, offset: number, i: number): number {
  return read32(buf, offset + FB_HEADER_LENGTH + 8 * i);
}
export function firEntrySeq(buf: Uint8Array, offset: number, i: number): number {
  return buf[offset + FB_HEADER_LENGTH + 8 * i + 4];
}

/**
 * FIR for one media sender `ssrc`; `seqNr` (0..255) must increase per new request and stay the
 * same on repetitions (RFC 5104 §4.3.1.2). Returns 20, or -1 if it does not fit.
 */
export function writeFir(out: Uint8Array, offset: number, senderSsrc: number, ssrc: number, seqNr: number): number {
  if (offset < 0 || offset + 20 > out.length) return -1;
  writeFbHeader(out, offset, RTCP_PSFB, FMT_FIR, 20, senderSsrc, 0);
  write32(out, offset + 12, ssrc);
  write32(out, offset + 16, (seqNr & 0xff) * 0x1000000); // seq nr, then 24 reserved zero bits
  return 20;
}

// --- generic NACK ------------------------------------------------------------------------------

/**
 * Expands the NACK's PID/BLP items into lost sequence numbers in `out` and returns how many
 * were written, or -1 if not a well-formed generic NACK. Stops silently when `out` is full:
 * size it for the worst case, 17 per item (a 1500-byte packet has < 372 items: 8192 is ample).
 */
export function readNack(buf: Uint8Array, offset: number, length: number, out: Uint16Array): number {
  const end = fbEnd(buf, offset, length, RTCP_RTPFB, FMT_NACK);
  if (end < FB_HEADER_LENGTH + 4) return -1;
  const cap = out.length;
  let n = 0;
  for (let o = offset + FB_HEADER_LENGTH; o + 4 <= offset + end && n < cap; o += 4) {
    const pid = read16(buf, o);
    const blp = read16(buf, o + 2);
    out[n++] = pid;
    for (let bit = 0; bit < 16 && n < cap; bit++) {
      if (blp & (1 << bit)) out[n++] = pid + bit + 1; // Uint16Array wraps at 65536
    }
  }
  return n;
}

/**
 * NACK for `seqs[0, count)`, sorted in RTP order (wrap-around allowed, e.g. 65535, 0, 1).
 * A number within 1..16 after the current PID sets a BLP bit; anything else starts a new
 * item; duplicates are skipped. Returns bytes written, 0 for an empty list, -1 if no room.
 */
export function writeNack(
  out: Uint8Array,
  offset: number,
  senderSsrc: number,
  mediaSsrc: number,
  seqs: ArrayLike<number>,
  count: number = seqs.length,
): number {
  const total = Math.min(count, seqs.length);
  if (total <= 0) return 0;
  if (offset < 0) return -1;
  let o = offset + FB_HEADER_LENGTH;
  let pid = seqs[0] & 0xffff;
  let blp = 0;
  for (let i = 1; i <= total; i++) {
    const s = i < total ? seqs[i] & 0xffff : -1;
    const d = (s - pid) & 0xffff;
    if (s >= 0 && d === 0) continue;
    if (s >= 0 && d <= 16) {
      blp |= 1 << (d - 1);
      continue;
    }
    if (o + 4 > out.length) return -1;
    write16(out, o, pid);
    write16(out, o + 2, blp);
    o += 4;
    pid = s;
    blp = 0;
  }
  writeFbHeader(out, offset, RTCP_RTPFB, FMT_NACK, o - offset, senderSsrc, mediaSsrc);
  return o - offset;
}

// --- REMB --------------------------------------------------------------------------------------

/** Bitrate in bps of a REMB, or -1 if the packet is not a well-formed REMB. */
export function readRembBitrate(buf: Uint8Array, offset: number, length: number): number {
  if (rembSsrcEnd(buf, offset, length) < 0) return -1;
  const exp = buf[offset + 17] >>> 2;
  const mantissa = ((buf[offset + 17] & 3) << 16) | read16(buf, offset + 18);
  return mantissa * 2 ** exp;
}

/** Copies the REMB's SSRCs into `out` (up to its length); returns the count or -1. */
export function readRembSsrcs(buf: Uint8Array, offset: number, length: number, out: Uint32Array): number {
  const end = rembSsrcEnd(buf, offset, length);
  if (end < 0) return -1;
  let n = 0;
  for (let o = offset + 20; o < end && n < out.length; o += 4) out[n++] = read32(buf, o);
  return n;
}

/** Offset just past the SSRC list, after checking type, FMT, 'REMB' and the SSRC count. */
function rembSsrcEnd(buf: Uint8Array, offset: number, length: number): number {
  const end = fbEnd(buf, offset, length, RTCP_PSFB, FMT_APP);
  if (end < 20 || read32(buf, offset + 12) !== REMB_ID) return -1;
  const stop = offset + 20 + 4 * buf[offset + 16];
  return stop > offset + end ? -1 : stop;
}

/**
 * REMB announcing `bitrate` bps for `ssrcs`. The mantissa is rounded down, as libwebrtc
 * does, so the announced rate never exceeds the estimate. Returns bytes or -1 if no room.
 */
export function writeRemb(out: Uint8Array, offset: number, senderSsrc: number, bitrate: number, ssrcs: ArrayLike<number>): number {
  const n = Math.min(ssrcs.length, 255);
  const length = 20 + 4 * n;
  if (offset < 0 || offset + length > out.length) return -1;
  let exp = 0;
  let mantissa = bitrate > 0 ? Math.floor(bitrate) : 0;
  while (mantissa > 0x3ffff && exp < 63) {
    exp++;
    mantissa = Math.floor(bitrate / 2 ** exp);
  }
  if (mantissa > 0x3ffff) mantissa = 0x3ffff; // beyond 2^81 bps: saturate
  writeFbHeader(out, offset, RTCP_PSFB, FMT_APP, length, senderSsrc, 0);
  write32(out, offset + 12, REMB_ID);
  out[offset + 16] = n;
  out[offset + 17] = (exp << 2) | (mantissa >>> 16);
  write16(out, offset + 18, mantissa & 0xffff);
  for (let i = 0; i < n; i++) write32(out, offset + 20 + 4 * i, ssrcs[i]);
  return length;
}
