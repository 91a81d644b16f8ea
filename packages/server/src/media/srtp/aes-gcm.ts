import { type CipherGCMOptions, createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";
import type { SessionKeys } from "./kdf.js";
import { RTCP_FIXED_HEADER } from "./rtp-header.js";
import { checkRegion, SRTCP_E_FLAG, type SrtpTransform } from "./transform.js";

/** RFC 7714 §14.2: AEAD_AES_128_GCM uses the full 16-octet GCM tag. */
export const AES_GCM_TAG_LENGTH = 16;
const SRTCP_INDEX_LENGTH = 4;
const GCM_OPTIONS: CipherGCMOptions = { authTagLength: AES_GCM_TAG_LENGTH };

/** AEAD_AES_128_GCM (RFC 7714): no separate auth key, the GCM tag covers header (AAD) and payload. */
export class AesGcmTransform implements SrtpTransform {
  readonly rtpOverhead = AES_GCM_TAG_LENGTH;
  readonly rtcpOverhead = AES_GCM_TAG_LENGTH + SRTCP_INDEX_LENGTH;
  readonly rtcpIndexFromEnd = SRTCP_INDEX_LENGTH;

  private readonly rtpKey: KeyObject;
  private readonly rtcpKey: KeyObject;
  // 12-octet IVs reused for every packet; createCipheriv copies them.
  private readonly rtpIv = Buffer.alloc(12);
  private readonly rtcpIv = Buffer.alloc(12);
  private readonly rtpSalt2: number;
  private readonly rtpSalt6: number;
  private readonly rtpSalt10: number;
  private readonly rtcpSalt2: number;
  private readonly rtcpSalt8: number;
  /** SRTCP AAD for E = 1: header(8) ‖ E‖index (RFC 7714 §9.2 / §17). */
  private readonly rtcpAad = Buffer.alloc(RTCP_FIXED_HEADER + SRTCP_INDEX_LENGTH);

  constructor(keys: SessionKeys) {
    if (keys.rtpKey.length !== 16 || keys.rtcpKey.length !== 16) throw new RangeError("AES-GCM session key must be 16 bytes (AES-128)");
    if (keys.rtpSalt.length !== 12 || keys.rtcpSalt.length !== 12) throw new RangeError("AES-GCM session salt must be 12 bytes");
    this.rtpKey = createSecretKey(keys.rtpKey);
    this.rtcpKey = createSecretKey(keys.rtcpKey);
    // RTP IV = (00 00 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt (RFC 7714 §8.1);
    // RTCP IV = (00 00 ‖ SSRC ‖ 00 00 ‖ 0‖index) XOR salt (RFC 7714 §9.1).
    // Bytes that never carry SSRC, ROC, SEQ or index keep the salt written here.
    keys.rtpSalt.copy(this.rtpIv, 0);
    keys.rtcpSalt.copy(this.rtcpIv, 0);
    this.rtpSalt2 = keys.rtpSalt.readUInt32BE(2);
    this.rtpSalt6 = keys.rtpSalt.readUInt32BE(6);
    this.rtpSalt10 = keys.rtpSalt.readUInt16BE(10);
    this.rtcpSalt2 = keys.rtcpSalt.readUInt32BE(2);
    this.rtcpSalt8 = keys.rtcpSalt.readUInt32BE(8);
  }

  private setRtpIv(ssrc: number, roc: number, seq: number): void {
    const iv = this.rtpIv;
    iv.writeUInt32BE((this.rtpSalt2 ^ ssrc) >>> 0, 2);
    iv.writeUInt32BE((this.rtpSalt6 ^ roc) >>> 0, 6);
    iv.writeUInt16BE(this.rtpSalt10 ^ seq, 10);
  }

  private setRtcpIv(ssrc: number, index: number): void {
    const iv = this.rtcpIv;
    iv.writeUInt32BE((this.rtcpSalt2 ^ ssrc) >>> 0, 2);
    iv.writeUInt32BE((this.rtcpSalt8 ^ index) >>> 0, 8);
  }

  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer {
    const length = packet.length;
    const out = Buffer.allocUnsafe(length + AES_GCM_TAG_LENGTH);
    packet.copy(out, 0, 0, headerLength);
    this.setRtpIv(ssrc, roc, seq);
    const cipher = createCipheriv("aes-128-gcm", this.rtpKey, this.rtpIv, GCM_OPTIONS);
    // RFC 7714 §8.2: the AAD is the whole clear header including CSRCs and extension.
    cipher.setAAD(out.subarray(0, headerLength));
    cipher.update(packet.subarray(headerLength)).copy(out, headerLength);
    cipher.final();
    cipher.getAuthTag().copy(out, length);
    return out;
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | null {
    const tagStart = packet.length - AES_GCM_TAG_LENGTH;
    this.setRtpIv(ssrc, roc, seq);
    const decipher = createDecipheriv("aes-128-gcm", this.rtpKey, this.rtpIv, GCM_OPTIONS);
    decipher.setAAD(packet.subarray(0, headerLength));
    decipher.setAuthTag(packet.subarray(tagStart));
    const plain = decipher.update(packet.subarray(headerLength, tagStart));
    try {
      decipher.final();
    } catch {
      return null;
    }
    const out = Buffer.allocUnsafe(tagStart);
    packet.copy(out, 0, 0, headerLength);
    plain.copy(out, headerLength);
    return out;
  }

  protectRtcp(packet: Buffer, ssrc: number, index: number): Buffer {
    const length = packet.length;
    // RFC 7714 §9.2 / §17: header(8) ‖ ciphertext ‖ tag(16) ‖ E‖index(4).
    const out = Buffer.allocUnsafe(length + AES_GCM_TAG_LENGTH + SRTCP_INDEX_LENGTH);
    packet.copy(out, 0, 0, RTCP_FIXED_HEADER);
    const aad = this.rtcpAad;
    packet.copy(aad, 0, 0, RTCP_FIXED_HEADER);
    aad.writeUInt32BE((SRTCP_E_FLAG | index) >>> 0, RTCP_FIXED_HEADER);
    this.setRtcpIv(ssrc, index);
    const cipher = createCipheriv("aes-128-gcm", this.rtcpKey, this.rtcpIv, GCM_OPTIONS);
    cipher.setAAD(aad);
    cipher.update(packet.subarray(RTCP_FIXED_HEADER)).copy(out, RTCP_FIXED_HEADER);
    cipher.final();
    cipher.getAuthTag().copy(out, length);
    aad.copy(out, length + AES_GCM_TAG_LENGTH, RTCP_FIXED_HEADER);
    return out;
  }

  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | null {
    const indexStart = packet.length - SRTCP_INDEX_LENGTH;
    const tagStart = indexStart - AES_GCM_TAG_LENGTH;
    this.setRtcpIv(ssrc, index);
    const decipher = createDecipheriv("aes-128-gcm", this.rtcpKey, this.rtcpIv, GCM_OPTIONS);
    let aad: Buffer;
    if (encrypted) {
      aad = this.rtcpAad;
      packet.copy(aad, 0, 0, RTCP_FIXED_HEADER);
      packet.copy(aad, RTCP_FIXED_HEADER, indexStart);
    } else {
      // RFC 7714 §9.3: E = 0 authenticates the whole RTCP packet ‖ E‖index and encrypts nothing.
      aad = Buffer.concat([packet.subarray(0, tagStart), packet.subarray(indexStart)]);
    }
    decipher.setAAD(aad);
    decipher.setAuthTag(packet.subarray(tagStart, indexStart));
    const plain = encrypted ? decipher.update(packet.subarray(RTCP_FIXED_HEADER, tagStart)) : null;
    try {
      decipher.final();
    } catch {
      return null;
    }
    const out = Buffer.allocUnsafe(tagStart);
    if (plain === null) {
      packet.copy(out, 0, 0, tagStart);
    } else {
      packet.copy(out, 0, 0, RTCP_FIXED_HEADER);
      plain.copy(out, RTCP_FIXED_HEADER);
    }
    return out;
  }

  // In-place variants (see SrtpTransform). Decryption output is only copied back
  // after the tag verified, so a failed unprotect leaves the bytes unchanged.

  protectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number {
    checkRegion(buf, offset, length, AES_GCM_TAG_LENGTH, headerLength);
    const end = offset + length;
    this.setRtpIv(ssrc, roc, seq);
    const cipher = createCipheriv("aes-128-gcm", this.rtpKey, this.rtpIv, GCM_OPTIONS);
    cipher.setAAD(buf.subarray(offset, offset + headerLength));
    cipher.update(buf.subarray(offset + headerLength, end)).copy(buf, offset + headerLength);
    cipher.final();
    cipher.getAuthTag().copy(buf, end);
    return length + AES_GCM_TAG_LENGTH;
  }

  unprotectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number {
    checkRegion(buf, offset, length, 0, headerLength + AES_GCM_TAG_LENGTH);
    const tagStart = offset + length - AES_GCM_TAG_LENGTH;
    this.setRtpIv(ssrc, roc, seq);
    const decipher = createDecipheriv("aes-128-gcm", this.rtpKey, this.rtpIv, GCM_OPTIONS);
    decipher.setAAD(buf.subarray(offset, offset + headerLength));
    decipher.setAuthTag(buf.subarray(tagStart, tagStart + AES_GCM_TAG_LENGTH));
    const plain = decipher.update(buf.subarray(offset + headerLength, tagStart));
    try {
      decipher.final();
    } catch {
      return -1;
    }
    plain.copy(buf, offset + headerLength);
    return length - AES_GCM_TAG_LENGTH;
  }

  protectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number): number {
    checkRegion(buf, offset, length, this.rtcpOverhead, RTCP_FIXED_HEADER);
    const end = offset + length;
    const aad = this.rtcpAad;
    buf.copy(aad, 0, offset, offset + RTCP_FIXED_HEADER);
    aad.writeUInt32BE((SRTCP_E_FLAG | index) >>> 0, RTCP_FIXED_HEADER);
    this.setRtcpIv(ssrc, index);
    const cipher = createCipheriv("aes-128-gcm", this.rtcpKey, this.rtcpIv, GCM_OPTIONS);
    cipher.setAAD(aad);
    cipher.update(buf.subarray(offset + RTCP_FIXED_HEADER, end)).copy(buf, offset + RTCP_FIXED_HEADER);
    cipher.final();
    // RFC 7714 §9.2 / §17: header(8) ‖ ciphertext ‖ tag(16) ‖ E‖index(4).
    cipher.getAuthTag().copy(buf, end);
    aad.copy(buf, end + AES_GCM_TAG_LENGTH, RTCP_FIXED_HEADER);
    return length + this.rtcpOverhead;
  }

  unprotectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number, encrypted: boolean): number {
    checkRegion(buf, offset, length, 0, RTCP_FIXED_HEADER + this.rtcpOverhead);
    const indexStart = offset + length - SRTCP_INDEX_LENGTH;
    const tagStart = indexStart - AES_GCM_TAG_LENGTH;
    this.setRtcpIv(ssrc, index);
    const decipher = createDecipheriv("aes-128-gcm", this.rtcpKey, this.rtcpIv, GCM_OPTIONS);
    if (encrypted) {
      const aad = this.rtcpAad;
      buf.copy(aad, 0, offset, offset + RTCP_FIXED_HEADER);
      buf.copy(aad, RTCP_FIXED_HEADER, indexStart, indexStart + SRTCP_INDEX_LENGTH);
      decipher.setAAD(aad);
    } else {
      // RFC 7714 §9.3: E = 0 authenticates the whole RTCP packet ‖ E‖index and encrypts nothing.
      decipher.setAAD(Buffer.concat([buf.subarray(offset, tagStart), buf.subarray(indexStart, indexStart + SRTCP_INDEX_LENGTH)]));
    }
    decipher.setAuthTag(buf.subarray(tagStart, indexStart));
    const plain = encrypted ? decipher.update(buf.subarray(offset + RTCP_FIXED_HEADER, tagStart)) : null;
    try {
      decipher.final();
    } catch {
      return -1;
    }
    plain?.copy(buf, offset + RTCP_FIXED_HEADER);
    return length - this.rtcpOverhead;
  }
}
