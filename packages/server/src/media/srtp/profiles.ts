/** DTLS `use_srtp` protection profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export const SrtpProfile = { AES_CM_128_HMAC_SHA1_80: 1, AEAD_AES_128_GCM: 7 } as const;
export type SrtpProfileId = (typeof SrtpProfile)[keyof typeof SrtpProfile];

/** Master key/salt lengths the DTLS exporter must produce for a profile (RFC 5764 §4.2). */
export function srtpKeyLengths(p: SrtpProfileId): { keyLength: number; saltLength: number } {
  switch (p) {
    case SrtpProfile.AES_CM_128_HMAC_SHA1_80:
      return { keyLength: 16, saltLength: 14 };
    case SrtpProfile.AEAD_AES_128_GCM:
      // RFC 7714 §12: 96-bit master salt, matching the 12-octet GCM IV.
      return { keyLength: 16, saltLength: 12 };
    default:
      throw new RangeError(`unsupported SRTP profile ${String(p)}`);
  }
}

export function isSrtpProfile(p: number): p is SrtpProfileId {
  return p === SrtpProfile.AES_CM_128_HMAC_SHA1_80 || p === SrtpProfile.AEAD_AES_128_GCM;
}
