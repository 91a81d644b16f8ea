import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MungeOutcome, RtpMunger } from "./rtp-munger.js";

const CLOCK = 90000;

/** Maps and returns [outcome, outSequence, outTimestamp]. */
function map(m: RtpMunger, seq: number, ts: number, nowMs = 0): [number, number, number] {
  const r = m.map(seq, ts, nowMs);
  return [r, m.outSequence, m.outTimestamp];
}

describe("RtpMunger", () => {
  it("maps the first source to itself by default, or to the configured start", () => {
    const m = new RtpMunger({ clockRate: CLOCK });
    m.switchSource(0, 1234, 5678, 0);
    assert.deepEqual(map(m, 1234, 5678), [MungeOutcome.NEWEST, 1234, 5678]);
    const s = new RtpMunger({ clockRate: CLOCK, initialSequence: 100, initialTimestamp: 9000 });
    s.switchSource(0, 1234, 5678, 0);
    assert.deepEqual(map(s, 1234, 5678), [MungeOutcome.NEWEST, 100, 9000]);
    assert.deepEqual(map(s, 1235, 8678), [MungeOutcome.NEWEST, 101, 12000]);
  });

  it("continues seq at last + 1 and ts by the elapsed time on a switch", () => {
    const m = new RtpMunger({ clockRate: CLOCK, initialSequence: 10, initialTimestamp: 1000 });
    m.switchSource(0, 500, 70000, 0);
    map(m, 500, 70000, 0);
    map(m, 501, 73000, 33);
    assert.equal(m.lastSequence, 11);
    assert.equal(m.lastTimestamp, 4000);
    // 40 ms later the keyframe of layer 2 arrives: its numbering is unrelated.
    m.switchSource(2, 40000, 123456789, 73);
    assert.deepEqual(map(m, 40000, 123456789, 73), [MungeOutcome.NEWEST, 12, 4000 + 40 * 90]);
    assert.deepEqual(map(m, 40001, 123456789 + 3000, 80), [MungeOutcome.NEWEST, 13, 4000 + 3600 + 3000]);
    assert.equal(m.layer, 2);
    assert.equal(m.epoch, 1);
  });

  it("advances ts by at least 1 when no time passed", () => {
    const m = new RtpMunger({ clockRate: CLOCK, initialSequence: 0, initialTimestamp: 50 });
    m.switchSource(0, 9, 0, 1000);
    map(m, 9, 0, 1000);
    m.switchSource(1, 77, 888, 1000);
    assert.deepEqual(map(m, 77, 888, 1000), [MungeOutcome.NEWEST, 1, 51]);
  });

  it("wraps source and outgoing sequence numbers and timestamps", () => {
    const m = new RtpMunger({ clockRate: CLOCK, initialSequence: 65534, initialTimestamp: 0xffffff00 });
    m.switchSource(0, 65533, 0xfffffff0, 0);
    const seqs: number[] = [];
    const tss: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [r, s, t] = map(m, (65533 + i) & 0xffff, (0xfffffff0 + i * 0x80) >>> 0, i);
      assert.equal(r, MungeOutcome.NEWEST);
      seqs.push(s);
      tss.push(t);
    }
    assert.deepEqual(seqs, [65534, 65535, 0, 1, 2]);
    assert.deepEqual(tss, [0xffffff00, 0xffffff80, 0x00000000, 0x00000080, 0x00000100]);
    // A switch across the wrap keeps going.
    m.switchSource(1, 65535, 0xffffffff, 4);
    assert.deepEqual(map(m, 65535, 0xffffffff, 4), [MungeOutcome.NEWEST, 3, 0x101]);
    assert.deepEqual(map(m, 0, 2, 5), [MungeOutcome.NEWEST, 4, 0x104]);
  });

  it("drops packets of the new source from before the switch point", () => {
    const m = new RtpMunger({ clockRate: CLOCK });
    m.switchSource(0, 100, 0, 0);
    map(m, 100, 0);
    m.switchSource(1, 2, 500, 10);
    assert.equal(map(m, 2, 500, 10)[0], MungeOutcome.NEWEST);
    assert.equal(m.map(1, 400, 11), MungeOutcome.BEFORE_SWITCH);
    assert.equal(m.map(65535, 400, 11), MungeOutcome.BEFORE_SWITCH, "before the switch, across the wrap");
  });

  it("maps late packets into the numbers reserved for them", () => {
    const m = new RtpMunger({ clockRate: CLOCK, initialSequence: 65530 });
    m.switchSource(0, 200, 0, 0);
    map(m, 200, 0);
    assert.deepEqual(map(m, 203, 0), [MungeOutcome.NEWEST, 65533, 0]); // 201, 202 lost for now
    assert.deepEqual(map(m, 210, 0), [MungeOutcome.NEWEST, 4, 0]); // wraps, 204..209 pending
    assert.deepEqual(map(m, 201, 0), [MungeOutcome.OUT_OF_ORDER, 65531, 0]);
    assert.deepEqual(map(m, 207, 0), [MungeOutcome.OUT_OF_ORDER, 1, 0]);
    assert.equal(m.map(207, 0, 0), MungeOutcome.DUPLICATE);
    assert.equal(m.lastSequence, 4, "late packets do not move the head");
  });

  it("drops packets older than the history", () => {
    const m = new RtpMunger({ clockRate: CLOCK, historySize: 64 });
    m.switchSource(0, 0, 0, 0);
    for (let s = 0; s <= 100; s++) m.map(s, 0, 0);
    assert.equal(m.map(37, 0, 0), MungeOutcome.DUPLICATE);
    assert.equal(m.map(36, 0, 0), MungeOutcome.TOO_OLD);
    assert.equal(m.map(30, 0, 0), MungeOutcome.TOO_OLD);
  });

  it("closes up behind skipped packets, and late packets still map right", () => {
    const m = new RtpMunger({ clockRate: CLOCK, initialSequence: 1000 });
    m.switchSource(0, 10, 0, 0);
    map(m, 10, 0); // -> 1000
    // 11 is lost, 12 is a padding-only probe we do not forward
    m.skip(12);
    assert.deepEqual(map(m, 13, 0), [MungeOutcome.NEWEST, 1002, 0]);
    assert.deepEqual(map(m, 11, 0), [MungeOutcome.OUT_OF_ORDER, 1001, 0]);
    m.skip(14);
    m.skip(15);
    assert.deepEqual(map(m, 16, 0), [MungeOutcome.NEWEST, 1003, 0]);
    assert.equal(m.map(12, 0, 0), MungeOutcome.DUPLICATE, "a skipped packet cannot take a sent number");
  });

  it("answers NACKs with the source layer and sequence of an outgoing number", () => {
    const m = new RtpMunger({ clockRate: CLOCK, initialSequence: 65534, initialTimestamp: 0 });
    m.switchSource(0, 300, 1000, 0);
    map(m, 300, 1000, 0); // 65534
    map(m, 301, 1000, 0); // 65535
    m.switchSource(2, 7, 555, 20);
    map(m, 7, 555, 20); // 0
    map(m, 9, 555, 21); // 2 (8 missing)
    assert.equal(m.lookup(65535), true);
    assert.deepEqual([m.lookupLayer, m.lookupSequence, m.lookupEpoch], [0, 301, 0]);
    assert.equal((1000 + m.lookupTimestampOffset) >>> 0, 0);
    assert.equal(m.lookup(2), true);
    assert.deepEqual([m.lookupLayer, m.lookupSequence, m.lookupEpoch], [2, 9, 1]);
    assert.equal((555 + m.lookupTimestampOffset) >>> 0, 20 * 90);
    assert.equal(m.lookup(1), false, "never sent (source loss)");
    assert.equal(m.lookup(3), false, "not sent yet");
    assert.equal(m.lookup(30000), false);
  });

  it("forgets NACK entries older than the history", () => {
    const m = new RtpMunger({ clockRate: CLOCK, historySize: 16, initialSequence: 0 });
    m.switchSource(0, 0, 0, 0);
    for (let s = 0; s < 40; s++) m.map(s, 0, 0);
    assert.equal(m.lookup(39), true);
    assert.equal(m.lookup(24), true);
    assert.equal(m.lookup(23), false);
  });
});
