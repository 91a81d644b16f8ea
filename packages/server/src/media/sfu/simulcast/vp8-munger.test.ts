import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseVp8Descriptor, Vp8Descriptor } from "./vp8-descriptor.js";
import { Vp8Munger } from "./vp8-munger.js";

/** A VP8 payload: X S | I L K | PictureID (7 or 15 bits) | TL0PICIDX | KEYIDX | payload header. */
function payload(pictureId: number, bits: 7 | 15, tl0: number, keyIdx: number, keyframe = false): Buffer {
  const pid = bits === 15 ? [0x80 | (pictureId >> 8), pictureId & 0xff] : [pictureId & 0x7f];
  return Buffer.from([0x90, 0xd0, ...pid, tl0, keyIdx, keyframe ? 0x10 : 0x11]);
}

function parsed(buf: Buffer): Vp8Descriptor {
  const d = new Vp8Descriptor();
  assert.equal(parseVp8Descriptor(buf, 0, buf.length, d), true);
  return d;
}

/** Munges (as newest) and writes into a copy; returns the parsed result. */
function forward(m: Vp8Munger, buf: Buffer, newest = true): Vp8Descriptor {
  const d = parsed(buf);
  m.munge(d, newest);
  const out = Buffer.from(buf);
  m.write(out, 0, d);
  assert.equal(out.length, buf.length, "rewritten in place");
  return parsed(out);
}

describe("Vp8Munger", () => {
  it("keeps the first source's numbering", () => {
    const m = new Vp8Munger();
    const first = payload(1000, 15, 7, 3, true);
    m.switchSource(parsed(first), 0);
    const d = forward(m, first);
    assert.deepEqual([d.pictureId, d.tl0PicIdx, d.keyIdx], [1000, 7, 3]);
  });

  it("continues PictureID, TL0PICIDX and KEYIDX across a switch", () => {
    const m = new Vp8Munger();
    m.switchSource(parsed(payload(1000, 15, 7, 3, true)), 0);
    for (let i = 0; i < 5; i++) forward(m, payload(1000 + i, 15, 7 + i, 3));
    // New layer numbers its pictures from 20000; its keyframe must follow picture 1004.
    const key = payload(20000, 15, 99, 30, true);
    m.switchSource(parsed(key), 1);
    let d = forward(m, key);
    assert.deepEqual([d.pictureId, d.tl0PicIdx, d.keyIdx], [1005, 12, 4]);
    d = forward(m, payload(20001, 15, 100, 30));
    assert.deepEqual([d.pictureId, d.tl0PicIdx, d.keyIdx], [1006, 13, 4]);
  });

  it("wraps 15-bit PictureID and 8-bit TL0PICIDX continuously", () => {
    const m = new Vp8Munger();
    m.switchSource(parsed(payload(32766, 15, 254, 31, true)), 0);
    forward(m, payload(32766, 15, 254, 31));
    const key = payload(5, 15, 0, 0, true);
    m.switchSource(parsed(key), 1);
    const ids: number[] = [];
    const tl0s: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = forward(m, payload(5 + i, 15, i, 0, i === 0));
      ids.push(d.pictureId);
      tl0s.push(d.tl0PicIdx);
    }
    assert.deepEqual(ids, [32767, 0, 1, 2]);
    assert.deepEqual(tl0s, [255, 0, 1, 2]);
  });

  it("keeps a 7-bit layer 7 bits wide and continuous modulo 128", () => {
    const m = new Vp8Munger();
    m.switchSource(parsed(payload(3000, 15, 1, 0, true)), 0);
    forward(m, payload(3000, 15, 1, 0)); // out 3000 = 0x0bb8, low 7 bits 0x38
    const key = payload(126, 7, 9, 0, true);
    m.switchSource(parsed(key), 1);
    const ids: number[] = [];
    for (const pid of [126, 127, 0, 1]) {
      const d = forward(m, payload(pid, 7, 9, 0, pid === 126));
      assert.equal(d.pictureIdBits, 7);
      ids.push(d.pictureId);
    }
    assert.deepEqual(ids, [0x39, 0x3a, 0x3b, 0x3c]);
    // and back to a 15-bit layer: continues from the 15-bit value behind the 7-bit ones
    const back = payload(500, 15, 40, 0, true);
    m.switchSource(parsed(back), 2);
    const d = forward(m, back);
    assert.equal(d.pictureId & 0x7f, 0x3d);
    assert.equal(d.pictureIdBits, 15);
  });

  it("does not let a late packet move the continuation point", () => {
    const m = new Vp8Munger();
    m.switchSource(parsed(payload(50, 15, 1, 0, true)), 0);
    forward(m, payload(50, 15, 1, 0));
    forward(m, payload(52, 15, 3, 0));
    assert.equal(forward(m, payload(51, 15, 2, 0), false).pictureId, 51);
    const key = payload(900, 15, 77, 0, true);
    m.switchSource(parsed(key), 1);
    assert.equal(forward(m, key).pictureId, 53);
  });

  it("remembers the offsets of recent epochs for retransmissions", () => {
    const m = new Vp8Munger();
    m.switchSource(parsed(payload(100, 15, 1, 0, true)), 0);
    forward(m, payload(100, 15, 1, 0));
    m.switchSource(parsed(payload(7000, 15, 50, 0, true)), 1);
    forward(m, payload(7000, 15, 50, 0));
    // A retransmission of epoch 0's picture 100 must go out as it did the first time.
    const old = parsed(payload(100, 15, 1, 0));
    assert.equal(m.mungeForEpoch(old, 0), true);
    assert.equal(m.outPictureId, 100);
    assert.equal(m.mungeForEpoch(parsed(payload(7000, 15, 50, 0)), 1), true);
    assert.equal(m.outPictureId, 101);
    for (let e = 2; e < 10; e++) m.switchSource(parsed(payload(e * 10, 15, 0, 0, true)), e);
    assert.equal(m.mungeForEpoch(old, 0), false, "epoch 0 forgotten after 8 more switches");
    assert.equal(m.mungeForEpoch(old, 9), true);
  });
});
