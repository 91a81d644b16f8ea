// STUN codec for an ICE-lite server (RFC 8489, formerly RFC 5389; ICE attributes RFC 8445 §16.1).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |0 0|     STUN Message Type     |         Message Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         Magic Cookie                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     Transaction ID (96 bits)                  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Attribute Type                | Attribute Length (unpadded)   |
// | Value, padded to a multiple of 4 bytes ...                    |
//
// STUN is not per-media-packet traffic (a few checks per second per peer), so parsing
// returns an object; the payload is still never copied except for the decoded strings.

import { timingSafeEqual } from "node:crypto";
import { formatIpv6 } from "./ip-text.js";
import { crc32, FINGERPRINT_XOR, integrityHmac, pad4, STUN_HEADER_LENGTH, STUN_MAGIC_COOKIE, StunAttr, u16, u32 } from "./stun-wire.js";

// One import path for users: builders, constants and CRC-32 are re-exported from here.
export {
  type BindingErrorOptions,
  type BindingRequestOptions,
  type BindingSuccessOptions,
  buildBindingError,
  buildBindingRequest,
  buildBindingSuccess,
} from "./stun-build.js";
export {
  crc32,
  STUN_BINDING_ERROR,
  STUN_BINDING_INDICATION,
  STUN_BINDING_REQUEST,
  STUN_BINDING_SUCCESS,
  STUN_HEADER_LENGTH,
  STUN_MAGIC_COOKIE,
  StunAttr,
} from "./stun-wire.js";

export interface StunAddress {
  family: 4 | 6;
  address: string;
  port: number;
}

export interface StunMessage {
  /** 14-bit message type: method and class bits interleaved (e.g. 0x0001 Binding request). */
  type: number;
  /** Total message bytes (header + attributes). */
  length: number;
  /** View into the received buffer; copy it if the buffer is reused before replying. */
  transactionId: Buffer;
  username?: string;
  priority?: number;
  useCandidate: boolean;
  iceControlling?: bigint;
  iceControlled?: bigint;
  software?: string;
  /** ERROR-CODE as class*100 + number (e.g. 487). */
  errorCode?: number;
  xorMappedAddress?: StunAddress;
  /** Comprehension-required attributes (< 0x8000) we do not understand (RFC 8489 §6.3.1: answer 420). */
  unknownAttributes?: number[];
  hasIntegrity: boolean;
  hasFingerprint: boolean;
  /** Offset of the MESSAGE-INTEGRITY attribute header, -1 if absent. */
  integrityOffset: number;
  /** Offset of the FINGERPRINT attribute header, -1 if absent. */
  fingerprintOffset: number;
}

/** RFC 7983 demultiplexing: first byte 0..3, plus the magic cookie (RFC 8489 §5). */
export function isStun(buf: Uint8Array, len: number = buf.length): boolean {
  return len >= STUN_HEADER_LENGTH && buf[0] < 4 && u32(buf, 4) === STUN_MAGIC_COOKIE;
}

/**
 * Parses a STUN message from `buf[0, len)`. Returns null for anything malformed: bad
 * header, message length not a multiple of 4 or past `len`, attribute overrunning the
 * message, wrong fixed attribute sizes, or anything after FINGERPRINT (§14.7: it is last).
 * Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (§14.5).
 */
