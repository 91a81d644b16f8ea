// RTCP BYE (RFC 3550 §6.6).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    SC   |   PT=BYE=203  |             length            |  0
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           SSRC/CSRC                           |  4  x SC
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// :     length    |               reason for leaving            ...    (optional, ignored)

import { read32, write32 } from "./bytes.js";
import { RTCP_BYE, rtcpBodyEnd, writeRtcpHeader } from "./compound.js";

/** Number of SSRCs leaving (0..31), or -1 if malformed. SSRC i: byeSsrc(buf, offset, i). */
export function byeSsrcCount(buf: Uint8Array, offset: number, length: number): number {
  const end = rtcpBodyEnd(buf, offset, length, RTCP_BYE);
  const sc = buf[offset] & 0x1f;
  return end < 4 + 4 * sc ? -1 : sc;
}

export function byeSsrc(buf: Uint8Array, offset: number, i: number): number {
  return read32(buf, offset + 4 + 4 * i);
}

/** BYE for up to 31 SSRCs, no reason. Returns bytes written, -1 if too many / no room. */
export function writeBye(out: Uint8Array, offset: number, ssrcs: ArrayLike<number>): number {
  const n = ssrcs.length;
  const length = 4 + 4 * n;
  if (n > 31 || offset < 0 || offset + length > out.length) return -1;
  writeRtcpHeader(out, offset, RTCP_BYE, n, length);
  for (let i = 0; i < n; i++) write32(out, offset + 4 + 4 * i, ssrcs[i]);
  return length;
}
