import { createCipheriv } from "node:crypto";
import { SrtpProfile, type SrtpProfileId, srtpKeyLengths } from "./profiles.js";

/** Key derivation labels, RFC 3711 §4.3.1 and §4.3.2. */
export const KdfLabel = {
  RTP_ENCRYPTION: 0x00,
  RTP_AUTH: 0x01,
  RTP_SALT: 0x02,
  RTCP_ENCRYPTION: 0x03,
  RTCP_AUTH: 0x04,
  RTCP_SALT: 0x05,
} as const;

/** HMAC-SHA1 session auth key length, RFC 3711 §8.2 (n_a = 160 bits). */
export const AUTH_KEY_LENGTH = 20;

/** Session keys for one direction. Auth keys are empty for AEAD profiles (RFC 7714 §12). */
export interface SessionKeys {
  rtpKey: Buffer;
  rtpSalt: Buffer;
  rtpAuthKey: Buffer;
  rtcpKey: Buffer;
  rtcpSalt: Buffer;
  rtcpAuthKey: Buffer;
}

/**
 * AES-CM PRF with key_derivation_rate 0 (RFC 3711 §4.3.1/§4.3.3): r = 0, so
 * x = (label << 48) XOR master_salt and the output is the AES-CTR keystream
 * under IV = x·2^16. A 96-bit AEAD master salt is zero-padded on the right to
 * 112 bits, which is what libsrtp, pion and werift do for RFC 7714 §12.
 */
export function aesCmPrf(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  if (masterKey.length !== 16 && masterKey.length !== 24 && masterKey.length !== 32) {
    throw new RangeError(`master key must be 16, 24 or 32 bytes, got ${masterKey.length}`);
  }
  if (masterSalt.length > 14) throw new RangeError(`master salt longer than 14 bytes (${masterSalt.length})`);
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0);
  // The 56-bit key_id = label ‖ r (r = 0) is right-aligned within the 112-bit salt.
  iv[7] ^= label;
  const cipher = createCipheriv(`aes-${masterKey.length * 8}-ctr`, masterKey, iv);
  return cipher.update(Buffer.alloc(length));
}

/** Derives both the SRTP and SRTCP session keys for one direction. */
export function deriveSessionKeys(profile: SrtpProfileId, masterKey: Buffer, masterSalt: Buffer): SessionKeys {
  const { keyLength, saltLength } = srtpKeyLengths(profile);
  if (masterKey.length !== keyLength) {
    throw new RangeError(`master key must be ${keyLength} bytes for profile ${profile}, got ${masterKey.length}`);
  }
  if (masterSalt.length !== saltLength) {
    throw new RangeError(`master salt must be ${saltLength} bytes for profile ${profile}, got ${masterSalt.length}`);
  }
  const authLength = profile === SrtpProfile.AEAD_AES_128_GCM ? 0 : AUTH_KEY_LENGTH;
  return {
    rtpKey: aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_ENCRYPTION, keyLength),
    rtpAuthKey: aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_AUTH, authLength),
    rtpSalt: aesCmPrf(masterKey, masterSalt, KdfLabel.RTP_SALT, saltLength),
    rtcpKey: aesCmPrf(masterKey, masterSalt, KdfLabel.RTCP_ENCRYPTION, keyLength),
    rtcpAuthKey: aesCmPrf(masterKey, masterSalt, KdfLabel.RTCP_AUTH, authLength),
    rtcpSalt: aesCmPrf(masterKey, masterSalt, KdfLabel.RTCP_SALT, saltLength),
  };
}
