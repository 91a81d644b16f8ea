// STUN wire constants and the two checksums, shared by the parser (stun.ts) and the builders
// (stun-build.ts). RFC 8489 (formerly RFC 5389).

import { createHmac } from "node:crypto";

export const STUN_HEADER_LENGTH = 20;
export const STUN_MAGIC_COOKIE = 0x2112a442;
/** Message types (method | class bits), RFC 8489 §5 and §18.2. */
export const STUN_BINDING_REQUEST = 0x0001;
export const STUN_BINDING_INDICATION = 0x0011;
export const STUN_BINDING_SUCCESS = 0x0101;
export const STUN_BINDING_ERROR = 0x0111;

export const StunAttr = {
  MAPPED_ADDRESS: 0x0001,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  XOR_MAPPED_ADDRESS: 0x0020,
  PRIORITY: 0x0024,
  USE_CANDIDATE: 0x0025,
  SOFTWARE: 0x8022,
  FINGERPRINT: 0x8028,
  ICE_CONTROLLED: 0x8029,
  ICE_CONTROLLING: 0x802a,
} as const;

/** RFC 8489 §14.7: FINGERPRINT is the CRC-32 XORed with this constant ("STUN"). */
export const FINGERPRINT_XOR = 0x5354554e;

export const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
export const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
export const pad4 = (n: number): number => (n + 3) & ~3;

// --- CRC-32 (ISO-HDLC / zlib polynomial, reflected), table-driven -------------------------

const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

/** CRC-32 as used by FINGERPRINT (RFC 8489 §14.7 refers to ITU V.42 / ISO 3309). */
export function crc32(buf: Uint8Array, start = 0, end: number = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * RFC 8489 §14.5: HMAC-SHA1 over the message before MESSAGE-INTEGRITY at `io`, with the header
 * length field taken as if MESSAGE-INTEGRITY were the last attribute.
 */
export function integrityHmac(buf: Buffer, io: number, key: Buffer): Buffer {
  const lengthField = Buffer.allocUnsafe(2);
  lengthField.writeUInt16BE(io + 24 - STUN_HEADER_LENGTH, 0);
  return createHmac("sha1", key).update(buf.subarray(0, 2)).update(lengthField).update(buf.subarray(4, io)).digest();
}
