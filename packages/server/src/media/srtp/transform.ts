/**
 * Per-direction packet transform of one protection profile. Stateless per packet:
 * the session resolves ROC / SRTCP index and replay state, the transform only does
 * the cryptography with key objects and IV buffers it allocated once.
 */
export interface SrtpTransform {
  /** Bytes appended to an RTP packet (auth tag). */
  readonly rtpOverhead: number;
  /** Bytes appended to an RTCP packet (auth tag plus the E‖index word). */
  readonly rtcpOverhead: number;
  /** Distance of the E‖index word from the packet end: before the tag for AES-CM (RFC 3711 §3.4), after it for GCM (RFC 7714 §9.2). */
  readonly rtcpIndexFromEnd: number;
  /** `headerLength` is the validated clear-text header length; `roc`/`seq` form the packet index. */
  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer;
  /** `packet` includes the tag; returns null when authentication fails. */
  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | null;
  /** Always encrypts (E = 1); `index` is the 31-bit SRTCP index. */
  protectRtcp(packet: Buffer, ssrc: number, index: number): Buffer;
  /** `packet` includes index word and tag; returns null when authentication fails. */
  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | null;
}

/** E flag of the SRTCP index word (RFC 3711 §3.4). */
export const SRTCP_E_FLAG = 0x80000000;
export const SRTCP_INDEX_MASK = 0x7fffffff;
