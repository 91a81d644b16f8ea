/**
 * Per-direction packet transform of one protection profile. Stateless per packet:
 * the session resolves ROC / SRTCP index and replay state, the transform only does
 * the cryptography with key objects and IV buffers it allocated once.
 *
 * Two families of methods: the allocating ones take a packet and return a new
 * Buffer; the `…InPlace` ones work on `buf[offset, offset + length)` of a
 * caller-owned (arena) buffer and return the new length, so a native transform
 * protects a packet with no allocation at all. Protect needs `rtpOverhead` /
 * `rtcpOverhead` spare bytes after the packet; unprotect returns -1 on
 * authentication failure and then leaves the bytes unchanged.
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
  /** Returns `length + rtpOverhead`. */
  protectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number;
  /** `length` includes the tag; returns the plain length or -1. */
  unprotectRtpInPlace(buf: Buffer, offset: number, length: number, headerLength: number, ssrc: number, roc: number, seq: number): number;
  /** Always encrypts (E = 1); returns `length + rtcpOverhead`. */
  protectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number): number;
  /** `length` includes index word and tag; returns the plain length or -1. */
  unprotectRtcpInPlace(buf: Buffer, offset: number, length: number, ssrc: number, index: number, encrypted: boolean): number;
}

/** E flag of the SRTCP index word (RFC 3711 §3.4). */
export const SRTCP_E_FLAG = 0x80000000;
export const SRTCP_INDEX_MASK = 0x7fffffff;

/**
 * Throws a RangeError unless `buf[offset, offset + length + spare)` exists and
 * `length >= minLength`: in-place callers pass region bounds, and a wrong bound is
 * a programming error, not a bad packet.
 */
export function checkRegion(buf: Buffer, offset: number, length: number, spare: number, minLength: number): void {
  if (!(offset >= 0 && length >= minLength && offset + length + spare <= buf.length)) {
    throw new RangeError(`packet region [${offset}, +${length}) with ${spare} spare bytes does not fit a ${buf.length}-byte buffer`);
  }
}
