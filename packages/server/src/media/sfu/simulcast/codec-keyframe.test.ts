import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rtpHeaderLength, rtpPayloadEnd } from "../../rtp/packet.js";
import {
  isAv1KeyframeStart,
  isH264KeyframeStart,
  isKeyframeStart,
  isVp8KeyframeStart,
  isVp9KeyframeStart,
  VideoCodec,
  videoCodecOf,
} from "./codec-keyframe.js";

// Real RTP packets from ffmpeg's packetizers (libvpx VP8 and libx264 H.264, testsrc 64x48,
// keyframe every 2 frames, pkt_size 200), captured over loopback. Packets longer than
// 32 bytes are truncated: detection only reads the first payload bytes.
const REAL_VP8 = {
  keyframe: "806009d98cadad8a984893b390808000501a009d012a40003000004708858588",
  keyframeContinuation: "806009da8cadad8a984893b3808080000cc34a4f5a9f225cd7ad3e657dcd0f9e",
  interFrame: "806009df8cadd0b2984893b390808001d10500011010001e9ab56a463383fc98",
  secondKeyframe: "806009e18cadf3da984893b390808002101b009d012a40003000008708858588",
  secondInterFrame: "806009e78cae1702984893b390808003510600001010001e9f156a17ff0f06e2",
};
const REAL_H264 = {
  /** STAP-A: SPS (0x67) + PPS (0x68), full packet. */
  stapSpsPps: "806002748e91c40777d94d6d1800176764000aacb208f6022000000300200000030281e244c9000668ebc3cb22c0",
  /** FU-A start of an SEI NAL (type 6). */
  fuStartSei: "806002758e91c40777d94d6d1c8605ffff69dc45e9bde6d948b7962cd820d923",
  /** FU-A start of the IDR slice (type 5). */
  fuStartIdr: "806002798e91c40777d94d6d7c85888419ffb645b445a9b5ff843f64b58c098e",
  /** Single NAL, non-IDR slice (type 1). */
  singleNonIdr: "80e0027d8e91e72f77d94d6d419a3b11df1aa489a4cfea559a60952e3cd63837",
};

/** Payload bounds of a hex RTP packet. */
function payloadOf(hex: string): { buf: Buffer; offset: number; end: number } {
  const buf = Buffer.from(hex, "hex");
  return { buf, offset: rtpHeaderLength(buf, buf.length), end: rtpPayloadEnd(buf, buf.length) };
}

const detect = (fn: (b: Uint8Array, o: number, e: number) => boolean, hex: string): boolean => {
  const p = payloadOf(hex);
  return fn(p.buf, p.offset, p.end);
};

/** Bytes as a payload at offset 3 of a larger buffer (detectors must honour offset and end). */
function at3(bytes: number[]): [Buffer, number, number] {
  const buf = Buffer.from([0xff, 0xff, 0xff, ...bytes, 0xff, 0xff]);
  return [buf, 3, 3 + bytes.length];
}

describe("VP8 keyframes (RFC 7741)", () => {
  it("recognises real libvpx packets: only the first packet of a key frame", () => {
    assert.equal(detect(isVp8KeyframeStart, REAL_VP8.keyframe), true);
    assert.equal(detect(isVp8KeyframeStart, REAL_VP8.secondKeyframe), true);
    assert.equal(detect(isVp8KeyframeStart, REAL_VP8.keyframeContinuation), false);
    assert.equal(detect(isVp8KeyframeStart, REAL_VP8.interFrame), false);
    assert.equal(detect(isVp8KeyframeStart, REAL_VP8.secondInterFrame), false);
  });

  it("skips every optional descriptor field before reading the P bit", () => {
    // X=1 S=1 | I L T K | M=1 picture id (2 bytes) | TL0PICIDX | TID/Y/KEYIDX | payload header P=0
    assert.equal(isVp8KeyframeStart(...at3([0x90, 0xf0, 0x81, 0x23, 0x07, 0x45, 0x10])), true);
    assert.equal(isVp8KeyframeStart(...at3([0x90, 0xf0, 0x81, 0x23, 0x07, 0x45, 0x11])), false);
    // 7-bit picture id, K only
    assert.equal(isVp8KeyframeStart(...at3([0x90, 0x90, 0x05, 0x03, 0x10])), true);
    // no extension at all
    assert.equal(isVp8KeyframeStart(...at3([0x10, 0x9c])), true);
    assert.equal(isVp8KeyframeStart(...at3([0x10, 0x9d])), false);
  });

  it("is false off partition 0 or without S, and on truncation", () => {
    assert.equal(isVp8KeyframeStart(...at3([0x11, 0x10])), false); // PID=1
    assert.equal(isVp8KeyframeStart(...at3([0x00, 0x10])), false); // S=0
    assert.equal(isVp8KeyframeStart(...at3([0x90, 0x80, 0x81, 0x23])), false); // no payload header
    assert.equal(isVp8KeyframeStart(...at3([0x90, 0x80, 0x81])), false);
    assert.equal(isVp8KeyframeStart(...at3([0x90])), false);
    assert.equal(isVp8KeyframeStart(...at3([])), false);
  });
});

