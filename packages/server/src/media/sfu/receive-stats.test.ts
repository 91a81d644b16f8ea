import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReceiveStats } from "./receive-stats.js";

/** Feeds sequence numbers (20 ms apart, timestamps in step: constant transit). */
function feed(s: ReceiveStats, seqs: number[], startMs = 0): number[] {
  return seqs.map((seq, i) => s.update(seq, seq * 960, startMs + i * 20));
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => (from + i) & 0xffff);

describe("ReceiveStats.update", () => {
  it("first packet initializes; in-order packets report no loss", () => {
    const s = new ReceiveStats(48000);
    assert.equal(s.hasData, false);
    assert.deepEqual(feed(s, [100, 101, 102, 103]), [0, 0, 0, 0]);
    assert.equal(s.hasData, true);
    assert.equal(s.received, 4);
    assert.equal(s.extendedHighestSequence, 103);
  });

  it("a gap returns the number of missing packets", () => {
    const s = new ReceiveStats(90000);
    assert.deepEqual(feed(s, [100, 104, 105, 110]), [0, 3, 0, 4]);
    assert.equal(s.extendedHighestSequence, 110);
  });

  it("reordered and duplicate packets return 0 and keep the highest sequence", () => {
    const s = new ReceiveStats(90000);
    assert.deepEqual(feed(s, [100, 104, 102, 104, 101]), [0, 3, 0, 0, 0]);
    assert.equal(s.extendedHighestSequence, 104);
    assert.equal(s.received, 5, "duplicates count as received (RFC 3550 A.3)");
  });

  it("the 65535 → 0 wrap increments the cycle count", () => {
    const s = new ReceiveStats(90000);
    assert.deepEqual(feed(s, [65534, 65535, 0, 1]), [0, 0, 0, 0]);
    assert.equal(s.extendedHighestSequence, 65536 + 1);
    assert.equal(s.update(65535, 0, 100), 0, "a late packet from before the wrap");
    assert.equal(s.extendedHighestSequence, 65537);
  });

  it("a gap across the wrap", () => {
    const s = new ReceiveStats(90000);
    assert.deepEqual(feed(s, [65533, 2]), [0, 4]); // 65534, 65535, 0, 1 missing
    assert.equal(s.extendedHighestSequence, 65536 + 2);
  });
});

describe("ReceiveStats.takeLoss (RFC 3550 A.3)", () => {
  it("worked example: fraction = lost_interval * 256 / expected_interval, cumulative total", () => {
    const s = new ReceiveStats(90000);
    // Interval 1: 1000..1099 expected (100), 10 lost → 10 * 256 / 100 = 25.6 → 25.
    const lost1 = new Set([1003, 1010, 1011, 1012, 1040, 1041, 1077, 1080, 1090, 1098]);
    feed(
      s,
      range(1000, 1099).filter((q) => !lost1.has(q)),
    );
    assert.deepEqual(s.takeLoss(), { fractionLost: 25, totalLost: 10 });
    // Interval 2: 1100..1199 all received.
    feed(s, range(1100, 1199));
    assert.deepEqual(s.takeLoss(), { fractionLost: 0, totalLost: 10 });
    // Interval 3: 1200..1249 with 5 lost → 5 * 256 / 50 = 25.6 → 25; total 15.
    feed(
      s,
      range(1200, 1249).filter((q) => q % 10 !== 5),
    );
    assert.deepEqual(s.takeLoss(), { fractionLost: 25, totalLost: 15 });
    // Interval 4: nothing received at all.
    assert.deepEqual(s.takeLoss(), { fractionLost: 0, totalLost: 15 });
    // Interval 5: 1250, then 1350 → 101 expected, 2 received, 99 lost → 99 * 256 / 101 = 250.9 → 250.
    feed(s, [1250, 1350]);
    assert.deepEqual(s.takeLoss(), { fractionLost: 250, totalLost: 114 });
  });

  it("counts across the wrap", () => {
    const s = new ReceiveStats(90000);
    feed(
      s,
      range(65500, 65535 + 64).filter((q) => q !== 65535 && q !== 7),
    );
    // expected 100 (65500..65599 extended), received 98.
    assert.deepEqual(s.takeLoss(), { fractionLost: Math.floor((2 * 256) / 100), totalLost: 2 });
  });

  it("duplicates make the interval's loss negative: fraction 0, total may go below zero", () => {
    const s = new ReceiveStats(90000);
    feed(s, [10, 11, 11, 12, 12]);
    assert.deepEqual(s.takeLoss(), { fractionLost: 0, totalLost: -2 });
  });
});

describe("ReceiveStats jitter (RFC 3550 A.8)", () => {
  it("is 0 for a constant transit time", () => {
    const s = new ReceiveStats(48000);
    feed(s, range(0, 500));
    assert.equal(s.jitter, 0);
  });

  it("J += (|D| - J) / 16 and converges to a constant |D|", () => {
    const s = new ReceiveStats(90000);
    // 25 fps, timestamps 3600 apart; arrivals alternate 0 / 10 ms late → |D| = 900 units each packet.
    const at = (i: number) => s.update(i, i * 3600, i * 40 + (i % 2 ? 10 : 0));
    at(0);
    at(1);
    assert.equal(s.jitter, 900 / 16);
    at(2);
    assert.equal(s.jitter, 900 / 16 + (900 - 900 / 16) / 16);
    for (let i = 3; i < 300; i++) at(i);
    assert.ok(Math.abs(s.jitter - 900) < 0.5, String(s.jitter));
    // Back to a constant transit: the jitter decays towards 0.
    for (let i = 300; i < 600; i++) s.update(i, i * 3600, i * 40);
    assert.ok(s.jitter < 0.5, String(s.jitter));
  });
});
