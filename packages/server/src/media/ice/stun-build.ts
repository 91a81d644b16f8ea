// STUN message builders: Binding success/error responses for the ICE-lite server, and Binding
// requests for tests and test clients. Every message ends with FINGERPRINT: ICE (RFC 8445)
// requires it on connectivity checks so STUN can be told apart from media on a shared port.

import { randomBytes } from "node:crypto";
import { parseIpv4, parseIpv6 } from "./ip-text.js";
import {
  crc32,
  FINGERPRINT_XOR,
  integrityHmac,
  pad4,
  STUN_BINDING_ERROR,
  STUN_BINDING_REQUEST,
  STUN_BINDING_SUCCESS,
  STUN_HEADER_LENGTH,
  STUN_MAGIC_COOKIE,
  StunAttr,
} from "./stun-wire.js";

type Attr = [type: number, value: Uint8Array];

/**
 * Serialises header + attributes, then appends MESSAGE-INTEGRITY (if a key is given) and
 * FINGERPRINT, each computed with the length field as it stands at that point (§14.5, §14.7).
 * Padding bytes are zero (§14: "MUST be set to zero on sending").
 */
function buildMessage(type: number, tid: Uint8Array, attrs: Attr[], key?: Buffer): Buffer {
  if (tid.length !== 12) throw new RangeError("STUN transaction ID must be 12 bytes");
  let size = STUN_HEADER_LENGTH + (key ? 24 : 0) + 8;
  for (const [, value] of attrs) size += 4 + pad4(value.length);
  const out = Buffer.alloc(size);
  out.writeUInt16BE(type, 0);
  out.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  out.set(tid, 8);
  let o = STUN_HEADER_LENGTH;
  for (const [attrType, value] of attrs) {
    out.writeUInt16BE(attrType, o);
    out.writeUInt16BE(value.length, o + 2);
    out.set(value, o + 4);
    o += 4 + pad4(value.length);
  }
  if (key) {
    out.writeUInt16BE(StunAttr.MESSAGE_INTEGRITY, o);
    out.writeUInt16BE(20, o + 2);
    integrityHmac(out, o, key).copy(out, o + 4);
    o += 24;
  }
  out.writeUInt16BE(o + 8 - STUN_HEADER_LENGTH, 2);
  out.writeUInt16BE(StunAttr.FINGERPRINT, o);
  out.writeUInt16BE(4, o + 2);
  out.writeUInt32BE((crc32(out, 0, o) ^ FINGERPRINT_XOR) >>> 0, o + 4);
  return out;
}

export interface BindingSuccessOptions {
  transactionId: Uint8Array;
  address: string;
  port: number;
  family: 4 | 6;
  integrityKey: Buffer;
  /** Optional SOFTWARE attribute (placed first, as in RFC 5769 §2.2). */
  software?: string;
}

/** Binding success response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT. */
export function buildBindingSuccess(opts: BindingSuccessOptions): Buffer {
  const tid = opts.transactionId;
  const raw = opts.family === 4 ? parseIpv4(opts.address) : parseIpv6(opts.address);
  if (raw === null) throw new TypeError(`invalid IPv${opts.family} address: ${opts.address}`);
  const value = Buffer.alloc(4 + raw.length);
  value[1] = opts.family === 4 ? 0x01 : 0x02;
  value.writeUInt16BE((opts.port ^ (STUN_MAGIC_COOKIE >>> 16)) & 0xffff, 2);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(STUN_MAGIC_COOKIE, 0);
  mask.set(tid, 4);
  for (let i = 0; i < raw.length; i++) value[4 + i] = raw[i] ^ mask[i];
  const attrs: Attr[] = [];
  if (opts.software !== undefined) attrs.push([StunAttr.SOFTWARE, Buffer.from(opts.software)]);
  attrs.push([StunAttr.XOR_MAPPED_ADDRESS, value]);
  return buildMessage(STUN_BINDING_SUCCESS, tid, attrs, opts.integrityKey);
}

export interface BindingErrorOptions {
  transactionId: Uint8Array;
  /** 300..699, e.g. 400 Bad Request, 401 Unauthorized, 420 Unknown Attribute, 487 Role Conflict. */
  code: number;
  reason: string;
  /** Omit when the request could not be authenticated (400/401): RFC 8489 §9.1.3. */
  integrityKey?: Buffer;
  software?: string;
  /** For 420: the comprehension-required attributes that were not understood (§14.13). */
  unknownAttributes?: number[];
}

/** Binding error response with ERROR-CODE (§14.8), optional MESSAGE-INTEGRITY, FINGERPRINT. */
export function buildBindingError(opts: BindingErrorOptions): Buffer {
  const { code } = opts;
  if (!Number.isInteger(code) || code < 300 || code > 699) {
    throw new RangeError(`STUN error code out of range: ${code}`);
  }
  const reason = Buffer.from(opts.reason);
  const value = Buffer.alloc(4 + reason.length);
  value[2] = Math.floor(code / 100);
  value[3] = code % 100;
  reason.copy(value, 4);
  const attrs: Attr[] = [];
  if (opts.software !== undefined) attrs.push([StunAttr.SOFTWARE, Buffer.from(opts.software)]);
  attrs.push([StunAttr.ERROR_CODE, value]);
  if (opts.unknownAttributes?.length) {
    const list = Buffer.alloc(2 * opts.unknownAttributes.length);
    for (let i = 0; i < opts.unknownAttributes.length; i++) list.writeUInt16BE(opts.unknownAttributes[i], 2 * i);
    attrs.push([StunAttr.UNKNOWN_ATTRIBUTES, list]);
  }
  return buildMessage(STUN_BINDING_ERROR, opts.transactionId, attrs, opts.integrityKey);
}

export interface BindingRequestOptions {
  /** Random if omitted. */
  transactionId?: Uint8Array;
  /** "remoteUfrag:localUfrag" (RFC 8445 §7.2.2). */
  username: string;
  /** The remote peer's password. */
  integrityKey: Buffer;
  priority: number;
  useCandidate: boolean;
  iceControlling?: bigint;
  iceControlled?: bigint;
  software?: string;
}

/** Binding request as an ICE agent sends it (RFC 8445 §7.1); for tests and test clients. */
export function buildBindingRequest(opts: BindingRequestOptions): Buffer {
  const tid = opts.transactionId ?? randomBytes(12);
  const attrs: Attr[] = [];
  if (opts.software !== undefined) attrs.push([StunAttr.SOFTWARE, Buffer.from(opts.software)]);
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(opts.priority >>> 0, 0);
  attrs.push([StunAttr.PRIORITY, priority]);
  if (opts.iceControlled !== undefined) attrs.push([StunAttr.ICE_CONTROLLED, u64(opts.iceControlled)]);
  if (opts.iceControlling !== undefined) {
    attrs.push([StunAttr.ICE_CONTROLLING, u64(opts.iceControlling)]);
  }
  if (opts.useCandidate) attrs.push([StunAttr.USE_CANDIDATE, Buffer.alloc(0)]);
  attrs.push([StunAttr.USERNAME, Buffer.from(opts.username)]);
  return buildMessage(STUN_BINDING_REQUEST, tid, attrs, opts.integrityKey);
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v, 0);
  return b;
}
