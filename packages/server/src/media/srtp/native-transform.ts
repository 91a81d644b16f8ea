import { AES_CM_TAG_LENGTH } from "./aes-cm.js";
import { AES_GCM_TAG_LENGTH } from "./aes-gcm.js";
import type { SessionKeys } from "./kdf.js";
import { type NativeBinding, type NativeSrtpContext, requireNativeBinding } from "./native-binding.js";
import { SrtpProfile, type SrtpProfileId } from "./profiles.js";
import type { SrtpTransform } from "./transform.js";

export { loadNativeBinding } from "./native-binding.js";

const SRTCP_INDEX_LENGTH = 4;

/**
 * SrtpTransform over the native addon: OpenSSL EVP contexts keyed once, HMAC-SHA1
 * pad states precomputed. The `…InPlace` methods allocate nothing; the others copy
 * into a new Buffer first, to keep the allocating contract of SrtpTransform.
 * Constructing one throws when the addon is not loaded.
 */
abstract class NativeSrtpTransform implements SrtpTransform {
  abstract readonly rtpOverhead: number;
  abstract readonly rtcpOverhead: number;
  abstract readonly rtcpIndexFromEnd: number;
  private readonly binding: NativeBinding;
  private readonly ctx: NativeSrtpContext;

  protected constructor(profile: SrtpProfileId, keys: SessionKeys) {
    this.binding = requireNativeBinding();
    // The context copies the keys into native memory, wiped when it is collected.
    this.ctx = this.binding.createContext(
      profile,
      keys.rtpKey,
      keys.rtpSalt,
      keys.rtpAuthKey,
      keys.rtcpKey,
      keys.rtcpSalt,
      keys.rtcpAuthKey,
    );
  }

  protectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number {
    return this.binding.protectRtp(this.ctx, buf, offset, length, headerLength, ssrc, roc, seq);
  }

  unprotectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number {
    return this.binding.unprotectRtp(this.ctx, buf, offset, length, headerLength, ssrc, roc, seq);
  }

  protectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number): number {
    return this.binding.protectRtcp(this.ctx, buf, offset, length, ssrc, index);
  }

  unprotectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number, encrypted: boolean): number {
    return this.binding.unprotectRtcp(this.ctx, buf, offset, length, ssrc, index, encrypted);
  }

  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(packet.length + this.rtpOverhead);
    packet.copy(out, 0);
    this.binding.protectRtp(this.ctx, out, 0, packet.length, headerLength, ssrc, roc, seq);
    return out;
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | null {
    const out = Buffer.from(packet);
    const n = this.binding.unprotectRtp(this.ctx, out, 0, out.length, headerLength, ssrc, roc, seq);
    return n < 0 ? null : out.subarray(0, n);
  }

  protectRtcp(packet: Buffer, ssrc: number, index: number): Buffer {
    const out = Buffer.allocUnsafe(packet.length + this.rtcpOverhead);
    packet.copy(out, 0);
    this.binding.protectRtcp(this.ctx, out, 0, packet.length, ssrc, index);
    return out;
  }

  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | null {
    const out = Buffer.from(packet);
    const n = this.binding.unprotectRtcp(this.ctx, out, 0, out.length, ssrc, index, encrypted);
    return n < 0 ? null : out.subarray(0, n);
  }
}

/** AES_CM_128_HMAC_SHA1_80 in native code (RFC 3711 §4.1.1, §4.2.1). */
export class NativeAesCmTransform extends NativeSrtpTransform {
  readonly rtpOverhead = AES_CM_TAG_LENGTH;
  readonly rtcpOverhead = AES_CM_TAG_LENGTH + SRTCP_INDEX_LENGTH;
  readonly rtcpIndexFromEnd = AES_CM_TAG_LENGTH + SRTCP_INDEX_LENGTH;

  constructor(keys: SessionKeys) {
    super(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys);
  }
}

/** AEAD_AES_128_GCM in native code (RFC 7714). */
export class NativeAesGcmTransform extends NativeSrtpTransform {
  readonly rtpOverhead = AES_GCM_TAG_LENGTH;
  readonly rtcpOverhead = AES_GCM_TAG_LENGTH + SRTCP_INDEX_LENGTH;
  readonly rtcpIndexFromEnd = SRTCP_INDEX_LENGTH;

  constructor(keys: SessionKeys) {
    super(SrtpProfile.AEAD_AES_128_GCM, keys);
  }
}