describe("VP9 keyframes (RFC 9628)", () => {
  it("needs B=1 and P=0", () => {
    assert.equal(isVp9KeyframeStart(...at3([0x08, 0x82])), true); // B
    assert.equal(isVp9KeyframeStart(...at3([0x0c, 0x82])), true); // B E
    assert.equal(isVp9KeyframeStart(...at3([0x48, 0x82])), false); // P B
    assert.equal(isVp9KeyframeStart(...at3([0x04, 0x82])), false); // E only
    assert.equal(isVp9KeyframeStart(...at3([0x88, 0x12, 0x82])), true); // I, 7-bit picture id
  });

  it("needs spatial layer 0 when layer indices are present", () => {
    // I M (15-bit id) L, non-flexible: TID=0 U=0 SID=0 D=0, TL0PICIDX
    assert.equal(isVp9KeyframeStart(...at3([0xa8, 0x81, 0x02, 0x00, 0x07])), true);
    // SID=1 (layer byte 0b000_0_001_0)
    assert.equal(isVp9KeyframeStart(...at3([0xa8, 0x81, 0x02, 0x02, 0x07])), false);
    // flexible mode (F), no picture id, SID=0 TID=2
    assert.equal(isVp9KeyframeStart(...at3([0x38, 0x40])), true);
    assert.equal(isVp9KeyframeStart(...at3([0x38, 0x44])), false); // SID=2
  });

  it("is false on truncation", () => {
    assert.equal(isVp9KeyframeStart(...at3([0xa8, 0x81, 0x02])), false);
    assert.equal(isVp9KeyframeStart(...at3([0x88])), false);
    assert.equal(isVp9KeyframeStart(...at3([])), false);
  });
});

describe("H.264 keyframes (RFC 6184)", () => {
  it("recognises real libx264 packets", () => {
    assert.equal(detect(isH264KeyframeStart, REAL_H264.stapSpsPps), true);
    assert.equal(detect(isH264KeyframeStart, REAL_H264.fuStartIdr), true);
    assert.equal(detect(isH264KeyframeStart, REAL_H264.fuStartSei), false);
    assert.equal(detect(isH264KeyframeStart, REAL_H264.singleNonIdr), false);
  });

  it("handles single NAL units, STAP-A and FU-A", () => {
    assert.equal(isH264KeyframeStart(...at3([0x65, 0x88])), true); // IDR
    assert.equal(isH264KeyframeStart(...at3([0x67, 0x42])), true); // SPS
    assert.equal(isH264KeyframeStart(...at3([0x68, 0xce])), false); // PPS alone
    assert.equal(isH264KeyframeStart(...at3([0x41, 0x9a])), false); // non-IDR slice
    // STAP-A: SEI (2 bytes) then IDR (2 bytes)
    assert.equal(isH264KeyframeStart(...at3([0x18, 0x00, 0x02, 0x06, 0x05, 0x00, 0x02, 0x65, 0x88])), true);
    // STAP-A of non-key NALs
    assert.equal(isH264KeyframeStart(...at3([0x18, 0x00, 0x02, 0x06, 0x05, 0x00, 0x02, 0x41, 0x9a])), false);
    // STAP-A with a size overrunning the payload
    assert.equal(isH264KeyframeStart(...at3([0x18, 0x00, 0x09, 0x06, 0x05, 0x65])), false);
    // FU-A: middle fragment of an IDR is not a start
    assert.equal(isH264KeyframeStart(...at3([0x7c, 0x05, 0x11])), false);
    assert.equal(isH264KeyframeStart(...at3([0x7c, 0x45, 0x11])), false); // end fragment
    assert.equal(isH264KeyframeStart(...at3([0x7c])), false);
    assert.equal(isH264KeyframeStart(...at3([])), false);
  });
});

describe("AV1 keyframes (AV1 RTP payload format §4.4)", () => {
  it("uses the N bit of the aggregation header", () => {
    assert.equal(isAv1KeyframeStart(...at3([0x08, 0x0a])), true); // N
    assert.equal(isAv1KeyframeStart(...at3([0x18, 0x0a])), true); // N W=1
    assert.equal(isAv1KeyframeStart(...at3([0x10, 0x32])), false); // W=1 only
    assert.equal(isAv1KeyframeStart(...at3([0x88])), false); // Z: continues an OBU
    assert.equal(isAv1KeyframeStart(...at3([])), false);
  });
});

describe("codec dispatch", () => {
  it("maps mime types and dispatches", () => {
    assert.equal(videoCodecOf("video/VP8"), VideoCodec.VP8);
    assert.equal(videoCodecOf("video/vp9"), VideoCodec.VP9);
    assert.equal(videoCodecOf("video/H264"), VideoCodec.H264);
    assert.equal(videoCodecOf("video/AV1"), VideoCodec.AV1);
    assert.equal(videoCodecOf("audio/opus"), 0);
    const vp8 = payloadOf(REAL_VP8.keyframe);
    assert.equal(isKeyframeStart(VideoCodec.VP8, vp8.buf, vp8.offset, vp8.end), true);
    const h264 = payloadOf(REAL_H264.fuStartIdr);
    assert.equal(isKeyframeStart(VideoCodec.H264, h264.buf, h264.offset, h264.end), true);
    assert.equal(isKeyframeStart(VideoCodec.VP9, ...at3([0x08, 0x82])), true);
    assert.equal(isKeyframeStart(VideoCodec.AV1, ...at3([0x08])), true);
    assert.equal(isKeyframeStart(0, ...at3([0x08])), false);
  });
});
