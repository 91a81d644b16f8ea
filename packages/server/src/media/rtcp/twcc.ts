// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1), RTPFB FMT=15: per transport-wide sequence number, received or not and when.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  FMT=15 |    PT=205     |           length              |  0
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     SSRC of packet sender                     |  4
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      SSRC of media source                     |  8
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      base sequence number     |      packet status count      | 12
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |        reference time (24 bits signed, x 64 ms)  | fb pkt. cnt | 16
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          packet chunk         |         packet chunk   ...      | 20
// |  recv delta   |  recv delta  ...                | padding | cnt |
//
// Packet chunks (§3.1.3, §3.1.4), 16 bits each:
//   run length:     |0| S (2) |        run length (13)        |
//   status vector:  |1|0| 14 one-bit symbols (0 not received, 1 received small delta)
//                   |1|1| 7 two-bit symbols
// Symbols: 0 not received, 1 received + 1-byte delta (unsigned), 2 received + 2-byte delta
// (signed), 3 reserved (malformed). Deltas are in 250 µs units, the first relative to the
// reference time, each next one relative to the previous received packet (§3.1.5).

import { read16, read24, write16, write24, write32 } from "./bytes.js";
import { RTCP_RTPFB, rtcpBodyEnd, writeRtcpHeader } from "./compound.js";
import { FMT_TWCC } from "./feedback.js";

export const TWCC_DELTA_US = 250;
export const TWCC_REFERENCE_TIME_US = 64000;
export const TWCC_NOT_RECEIVED = 0;
export const TWCC_SMALL_DELTA = 1;
export const TWCC_LARGE_DELTA = 2;

/** Fixed fields; reuse one object (parseTwcc fills it). */
export interface TwccInfo {
  baseSeq: number;
  statusCount: number;
  /** Signed, in units of 64 ms. */
  referenceTime: number;
  fbPktCount: number;
}

export function newTwccInfo(): TwccInfo {
  return { baseSeq: 0, statusCount: 0, referenceTime: 0, fbPktCount: 0 };
}

/**
 * Decodes a TWCC packet: `status[i]` gets the symbol (0..2) of sequence number baseSeq + i,
 * `deltas[i]` its receive delta in 250 µs units (0 when not received). Returns statusCount,
 * or -1 if malformed, a reserved symbol occurs, or the arrays are shorter than statusCount
 * (size them 65536 once to accept anything).
 */
export function parseTwcc(buf: Uint8Array, offset: number, length: number, info: TwccInfo, status: Uint8Array, deltas: Int16Array): number {
  const bodyEnd = rtcpBodyEnd(buf, offset, length, RTCP_RTPFB);
  if (bodyEnd < 20 || (buf[offset] & 0x1f) !== FMT_TWCC) return -1;
  const end = offset + bodyEnd;
  const count = read16(buf, offset + 14);
  if (count > status.length || count > deltas.length) return -1;
  let p = offset + 20;
  let i = 0;
  while (i < count) {
    if (p + 2 > end) return -1;
    const chunk = read16(buf, p);
    p += 2;
    if ((chunk & 0x8000) === 0) {
      const symbol = (chunk >>> 13) & 3;
      const stop = Math.min(count, i + (chunk & 0x1fff));
      while (i < stop) status[i++] = symbol;
    } else if ((chunk & 0x4000) === 0) {
      for (let k = 13; k >= 0 && i < count; k--) status[i++] = (chunk >>> k) & 1;
    } else {
      for (let k = 12; k >= 0 && i < count; k -= 2) status[i++] = (chunk >>> k) & 3;
    }
  }
  for (let j = 0; j < count; j++) {
    const s = status[j];
    if (s === TWCC_SMALL_DELTA) {
      if (p + 1 > end) return -1;
      deltas[j] = buf[p++];
    } else if (s === TWCC_LARGE_DELTA) {
      if (p + 2 > end) return -1;
      deltas[j] = read16(buf, p); // Int16Array reinterprets as signed
      p += 2;
    } else if (s === TWCC_NOT_RECEIVED) {
      deltas[j] = 0;
    } else {
      return -1;
    }
  }
  const ref = read24(buf, offset + 16);
  info.baseSeq = read16(buf, offset + 12);
  info.statusCount = count;
  info.referenceTime = ref & 0x800000 ? ref - 0x1000000 : ref;
  info.fbPktCount = buf[offset + 19];
  return count;
}

