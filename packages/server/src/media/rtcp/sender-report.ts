// RTCP Sender Report (RFC 3550 §6.4.1).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    RC   |   PT=SR=200   |             length            |  0
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         SSRC of sender                        |  4
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |              NTP timestamp, most significant word             |  8
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |             NTP timestamp, least significant word             | 12
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         RTP timestamp                         | 16
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     sender's packet count                     | 20
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      sender's octet count                     | 24
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                 report blocks (24 bytes) x RC                 | 28  see receiver-report.ts
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                  profile-specific extensions                  |  (ignored)

import { read32, write32 } from "./bytes.js";
import { RTCP_SR, rtcpBodyEnd, writeRtcpHeader } from "./compound.js";
import { MAX_REPORT_BLOCKS, REPORT_BLOCK_LENGTH, type ReportBlock, writeReportBlock } from "./receiver-report.js";

export const SENDER_INFO_LENGTH = 28; // header + SSRC + sender info

/** Sender info of an SR; reuse one object per stream (parseSenderReport fills it). */
export interface SenderInfo {
  ssrc: number;
  ntpHigh: number;
  ntpLow: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

const NO_BLOCKS: readonly ReportBlock[] = [];

export function newSenderInfo(): SenderInfo {
  return { ssrc: 0, ntpHigh: 0, ntpLow: 0, rtpTimestamp: 0, packetCount: 0, octetCount: 0 };
}

/**
 * Validates the SR at `[offset, offset + length)`, fills `out` and returns the report count
 * (0..31), or -1 (out untouched). Block i is at srReportOffset(offset, i).
 */
export function parseSenderReport(buf: Uint8Array, offset: number, length: number, out: SenderInfo): number {
  const end = rtcpBodyEnd(buf, offset, length, RTCP_SR);
  const rc = buf[offset] & 0x1f;
  if (end < SENDER_INFO_LENGTH || end < SENDER_INFO_LENGTH + rc * REPORT_BLOCK_LENGTH) return -1;
  out.ssrc = read32(buf, offset + 4);
  out.ntpHigh = read32(buf, offset + 8);
  out.ntpLow = read32(buf, offset + 12);
  out.rtpTimestamp = read32(buf, offset + 16);
  out.packetCount = read32(buf, offset + 20);
  out.octetCount = read32(buf, offset + 24);
  return rc;
}

export function srReportOffset(offset: number, i: number): number {
  return offset + SENDER_INFO_LENGTH + i * REPORT_BLOCK_LENGTH;
}

/** Writes an SR with 0..31 report blocks; returns bytes written or -1 if too many / no room. */
export function writeSenderReport(out: Uint8Array, offset: number, info: SenderInfo, blocks: readonly ReportBlock[] = NO_BLOCKS): number {
  const n = blocks.length;
  const length = SENDER_INFO_LENGTH + n * REPORT_BLOCK_LENGTH;
  if (n > MAX_REPORT_BLOCKS || offset < 0 || offset + length > out.length) return -1;
  writeRtcpHeader(out, offset, RTCP_SR, n, length);
  write32(out, offset + 4, info.ssrc);
  write32(out, offset + 8, info.ntpHigh);
  write32(out, offset + 12, info.ntpLow);
  write32(out, offset + 16, info.rtpTimestamp);
  write32(out, offset + 20, info.packetCount);
  write32(out, offset + 24, info.octetCount);
  for (let i = 0; i < n; i++) writeReportBlock(out, srReportOffset(offset, i), blocks[i]);
  return length;
}
