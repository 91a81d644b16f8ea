import { createCipheriv, createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { SessionKeys } from "./kdf.js";
import { RTCP_FIXED_HEADER } from "./rtp-header.js";
import { checkRegion, SRTCP_E_FLAG, type SrtpTransform } from "./transform.js";

/** n_tag for the _80 profile: HMAC-SHA1 truncated to 80 bits (RFC 3711 §5.2, RFC 5764 §4.1.2). */
export const AES_CM_TAG_LENGTH = 10;
const SRTCP_INDEX_LENGTH = 4;

/** Constant-time compare of the first `length` bytes of `mac` with `packet[offset..]`. */
function tagMatches(mac: Buffer, packet: Buffer, offset: number, length: number): boolean {
  let diff = 0;
  for (let i = 0; i < length; i++) diff |= mac[i] ^ packet[offset + i];
  return diff === 0;
}

/** AES_CM_128_HMAC_SHA1_80: AES-128 counter mode plus HMAC-SHA1-80 (RFC 3711 §4.1.1, §4.2.1). */
export class AesCmTransform implements SrtpTransform {
  readonly rtpOverhead = AES_CM_TAG_LENGTH;
  readonly rtcpOverhead = AES_CM_TAG_LENGTH + SRTCP_INDEX_LENGTH;
  readonly rtcpIndexFromEnd = AES_CM_TAG_LENGTH + SRTCP_INDEX_LENGTH;

  private readonly rtpKey: KeyObject;
  private readonly rtcpKey: KeyObject;
  private readonly rtpAuthKey: KeyObject;
  private readonly rtcpAuthKey: KeyObject;
  // Counter blocks reused for every packet; createCipheriv copies the IV.
  private readonly rtpIv = Buffer.alloc(16);
  private readonly rtcpIv = Buffer.alloc(16);
  private readonly rtpSalt4: number;
  private readonly rtpSalt8: number;
  private readonly rtpSalt12: number;
  private readonly rtcpSalt4: number;
  private readonly rtcpSalt10: number;
  private readonly rocBuf = Buffer.alloc(4);

  constructor(keys: SessionKeys) {
    if (keys.rtpKey.length !== 16 || keys.rtcpKey.length !== 16) throw new RangeError("AES-CM session key must be 16 bytes (AES-128)");
    if (keys.rtpSalt.length !== 14 || keys.rtcpSalt.length !== 14) throw new RangeError("AES-CM session salt must be 14 bytes");
    this.rtpKey = createSecretKey(keys.rtpKey);
    this.rtcpKey = createSecretKey(keys.rtcpKey);
    this.rtpAuthKey = createSecretKey(keys.rtpAuthKey);
    this.rtcpAuthKey = createSecretKey(keys.rtcpAuthKey);
    // IV = (k_s·2^16) XOR (SSRC·2^64) XOR (i·2^16) (RFC 3711 §4.1.1): the salt fills
    // bytes 0..13, the last two bytes are the block counter. Bytes that never carry
    // SSRC or index are written once here.
    keys.rtpSalt.copy(this.rtpIv, 0);
    keys.rtcpSalt.copy(this.rtcpIv, 0);
    this.rtpSalt4 = keys.rtpSalt.readUInt32BE(4);
    this.rtpSalt8 = keys.rtpSalt.readUInt32BE(8);
    this.rtpSalt12 = keys.rtpSalt.readUInt16BE(12);
    this.rtcpSalt4 = keys.rtcpSalt.readUInt32BE(4);
    this.rtcpSalt10 = keys.rtcpSalt.readUInt32BE(10);
  }

  private setRtpIv(ssrc: number, roc: number, seq: number): void {
    const iv = this.rtpIv;
    iv.writeUInt32BE((this.rtpSalt4 ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((this.rtpSalt8 ^ roc) >>> 0, 8);
    iv.writeUInt16BE(this.rtpSalt12 ^ seq, 12);
  }

  /** SRTCP uses the same IV formula with the 31-bit SRTCP index as i (bytes 8..9 stay salt). */
  private setRtcpIv(ssrc: number, index: number): void {
    const iv = this.rtcpIv;
    iv.writeUInt32BE((this.rtcpSalt4 ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((this.rtcpSalt10 ^ index) >>> 0, 10);
  }

  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer {
    const length = packet.length;
    const out = Buffer.allocUnsafe(length + AES_CM_TAG_LENGTH);
    packet.copy(out, 0, 0, headerLength);
    this.setRtpIv(ssrc, roc, seq);
    const cipher = createCipheriv("aes-128-ctr", this.rtpKey, this.rtpIv);
    cipher.update(packet.subarray(headerLength)).copy(out, headerLength);
    // Authenticated portion ‖ ROC (RFC 3711 §4.2): ROC goes where the tag will be,
    // so one contiguous update covers both; the tag then overwrites it.
    out.writeUInt32BE(roc, length);
    const mac = createHmac("sha1", this.rtpAuthKey)
      .update(out.subarray(0, length + 4))
      .digest();
    mac.copy(out, length, 0, AES_CM_TAG_LENGTH);
    return out;
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | null {
    const authEnd = packet.length - AES_CM_TAG_LENGTH;
    this.rocBuf.writeUInt32BE(roc, 0);
    const mac = createHmac("sha1", this.rtpAuthKey).update(packet.subarray(0, authEnd)).update(this.rocBuf).digest();
    if (!tagMatches(mac, packet, authEnd, AES_CM_TAG_LENGTH)) return null;
    const out = Buffer.allocUnsafe(authEnd);
    packet.copy(out, 0, 0, headerLength);
    this.setRtpIv(ssrc, roc, seq);
    const decipher = createCipheriv("aes-128-ctr", this.rtpKey, this.rtpIv);
    decipher.update(packet.subarray(headerLength, authEnd)).copy(out, headerLength);
    return out;
  }

  protectRtcp(packet: Buffer, ssrc: number, index: number): Buffer {
    const length = packet.length;
    const out = Buffer.allocUnsafe(length + SRTCP_INDEX_LENGTH + AES_CM_TAG_LENGTH);
    packet.copy(out, 0, 0, RTCP_FIXED_HEADER);
    this.setRtcpIv(ssrc, index);
    const cipher = createCipheriv("aes-128-ctr", this.rtcpKey, this.rtcpIv);
    cipher.update(packet.subarray(RTCP_FIXED_HEADER)).copy(out, RTCP_FIXED_HEADER);
    // RFC 3711 §3.4: the tag covers header, ciphertext and the E‖index word.
    out.writeUInt32BE((SRTCP_E_FLAG | index) >>> 0, length);
    const mac = createHmac("sha1", this.rtcpAuthKey)
      .update(out.subarray(0, length + SRTCP_INDEX_LENGTH))
      .digest();
    mac.copy(out, length + SRTCP_INDEX_LENGTH, 0, AES_CM_TAG_LENGTH);
    return out;
  }

  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | null {
    const tagStart = packet.length - AES_CM_TAG_LENGTH;
    const end = tagStart - SRTCP_INDEX_LENGTH;
    const mac = createHmac("sha1", this.rtcpAuthKey).update(packet.subarray(0, tagStart)).digest();
    if (!tagMatches(mac, packet, tagStart, AES_CM_TAG_LENGTH)) return null;
    const out = Buffer.allocUnsafe(end);
    if (!encrypted) {
      packet.copy(out, 0, 0, end);
      return out;
    }
    packet.copy(out, 0, 0, RTCP_FIXED_HEADER);
    this.setRtcpIv(ssrc, index);
    const decipher = createCipheriv("aes-128-ctr", this.rtcpKey, this.rtcpIv);
    decipher.update(packet.subarray(RTCP_FIXED_HEADER, end)).copy(out, RTCP_FIXED_HEADER);
    return out;
  }

  // In-place variants (see SrtpTransform). node:crypto still allocates its cipher and
  // output objects per call; only the native transform is allocation-free.

  protectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number {
    checkRegion(buf, offset, length, AES_CM_TAG_LENGTH, headerLength);
    const end = offset + length;
    this.setRtpIv(ssrc, roc, seq);
    const cipher = createCipheriv("aes-128-ctr", this.rtpKey, this.rtpIv);
    cipher.update(buf.subarray(offset + headerLength, end)).copy(buf, offset + headerLength);
    this.rocBuf.writeUInt32BE(roc, 0);
    const mac = createHmac("sha1", this.rtpAuthKey).update(buf.subarray(offset, end)).update(this.rocBuf).digest();
    mac.copy(buf, end, 0, AES_CM_TAG_LENGTH);
    return length + AES_CM_TAG_LENGTH;
  }

  unprotectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number {
    checkRegion(buf, offset, length, 0, headerLength + AES_CM_TAG_LENGTH);
    const authEnd = offset + length - AES_CM_TAG_LENGTH;
    this.rocBuf.writeUInt32BE(roc, 0);
    const mac = createHmac("sha1", this.rtpAuthKey).update(buf.subarray(offset, authEnd)).update(this.rocBuf).digest();
    if (!tagMatches(mac, buf, authEnd, AES_CM_TAG_LENGTH)) return -1;
    this.setRtpIv(ssrc, roc, seq);
    const decipher = createCipheriv("aes-128-ctr", this.rtpKey, this.rtpIv);
    decipher.update(buf.subarray(offset + headerLength, authEnd)).copy(buf, offset + headerLength);
    return length - AES_CM_TAG_LENGTH;
  }

  protectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number): number {
    checkRegion(buf, offset, length, this.rtcpOverhead, RTCP_FIXED_HEADER);
    const end = offset + length;
    this.setRtcpIv(ssrc, index);
    const cipher = createCipheriv("aes-128-ctr", this.rtcpKey, this.rtcpIv);
    cipher.update(buf.subarray(offset + RTCP_FIXED_HEADER, end)).copy(buf, offset + RTCP_FIXED_HEADER);
    // RFC 3711 §3.4: header ‖ ciphertext ‖ E‖index ‖ tag; the tag covers the index word.
    buf.writeUInt32BE((SRTCP_E_FLAG | index) >>> 0, end);
    const mac = createHmac("sha1", this.rtcpAuthKey)
      .update(buf.subarray(offset, end + SRTCP_INDEX_LENGTH))
      .digest();
    mac.copy(buf, end + SRTCP_INDEX_LENGTH, 0, AES_CM_TAG_LENGTH);
    return length + this.rtcpOverhead;
  }

  unprotectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number, encrypted: boolean): number {
    checkRegion(buf, offset, length, 0, RTCP_FIXED_HEADER + this.rtcpOverhead);
    const tagStart = offset + length - AES_CM_TAG_LENGTH;
    const end = tagStart - SRTCP_INDEX_LENGTH;
    const mac = createHmac("sha1", this.rtcpAuthKey).update(buf.subarray(offset, tagStart)).digest();
    if (!tagMatches(mac, buf, tagStart, AES_CM_TAG_LENGTH)) return -1;
    if (encrypted) {
      this.setRtcpIv(ssrc, index);
      const decipher = createCipheriv("aes-128-ctr", this.rtcpKey, this.rtcpIv);
      decipher.update(buf.subarray(offset + RTCP_FIXED_HEADER, end)).copy(buf, offset + RTCP_FIXED_HEADER);
    }
    return length - this.rtcpOverhead;
  }
}
