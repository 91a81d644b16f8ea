// RTCP Receiver Report (RFC 3550 §6.4.2) and the report block shared with SR (§6.4.1).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    RC   |   PT=RR=201   |             length            |  0
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     SSRC of packet sender                     |  4
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                 SSRC_1 (SSRC of first source)                 |  8  report block
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     (24 bytes) x RC
// | fraction lost |       cumulative number of packets lost       | 12  (24-bit signed)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           extended highest sequence number received           | 16
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      interarrival jitter                      | 20
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         last SR (LSR)                         | 24  compact NTP
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                   delay since last SR (DLSR)                  | 28  1/65536 s
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                  profile-specific extensions                  |  (ignored)

import { read24, read32, write24, write32 } from "./bytes.js";
import { RTCP_RR, rtcpBodyEnd, writeRtcpHeader } from "./compound.js";

export const REPORT_BLOCK_LENGTH = 24;
/** RC is 5 bits (§6.4.1): at most 31 blocks per SR/RR. */
export const MAX_REPORT_BLOCKS = 31;

/** A report block; reuse one object per stream (readReportBlock fills it in place). */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, in 1/256 (0..255). */
  fractionLost: number;
  /** Cumulative packets lost, 24-bit signed (negative with duplicates, §6.4.1). */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the last SR's NTP time (compactNtp), 0 if none received. */
  lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  delaySinceLastSr: number;
}

export function newReportBlock(): ReportBlock {
  return {
    ssrc: 0,
    fractionLost: 0,
    cumulativeLost: 0,
    extendedHighestSeq: 0,
    jitter: 0,
    lastSr: 0,
    delaySinceLastSr: 0,
  };
}

/** Reads the 24-byte block at `o` into `out` (no validation: use the packet parsers first). */
export function readReportBlock(buf: Uint8Array, o: number, out: ReportBlock): ReportBlock {
  out.ssrc = read32(buf, o);
  out.fractionLost = buf[o + 4];
  const lost = read24(buf, o + 5);
  out.cumulativeLost = lost & 0x800000 ? lost - 0x1000000 : lost;
  out.extendedHighestSeq = read32(buf, o + 8);
  out.jitter = read32(buf, o + 12);
  out.lastSr = read32(buf, o + 16);
  out.delaySinceLastSr = read32(buf, o + 20);
  return out;
}

/** Writes a block; cumulative loss is clamped to the 24-bit signed range. Returns 24. */
export function writeReportBlock(out: Uint8Array, o: number, rb: ReportBlock): number {
  write32(out, o, rb.ssrc);
  out[o + 4] = rb.fractionLost;
  const lost = Math.max(-0x800000, Math.min(0x7fffff, rb.cumulativeLost));
  write24(out, o + 5, lost & 0xffffff);
  write32(out, o + 8, rb.extendedHighestSeq);
  write32(out, o + 12, rb.jitter);
  write32(out, o + 16, rb.lastSr);
  write32(out, o + 20, rb.delaySinceLastSr);
  return REPORT_BLOCK_LENGTH;
}

/**
 * Validates the RR at `[offset, offset + length)` and returns its report count (0..31), or
 * -1. Sender SSRC: rtcpSenderSsrc(); block i is at rrReportOffset(offset, i).
 */
export function parseReceiverReport(buf: Uint8Array, offset: number, length: number): number {
  const end = rtcpBodyEnd(buf, offset, length, RTCP_RR);
  const rc = buf[offset] & 0x1f;
  return end < 8 || end < 8 + rc * REPORT_BLOCK_LENGTH ? -1 : rc;
}

export function rrReportOffset(offset: number, i: number): number {
  return offset + 8 + i * REPORT_BLOCK_LENGTH;
}

/** Writes an RR with 0..31 blocks; returns bytes written or -1 if too many / no room. */
export function writeReceiverReport(out: Uint8Array, offset: number, senderSsrc: number, blocks: readonly ReportBlock[]): number {
  const n = blocks.length;
  const length = 8 + n * REPORT_BLOCK_LENGTH;
  if (n > MAX_REPORT_BLOCKS || offset < 0 || offset + length > out.length) return -1;
  writeRtcpHeader(out, offset, RTCP_RR, n, length);
  write32(out, offset + 4, senderSsrc);
  for (let i = 0; i < n; i++) writeReportBlock(out, rrReportOffset(offset, i), blocks[i]);
  return length;
}