export function parseStun(buf: Buffer, len: number = buf.length): StunMessage | null {
  if (len > buf.length || !isStun(buf, len)) return null;
  const bodyLength = u16(buf, 2);
  const end = STUN_HEADER_LENGTH + bodyLength;
  if ((bodyLength & 3) !== 0 || end > len) return null;
  const msg: StunMessage = {
    type: u16(buf, 0),
    length: end,
    transactionId: buf.subarray(8, 20),
    useCandidate: false,
    hasIntegrity: false,
    hasFingerprint: false,
    integrityOffset: -1,
    fingerprintOffset: -1,
  };
  let o = STUN_HEADER_LENGTH;
  while (o < end) {
    if (o + 4 > end || msg.hasFingerprint) return null;
    const type = u16(buf, o);
    const alen = u16(buf, o + 2);
    const v = o + 4;
    const next = v + pad4(alen);
    if (next > end) return null;
    if (msg.hasIntegrity && type !== StunAttr.FINGERPRINT) {
      o = next;
      continue;
    }
    switch (type) {
      case StunAttr.USERNAME:
        if (alen > 513) return null; // §14.3: less than 513 bytes
        msg.username = buf.toString("utf8", v, v + alen);
        break;
      case StunAttr.PRIORITY:
        if (alen !== 4) return null;
        msg.priority = u32(buf, v);
        break;
      case StunAttr.USE_CANDIDATE:
        if (alen !== 0) return null;
        msg.useCandidate = true;
        break;
      case StunAttr.ICE_CONTROLLING:
      case StunAttr.ICE_CONTROLLED: {
        if (alen !== 8) return null;
        const tieBreaker = buf.readBigUInt64BE(v);
        if (type === StunAttr.ICE_CONTROLLING) msg.iceControlling = tieBreaker;
        else msg.iceControlled = tieBreaker;
        break;
      }
      case StunAttr.SOFTWARE:
        msg.software = buf.toString("utf8", v, v + alen);
        break;
      case StunAttr.ERROR_CODE:
        if (alen < 4) return null;
        msg.errorCode = (buf[v + 2] & 7) * 100 + buf[v + 3];
        break;
      case StunAttr.XOR_MAPPED_ADDRESS: {
        const addr = readXorAddress(buf, v, alen);
        if (addr === null) return null;
        msg.xorMappedAddress = addr;
        break;
      }
      case StunAttr.MESSAGE_INTEGRITY:
        if (alen !== 20) return null;
        msg.hasIntegrity = true;
        msg.integrityOffset = o;
        break;
      case StunAttr.FINGERPRINT:
        if (alen !== 4) return null;
        msg.hasFingerprint = true;
        msg.fingerprintOffset = o;
        break;
      default:
        if (type < 0x8000) {
          if (msg.unknownAttributes === undefined) msg.unknownAttributes = [];
          msg.unknownAttributes.push(type);
        }
    }
    o = next;
  }
  return msg;
}

/** XOR-MAPPED-ADDRESS value (RFC 8489 §14.2): port XOR top of cookie, address XOR cookie||tid. */
function readXorAddress(buf: Buffer, v: number, alen: number): StunAddress | null {
  const family = buf[v + 1];
  const port = u16(buf, v + 2) ^ (STUN_MAGIC_COOKIE >>> 16);
  if (family === 0x01 && alen === 8) {
    const a = u32(buf, v + 4) ^ STUN_MAGIC_COOKIE;
    const address = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    return { family: 4, address, port };
  }
  if (family === 0x02 && alen === 20) {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) {
      // bytes 4..19 of the header are cookie || transaction ID
      groups.push(u16(buf, v + 4 + i) ^ u16(buf, 4 + i));
    }
    return { family: 6, address: formatIpv6(groups), port };
  }
  return null;
}

/**
 * RFC 8489 §14.5: HMAC-SHA1 over the message up to (not including) MESSAGE-INTEGRITY, with
 * the header length field rewritten as if MESSAGE-INTEGRITY were the last attribute (so a
 * trailing FINGERPRINT is excluded). ICE signs a request and its response with the password
 * of the agent receiving the request (RFC 8445 §7.2.2): for our ICE-lite side, our local one.
 */
export function verifyMessageIntegrity(buf: Buffer, msg: StunMessage, key: Buffer): boolean {
  const io = msg.integrityOffset;
  if (!msg.hasIntegrity || io < STUN_HEADER_LENGTH || io + 24 > buf.length) return false;
  const expected = integrityHmac(buf, io, key);
  return timingSafeEqual(expected, buf.subarray(io + 4, io + 24));
}

/** RFC 8489 §14.7: CRC-32 of the message up to FINGERPRINT, XOR 0x5354554e. */
export function verifyFingerprint(buf: Buffer, msg: StunMessage): boolean {
  const fo = msg.fingerprintOffset;
  if (!msg.hasFingerprint || fo < STUN_HEADER_LENGTH || fo + 8 > buf.length) return false;
  return (crc32(buf, 0, fo) ^ FINGERPRINT_XOR) >>> 0 === u32(buf, fo + 4);
}
