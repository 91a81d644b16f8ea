import { type Vp8Descriptor, writeVp8KeyIdx, writeVp8PictureId, writeVp8Tl0PicIdx } from "./vp8-descriptor.js";

/** Switch epochs whose offsets are remembered for retransmissions (switches are rare). */
const EPOCHS = 8;

/**
 * Per-consumer rewriting of VP8 PictureID, TL0PICIDX and KEYIDX (RFC 7741 §4.2) so they stay
 * continuous when the forwarded simulcast layer changes — each encoding numbers its pictures
 * independently, and a jump would make the subscriber's decoder assume lost frames.
 *
 * Offsets are fixed for a whole epoch (the time one source is forwarded), so out-of-order
 * packets of that epoch need no lookup: out = (in + offset) mod 2^bits. At a switch the
 * new offsets make the keyframe's values follow the last ones sent:
 *
 *   pictureId' = last + 1,  tl0PicIdx' = last + 1,  keyIdx' = last + 1
 *
 * The PictureID keeps the width of each incoming packet (in-place rewrite), so the
 * arithmetic is done modulo 2^15 and a 7-bit packet carries the low 7 bits, which is
 * still continuous modulo 2^7.
 */
export class Vp8Munger {
  private started = false;
  private lastPictureId = 0;
  private lastTl0PicIdx = 0;
  private lastKeyIdx = 0;
  private pictureIdOffset = 0;
  private tl0PicIdxOffset = 0;
  private keyIdxOffset = 0;
  private readonly epochTag = new Float64Array(EPOCHS).fill(-1);
  private readonly epochPictureIdOffset = new Int32Array(EPOCHS);
  private readonly epochTl0PicIdxOffset = new Int32Array(EPOCHS);
  private readonly epochKeyIdxOffset = new Int32Array(EPOCHS);
  /** Rewritten values of the last munge (-1 where the field is absent). */
  outPictureId = -1;
  outTl0PicIdx = -1;
  outKeyIdx = -1;

  /**
   * Starts epoch `epoch` on `d`, the first packet of the new source (its keyframe).
   * The very first source keeps the publisher's numbering.
   */
  switchSource(d: Vp8Descriptor, epoch: number): void {
    if (this.started) {
      if (d.pictureId >= 0) this.pictureIdOffset = (this.lastPictureId + 1 - d.pictureId) & 0x7fff;
      if (d.tl0PicIdx >= 0) this.tl0PicIdxOffset = (this.lastTl0PicIdx + 1 - d.tl0PicIdx) & 0xff;
      if (d.keyIdx >= 0) this.keyIdxOffset = (this.lastKeyIdx + 1 - d.keyIdx) & 0x1f;
    }
    this.started = true;
    const slot = epoch % EPOCHS;
    this.epochTag[slot] = epoch;
    this.epochPictureIdOffset[slot] = this.pictureIdOffset;
    this.epochTl0PicIdxOffset[slot] = this.tl0PicIdxOffset;
    this.epochKeyIdxOffset[slot] = this.keyIdxOffset;
  }

  /** Computes out* for a packet of the current source; `newest` packets advance "last". */
  munge(d: Vp8Descriptor, newest: boolean): void {
    this.apply(d, this.pictureIdOffset, this.tl0PicIdxOffset, this.keyIdxOffset);
    if (!newest) return;
    if (this.outPictureId >= 0) this.lastPictureId = this.outPictureId;
    if (this.outTl0PicIdx >= 0) this.lastTl0PicIdx = this.outTl0PicIdx;
    if (this.outKeyIdx >= 0) this.lastKeyIdx = this.outKeyIdx;
  }

  /** Computes out* with the offsets of an earlier epoch (retransmission); false if forgotten. */
  mungeForEpoch(d: Vp8Descriptor, epoch: number): boolean {
    const slot = epoch % EPOCHS;
    if (this.epochTag[slot] !== epoch) return false;
    this.apply(d, this.epochPictureIdOffset[slot], this.epochTl0PicIdxOffset[slot], this.epochKeyIdxOffset[slot]);
    return true;
  }

  /** Writes out* into the payload copy at `payloadOffset` (same layout as the parsed one). */
  write(buf: Uint8Array, payloadOffset: number, d: Vp8Descriptor): void {
    if (d.pictureIdAt >= 0) writeVp8PictureId(buf, payloadOffset, d.pictureIdAt, d.pictureIdBits, this.outPictureId);
    if (d.tl0PicIdxAt >= 0) writeVp8Tl0PicIdx(buf, payloadOffset, d.tl0PicIdxAt, this.outTl0PicIdx);
    if (d.keyIdx >= 0) writeVp8KeyIdx(buf, payloadOffset, d.tidKeyIdxAt, this.outKeyIdx);
  }

  private apply(d: Vp8Descriptor, pictureIdOffset: number, tl0PicIdxOffset: number, keyIdxOffset: number): void {
    this.outPictureId = d.pictureId >= 0 ? (d.pictureId + pictureIdOffset) & 0x7fff : -1;
    this.outTl0PicIdx = d.tl0PicIdx >= 0 ? (d.tl0PicIdx + tl0PicIdxOffset) & 0xff : -1;
    this.outKeyIdx = d.keyIdx >= 0 ? (d.keyIdx + keyIdxOffset) & 0x1f : -1;
  }
}
