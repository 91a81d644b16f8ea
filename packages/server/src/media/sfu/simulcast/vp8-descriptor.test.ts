import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseVp8Descriptor,
  readVp8KeyframeSize,
  Vp8Descriptor,
  writeVp8KeyIdx,
  writeVp8PictureId,
  writeVp8Tl0PicIdx,
} from "./vp8-descriptor.js";

/** Real libvpx keyframe packet (ffmpeg packetizer), truncated: 12-byte header, descriptor, payload header. */
const REAL_KEYFRAME = Buffer.from("806009d98cadad8a984893b390808000501a009d012a400030000047", "hex");
const REAL_INTER = Buffer.from("806009df8cadd0b2984893b390808001d10500011010001e", "hex");

describe("parseVp8Descriptor (RFC 7741 §4.2)", () => {
  it("parses real libvpx packets (15-bit PictureID)", () => {
    const d = new Vp8Descriptor();
    assert.equal(parseVp8Descriptor(REAL_KEYFRAME, 12, REAL_KEYFRAME.length, d), true);
    assert.equal(d.length, 4);
    assert.equal(d.partitionStart, true);
    assert.equal(d.partitionId, 0);
    assert.equal(d.pictureId, 0);
    assert.equal(d.pictureIdBits, 15);
    assert.equal(d.pictureIdAt, 2);
    assert.equal(d.tl0PicIdx, -1);
    assert.equal(d.temporalId, -1);
    assert.equal(d.keyIdx, -1);
    assert.equal(d.keyframe, true);
    assert.equal(parseVp8Descriptor(REAL_INTER, 12, REAL_INTER.length, d), true);
    assert.equal(d.pictureId, 1);
    assert.equal(d.keyframe, false);
  });

  it("parses every optional field", () => {
    // X N S PID=0 | I L T K | M pid=0x1234 | TL0PICIDX=200 | TID=2 Y KEYIDX=17 | P=0
    const buf = Buffer.from([0xaa, 0xb0, 0xf0, 0x92, 0x34, 200, 0xb1, 0x9c, 0x01]);
    const d = new Vp8Descriptor();
    assert.equal(parseVp8Descriptor(buf, 1, buf.length, d), true);
    assert.equal(d.nonReference, true);
    assert.equal(d.partitionStart, true);
    assert.equal(d.pictureId, 0x1234);
    assert.equal(d.pictureIdBits, 15);
    assert.equal(d.pictureIdAt, 2);
    assert.equal(d.tl0PicIdx, 200);
    assert.equal(d.tl0PicIdxAt, 4);
    assert.equal(d.temporalId, 2);
    assert.equal(d.layerSync, true);
    assert.equal(d.keyIdx, 17);
    assert.equal(d.tidKeyIdxAt, 5);
    assert.equal(d.length, 6);
    assert.equal(d.keyframe, true);
  });

  it("parses a 7-bit PictureID, T without K, and no extension", () => {
    const d = new Vp8Descriptor();
    // X S | I T | pid 0x55 | TID=1 Y=0 (KEYIDX bits ignored without K) | P=1
    assert.equal(parseVp8Descriptor(Buffer.from([0x90, 0xa0, 0x55, 0x5f, 0x01]), 0, 5, d), true);
    assert.equal(d.pictureId, 0x55);
    assert.equal(d.pictureIdBits, 7);
    assert.equal(d.temporalId, 1);
    assert.equal(d.keyIdx, -1);
    assert.equal(d.length, 4);
    assert.equal(d.keyframe, false);
    assert.equal(parseVp8Descriptor(Buffer.from([0x01, 0x10]), 0, 2, d), true);
    assert.equal(d.length, 1);
    assert.equal(d.partitionId, 1);
    assert.equal(d.pictureId, -1);
    assert.equal(d.pictureIdAt, -1);
    assert.equal(d.keyframe, false); // not partition 0 start
  });

  it("rejects truncated descriptors", () => {
    const d = new Vp8Descriptor();
    const full = [0x90, 0xf0, 0x92, 0x34, 200, 0xb1];
    for (let n = 0; n < full.length; n++) {
      assert.equal(parseVp8Descriptor(Buffer.from(full.slice(0, n)), 0, n, d), false, `length ${n}`);
    }
    assert.equal(parseVp8Descriptor(Buffer.from(full), 0, full.length, d), true);
    assert.equal(parseVp8Descriptor(Buffer.from(full), 0, full.length + 1, d), false); // end beyond the buffer
  });
});

describe("in-place writers", () => {
  it("keep the PictureID width and the neighbouring bits", () => {
    const buf = Buffer.from([0x00, 0x90, 0xf0, 0x92, 0x34, 200, 0xb1, 0x10]);
    writeVp8PictureId(buf, 1, 2, 15, 0x8001); // taken modulo 2^15
    assert.deepEqual([...buf.subarray(3, 5)], [0x80, 0x01]);
    writeVp8Tl0PicIdx(buf, 1, 4, 257);
    assert.equal(buf[5], 1);
    writeVp8KeyIdx(buf, 1, 5, 33); // TID=2 Y=1 kept, KEYIDX = 1
    assert.equal(buf[6], 0xa1);
    const seven = Buffer.from([0x90, 0x80, 0x7f, 0x10]);
    writeVp8PictureId(seven, 0, 2, 7, 0x1280); // low 7 bits, M stays 0
    assert.deepEqual([...seven], [0x90, 0x80, 0x00, 0x10]);
    const d = new Vp8Descriptor();
    assert.equal(parseVp8Descriptor(buf, 1, buf.length, d), true);
    assert.equal(d.pictureId, 1);
    assert.equal(d.tl0PicIdx, 1);
    assert.equal(d.keyIdx, 1);
    assert.equal(d.temporalId, 2);
  });
});

describe("readVp8KeyframeSize (RFC 6386 §9.1)", () => {
  it("reads the coded size of a real libvpx key frame (testsrc 64×48)", () => {
    const d = new Vp8Descriptor();
    parseVp8Descriptor(REAL_KEYFRAME, 12, REAL_KEYFRAME.length, d);
    const size = readVp8KeyframeSize(REAL_KEYFRAME, 12 + d.length, REAL_KEYFRAME.length);
    assert.deepEqual([size >>> 16, size & 0xffff], [64, 48]);
  });

  it("masks the scaling bits and rejects inter frames and truncation", () => {
    // frame tag (P=0), start code, width 1280 with scale bits set, height 720
    const key = Buffer.from([0x50, 0x1a, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x45, 0xd0, 0x02]);
    const size = readVp8KeyframeSize(key, 0, key.length);
    assert.deepEqual([size >>> 16, size & 0xffff], [1280, 720]);
    assert.equal(readVp8KeyframeSize(REAL_INTER, 12 + 4, REAL_INTER.length), -1);
    assert.equal(readVp8KeyframeSize(key, 0, 9), -1);
    const noStartCode = Buffer.from(key);
    noStartCode[4] = 0x02;
    assert.equal(readVp8KeyframeSize(noStartCode, 0, noStartCode.length), -1);
  });
});
