import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReplayWindow } from "./replay-window.js";
import { estimateRoc, RolloverState, rtpHeaderLength } from "./rtp-header.js";

describe("ReplayWindow", () => {
  it("accepts new indices, rejects duplicates and indices older than the window", () => {
    const w = new ReplayWindow(64, 1000);
    assert.equal(w.check(1000), false);
    assert.equal(w.check(1001), true);
    w.accept(1001);
    assert.equal(w.check(1001), false);
    assert.equal(w.check(990), true);
    w.accept(990);
    assert.equal(w.check(990), false);
    assert.equal(w.check(1001 - 63), true);
    assert.equal(w.check(1001 - 64), false);
  });

  it("forgets slots as the window slides, including jumps larger than the bitmap", () => {
    const w = new ReplayWindow(100, 0);
    for (let i = 1; i < 300; i += 2) w.accept(i);
    for (let i = 200; i < 300; i++) assert.equal(w.check(i), i % 2 === 0, `index ${i}`);
    w.accept(300 + 5000);
    for (let i = 5300 - 99; i < 5300; i++) assert.equal(w.check(i), true);
    assert.equal(w.check(5300), false);
    assert.equal(w.check(5300 - 100), false);
  });

  it("handles 48-bit indices", () => {
    const base = 0xffff_fff0 * 65536;
    const w = new ReplayWindow(128, base);
    w.accept(base + 70000);
    assert.equal(w.check(base + 70000 - 5), true);
    assert.equal(w.check(base + 70000), false);
    assert.equal(w.check(base), false);
  });

  it("validates its size", () => {
    assert.throws(() => new ReplayWindow(0, 0), RangeError);
    assert.throws(() => new ReplayWindow(1.5, 0), RangeError);
    assert.throws(() => new ReplayWindow(40000, 0), RangeError);
  });
});

describe("RTP index estimation (RFC 3711 Appendix A)", () => {
  it("guesses ROC+1 after a wrap and ROC-1 for late packets from before it", () => {
    assert.equal(estimateRoc(0, 65535, 0), 1);
    assert.equal(estimateRoc(0, 40000, 7000), 1);
    assert.equal(estimateRoc(1, 2, 65533), 0);
    assert.equal(estimateRoc(1, 2, 5), 1);
    assert.equal(estimateRoc(3, 50000, 49000), 3);
  });

  it("never guesses a negative ROC", () => {
    assert.equal(estimateRoc(0, 10, 60000), 0);
  });

  it("RolloverState only moves forward", () => {
    const s = new RolloverState(65534);
    s.update(0, 65535);
    s.update(1, 0);
    assert.deepEqual([s.roc, s.sl], [1, 0]);
    s.update(0, 65533);
    assert.deepEqual([s.roc, s.sl], [1, 0]);
  });
});

describe("rtpHeaderLength", () => {
  const base = (b0: number, extra: number[] = []): Buffer => Buffer.from([b0, 96, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, ...extra]);

  it("counts CSRCs and both RFC 8285 extension profiles", () => {
    assert.equal(rtpHeaderLength(base(0x80, [9, 9]), 14), 12);
    assert.equal(rtpHeaderLength(base(0x82, [0, 0, 0, 1, 0, 0, 0, 2, 0xaa]), 21), 20);
    const oneByte = base(0x90, [0xbe, 0xde, 0, 2, 0x10, 0xff, 0, 0, 0x22, 1, 2, 0, 0xaa]);
    assert.equal(rtpHeaderLength(oneByte, oneByte.length), 24);
    const twoByte = base(0x91, [0, 0, 0, 5, 0x10, 0x00, 0, 1, 1, 2, 0, 0, 0xaa]);
    assert.equal(rtpHeaderLength(twoByte, twoByte.length), 24);
  });

  it("rejects truncated headers and non-v2 packets", () => {
    assert.equal(rtpHeaderLength(base(0x80).subarray(0, 11), 11), -1);
    assert.equal(rtpHeaderLength(base(0x40), 12), -1);
    assert.equal(rtpHeaderLength(base(0x81), 12), -1);
    assert.equal(rtpHeaderLength(base(0x90), 12), -1);
    assert.equal(rtpHeaderLength(base(0x90, [0xbe, 0xde, 0, 1]), 16), -1);
    assert.equal(rtpHeaderLength(base(0x90, [0xbe, 0xde, 0, 1, 0, 0, 0, 0]), 20), 20);
  });
});
