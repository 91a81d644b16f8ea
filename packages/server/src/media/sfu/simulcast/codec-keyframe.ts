// Keyframe detection from the RTP payload, without decoding. Each function reads the
// payload `buf[offset, end)` (after the RTP header, before padding), allocates nothing and
// never throws: a truncated or malformed payload is simply "not a keyframe".
//
// A simulcast switch may only start on the FIRST packet of a keyframe, so every detector
// below answers true only for a packet that begins one (VP8 partition start, VP9/AV1
// start of frame, H.264 SPS or IDR start).

/** Video codecs we can switch simulcast layers for; numbers so the hot path switches on ints. */
export const VideoCodec = { VP8: 1, VP9: 2, H264: 3, AV1: 4 } as const;
export type VideoCodecId = (typeof VideoCodec)[keyof typeof VideoCodec];

/** Codec id from an SDP mime type ("video/VP8"), or 0 for codecs we cannot inspect. */
export function videoCodecOf(mimeType: string): VideoCodecId | 0 {
  switch (mimeType.toLowerCase()) {
    case "video/vp8":
      return VideoCodec.VP8;
    case "video/vp9":
      return VideoCodec.VP9;
    case "video/h264":
      return VideoCodec.H264;
    case "video/av1":
      return VideoCodec.AV1;
    default:
      return 0;
  }
}

/** Does this packet start a keyframe? Dispatches on the codec id. */
export function isKeyframeStart(codec: number, buf: Uint8Array, offset: number, end: number): boolean {
  switch (codec) {
    case VideoCodec.VP8:
      return isVp8KeyframeStart(buf, offset, end);
    case VideoCodec.VP9:
      return isVp9KeyframeStart(buf, offset, end);
    case VideoCodec.H264:
      return isH264KeyframeStart(buf, offset, end);
    case VideoCodec.AV1:
      return isAv1KeyframeStart(buf, offset, end);
    default:
      return false;
  }
}

/**
 * VP8 (RFC 7741 §4.2 descriptor, §4.3 payload header). The VP8 payload header is only
 * present at the start of partition 0 (S=1, PID=0); its first byte is
 * |Size0(3)|H|VER(3)|P| and P=0 marks a key frame (RFC 6386 §9.1).
 */
export function isVp8KeyframeStart(buf: Uint8Array, offset: number, end: number): boolean {
  if (end > buf.length || offset >= end) return false;
  const b0 = buf[offset];
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false; // S=1 and PID=0 only
  let o = offset + 1;
  if (b0 & 0x80) {
    if (o >= end) return false;
    const x = buf[o++];
    if (x & 0x80) {
      if (o >= end) return false;
      o += buf[o] & 0x80 ? 2 : 1; // M bit: 15-bit PictureID
    }
    if (x & 0x40) o++; // TL0PICIDX
    if (x & 0x30) o++; // TID/Y/KEYIDX share one byte (T or K)
  }
  return o < end && (buf[o] & 0x01) === 0;
}

/**
 * VP9 (RFC 9628 §4.2): first byte |I|P|L|F|B|E|V|Z|. A keyframe starts with B=1 (start of
 * frame), P=0 (not inter-picture predicted) and, when layer indices are present (L=1),
 * spatial layer 0 — the base a receiver can start decoding from.
 *
 *   I: |M| PICTURE ID |  (+1 byte if M)     L: |TID|U| SID |D|   (+TL0PICIDX if F=0)
 */
export function isVp9KeyframeStart(buf: Uint8Array, offset: number, end: number): boolean {
  if (end > buf.length || offset >= end) return false;
  const b0 = buf[offset];
  if ((b0 & 0x08) === 0 || (b0 & 0x40) !== 0) return false; // need B=1, P=0
  let o = offset + 1;
  if (b0 & 0x80) {
    if (o >= end) return false;
    o += buf[o] & 0x80 ? 2 : 1;
  }
  if (o >= end) return false; // truncated: no room for the layer byte or the VP9 payload
  return (b0 & 0x20) === 0 || ((buf[o] >> 1) & 0x07) === 0; // no layer indices, or SID 0
}

/**
 * H.264 (RFC 6184 §5.2–5.8): NAL header |F|NRI|Type(5)|. Type 5 is an IDR slice, 7 an SPS
 * (which encoders send right before an IDR, so the switch keeps SPS/PPS). Single NAL (1–23),
 * STAP-A (24: 16-bit size + NAL, repeated, §5.7.1) and the start fragment of an FU-A
 * (28: FU indicator, FU header |S|E|R|Type|, §5.8) are inspected.
 */
export function isH264KeyframeStart(buf: Uint8Array, offset: number, end: number): boolean {
  if (end > buf.length || offset >= end) return false;
  const type = buf[offset] & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    let o = offset + 1;
    while (o + 2 < end) {
      const size = (buf[o] << 8) | buf[o + 1];
      o += 2;
      if (size === 0 || o + size > end) return false;
      const t = buf[o] & 0x1f;
      if (t === 5 || t === 7) return true;
      o += size;
    }
    return false;
  }
  if (type === 28) {
    if (offset + 1 >= end) return false;
    const fu = buf[offset + 1];
    const t = fu & 0x1f;
    return (fu & 0x80) !== 0 && (t === 5 || t === 7);
  }
  return false;
}

/**
 * AV1 (AV1 RTP payload format §4.4): aggregation header |Z|Y|W(2)|N|-|-|-|. N=1 means
 * the packet is the first of a coded video sequence, i.e. starts with a sequence header
 * and a key frame; Z=1 would mean it continues an OBU, which a sequence start cannot.
 */
export function isAv1KeyframeStart(buf: Uint8Array, offset: number, end: number): boolean {
  if (end > buf.length || offset >= end) return false;
  const agg = buf[offset];
  return (agg & 0x08) !== 0 && (agg & 0x80) === 0;
}