/**
 * Encodes TWCC feedback for `info.statusCount` packets from baseSeq. `status[i]` non-zero means
 * received; small or large delta is chosen from `deltas[i]` (250 µs units). Chunks: a run
 * length when the run is >= 14 or covers the rest, else a one-bit vector if the next 14 fit,
 * else a run of >= 7, else a two-bit vector. Padded to 32 bits with the P bit and a count byte,
 * as libwebrtc does. Returns bytes written, 0 for no packets, -1 if no room.
 */
export function writeTwcc(
  out: Uint8Array,
  offset: number,
  senderSsrc: number,
  mediaSsrc: number,
  info: TwccInfo,
  status: Uint8Array,
  deltas: Int16Array,
): number {
  const count = Math.min(info.statusCount, status.length, deltas.length, 0xffff);
  if (count <= 0) return 0;
  const cap = out.length;
  if (offset < 0 || offset + 20 > cap) return -1;
  let p = offset + 20;
  let i = 0;
  while (i < count) {
    const sym = symbolAt(status, deltas, i);
    let run = 1;
    while (i + run < count && run < 0x1fff && symbolAt(status, deltas, i + run) === sym) run++;
    const left = count - i;
    let chunk: number;
    if (run >= 14 || run === left) {
      chunk = (sym << 13) | run;
      i += run;
    } else if (fitsOneBit(status, deltas, i, Math.min(14, left))) {
      chunk = 0x8000;
      for (let k = 13; k >= 0 && i < count; k--) chunk |= symbolAt(status, deltas, i++) << k;
    } else if (run >= 7) {
      chunk = (sym << 13) | run;
      i += run;
    } else {
      chunk = 0xc000;
      for (let k = 12; k >= 0 && i < count; k -= 2) chunk |= symbolAt(status, deltas, i++) << k;
    }
    if (p + 2 > cap) return -1;
    write16(out, p, chunk);
    p += 2;
  }
  for (let j = 0; j < count; j++) {
    const sym = symbolAt(status, deltas, j);
    if (sym === TWCC_NOT_RECEIVED) continue;
    if (p + sym > cap) return -1;
    if (sym === TWCC_SMALL_DELTA) out[p++] = deltas[j];
    else {
      write16(out, p, deltas[j] & 0xffff);
      p += 2;
    }
  }
  const body = p - offset;
  const pad = (4 - (body & 3)) & 3;
  if (p + pad > cap) return -1;
  if (pad > 0) {
    out.fill(0, p, p + pad - 1);
    out[p + pad - 1] = pad;
  }
  const length = body + pad;
  writeRtcpHeader(out, offset, RTCP_RTPFB, FMT_TWCC, length);
  if (pad > 0) out[offset] |= 0x20;
  write32(out, offset + 4, senderSsrc);
  write32(out, offset + 8, mediaSsrc);
  write16(out, offset + 12, info.baseSeq);
  write16(out, offset + 14, count);
  write24(out, offset + 16, info.referenceTime & 0xffffff);
  out[offset + 19] = info.fbPktCount;
  return length;
}

function symbolAt(status: Uint8Array, deltas: Int16Array, i: number): number {
  if (status[i] === 0) return TWCC_NOT_RECEIVED;
  const d = deltas[i];
  return d >= 0 && d <= 255 ? TWCC_SMALL_DELTA : TWCC_LARGE_DELTA;
}

function fitsOneBit(status: Uint8Array, deltas: Int16Array, from: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (symbolAt(status, deltas, from + k) > 1) return false;
  return true;
}
