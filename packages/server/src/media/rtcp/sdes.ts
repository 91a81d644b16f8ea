// RTCP Source Description with a CNAME item (RFC 3550 §6.5, §6.5.1). RFC 3550 §6.1 wants an
// SDES CNAME in every compound packet, so an SR goes out as SR + SDES, as browsers send it.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    SC   |  PT=SDES=202  |             length            |  0
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                          SSRC/CSRC_1                          |  4  chunk 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    CNAME=1    |     length    | user and domain name        ...  8
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | ... END=0 (one or more null octets, to the next 32-bit boundary)|
//
// Parsing SDES is not needed by the SFU: the compound iterator skips it by length.

import { write32 } from "./bytes.js";
import { RTCP_SDES, writeRtcpHeader } from "./compound.js";

export const SDES_CNAME = 1;

/** Bytes writeSdesCname() will produce for a CNAME of `cnameBytes` bytes. */
export function sdesCnameLength(cnameBytes: number): number {
  // header 4 + SSRC 4 + item header 2 + text, then at least one null octet, 32-bit aligned
  return 4 + ((4 + 2 + cnameBytes + 1 + 3) & ~3);
}

/**
 * SDES with one chunk holding a CNAME item. Pass the CNAME pre-encoded (it is constant per
 * stream) to avoid encoding per report. Returns bytes written, -1 if over 255 bytes or no room.
 */
export function writeSdesCname(out: Uint8Array, offset: number, ssrc: number, cname: Uint8Array | string): number {
  const text = typeof cname === "string" ? Buffer.from(cname) : cname;
  if (text.length > 255) return -1;
  const length = sdesCnameLength(text.length);
  if (offset < 0 || offset + length > out.length) return -1;
  writeRtcpHeader(out, offset, RTCP_SDES, 1, length);
  write32(out, offset + 4, ssrc);
  out[offset + 8] = SDES_CNAME;
  out[offset + 9] = text.length;
  out.set(text, offset + 10);
  out.fill(0, offset + 10 + text.length, offset + length);
  return length;
}
