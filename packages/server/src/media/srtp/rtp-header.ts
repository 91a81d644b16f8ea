/** Fixed RTP header length (RFC 3550 §5.1). */
export const RTP_FIXED_HEADER = 12;
/** RTCP header up to and including the sender SSRC; SRTCP encrypts from here (RFC 3711 §3.4). */
export const RTCP_FIXED_HEADER = 8;

/**
 * Length of the RTP header that SRTP leaves in the clear: fixed header, CSRC list
 * and header extension (RFC 3711 §3.1). The extension length field counts 32-bit
 * words after the 4-byte extension header for every profile, so 0xBEDE (RFC 8285
 * one-byte) and 0x100x (two-byte) need no special casing. Returns -1 if the header
 * is not RTP version 2 or does not fit in `packet[start, end)`; the result is
 * relative to `start` (a packet inside a larger arena buffer).
 */
export function rtpHeaderLength(packet: Buffer, end: number, start = 0): number {
  const available = end - start;
  if (start < 0 || available < RTP_FIXED_HEADER || end > packet.length) return -1;
  const b0 = packet[start];
  if (b0 >>> 6 !== 2) return -1;
  let length = RTP_FIXED_HEADER + ((b0 & 0x0f) << 2);
  if ((b0 & 0x10) !== 0) {
    if (length + 4 > available) return -1;
    const at = start + length;
    length += 4 + (((packet[at + 2] << 8) | packet[at + 3]) << 2);
  }
  return length > available ? -1 : length;
}

/**
 * ROC guess v for a received sequence number, RFC 3711 Appendix A, given the
 * stream's current ROC and highest sequence number s_l. One deviation, shared
 * with libsrtp: while ROC is 0 a guess of ROC-1 is impossible, so the packet is
 * taken as ROC 0 (a forward jump) rather than rejected outright.
 */
export function estimateRoc(roc: number, sl: number, seq: number): number {
  if (sl < 32768) {
    if (seq - sl > 32768 && roc > 0) return roc - 1;
  } else if (sl - 32768 > seq) {
    return roc + 1;
  }
  return roc;
}

/** Rollover state of one SSRC: ROC and the highest sequence number s_l (RFC 3711 §3.3.1). */
export class RolloverState {
  roc = 0;
  sl: number;

  constructor(firstSeq: number) {
    this.sl = firstSeq;
  }

  /** Moves s_l/ROC forward when (v, seq) is newer than what was seen; older packets leave it. */
  update(v: number, seq: number): void {
    if (v > this.roc || (v === this.roc && seq > this.sl)) {
      this.roc = v;
      this.sl = seq;
    }
  }
}
