import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateRtcpCompound } from "../rtcp/compound.js";
import { newTwccInfo, parseTwcc } from "../rtcp/twcc.js";
import { TwccRecorder } from "./twcc-recorder.js";

interface Decoded {
  fbPktCount: number;
  /** Sequence number → arrival ms (reference time + deltas), NaN when reported lost. */
  arrivals: Map<number, number>;
  order: number[];
}

const status = new Uint8Array(65536);
const deltas = new Int16Array(65536);

/** Drains the recorder and decodes every packet with twcc.ts's parser. */
function drain(r: TwccRecorder, maxBytes = 1200): Decoded[] {
  const out: Decoded[] = [];
  const buf = Buffer.alloc(1500);
  for (let n = r.writeFeedback(buf, 0, maxBytes); n !== 0; n = r.writeFeedback(buf, 0, maxBytes)) {
    assert.ok(n > 0 && n <= maxBytes, `packet of ${n} bytes`);
    assert.equal(validateRtcpCompound(buf, n), 1);
    const info = newTwccInfo();
    const count = parseTwcc(buf, 0, n, info, status, deltas);
    assert.equal(count, info.statusCount);
    let ticks = info.referenceTime * 256;
    const arrivals = new Map<number, number>();
    const order: number[] = [];
    for (let i = 0; i < count; i++) {
      const seq = (info.baseSeq + i) & 0xffff;
      order.push(seq);
      if (status[i] === 0) arrivals.set(seq, Number.NaN);
      else {
        ticks += deltas[i];
        arrivals.set(seq, ticks / 4);
      }
    }
    out.push({ fbPktCount: info.fbPktCount, arrivals, order });
  }
  return out;
}

function merged(packets: Decoded[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of packets) for (const [s, t] of p.arrivals) if (!m.has(s) || Number.isNaN(m.get(s)!)) m.set(s, t);
  return m;
}

describe("TwccRecorder", () => {
  it("encode → decode gives the arrival times back within 250 µs", () => {
    const r = new TwccRecorder({ senderSsrc: 7 });
    const sent = new Map<number, number>();
    let t = 1_000_000.123;
    for (let i = 0; i < 300; i++) {
      t += 0.1 + ((i * 7919) % 23) * 0.37; // irregular spacing, sub-ms
      sent.set(i, t);
      r.record(i, t, 0x11223344);
    }
    const packets = drain(r);
    assert.ok(packets.length >= 1);
    const got = merged(packets);
    assert.equal(got.size, 300);
    for (const [seq, at] of sent) {
      const back = got.get(seq)!;
      assert.ok(Math.abs(back - at) < 0.25, `seq ${seq}: ${back} vs ${at}`);
    }
    assert.equal(r.pending, 0);
    assert.equal(drain(r).length, 0);
  });

  it("sequence wrap, lost packets, and the feedback packet count", () => {
    const r = new TwccRecorder({ senderSsrc: 7 });
    const lost = new Set([65534, 2, 3, 4, 40]);
    let t = 500;
    for (let k = 0; k < 60; k++) {
      const seq = (65530 + k) & 0xffff;
      t += 2;
      if (!lost.has(seq)) r.record(seq, t);
    }
    const first = drain(r);
    for (let k = 0; k < 10; k++) r.record((65530 + 60 + k) & 0xffff, t + 10 + k);
    const second = drain(r);
    assert.deepEqual(
      [...first, ...second].map((p) => p.fbPktCount),
      [0, 1],
    );
    const got = merged([...first, ...second]);
    assert.equal(got.size, 70);
    for (const s of lost) assert.ok(Number.isNaN(got.get(s)!), `seq ${s} reported lost`);
    assert.equal(first[0].order[0], 65530);
    assert.equal(second[0].order[0], (65530 + 60) & 0xffff); // no overlap, no gap
  });

  it("reordering: a late packet already reported lost is reported again as received", () => {
    const r = new TwccRecorder({ senderSsrc: 7 });
    for (let s = 0; s < 10; s++) if (s !== 5) r.record(s, 100 + s);
    const before = merged(drain(r));
    assert.ok(Number.isNaN(before.get(5)!));
    r.record(5, 120); // arrived late
    r.record(10, 121);
    const after = merged(drain(r));
    assert.ok(Math.abs(after.get(5)! - 120) < 0.25);
    assert.ok(Math.abs(after.get(10)! - 121) < 0.25);
    // Reordered within one interval: negative delta (two-byte symbol) round-trips too.
    const q = new TwccRecorder({ senderSsrc: 7 });
    q.record(0, 50);
    q.record(2, 51);
    q.record(1, 52);
    q.record(3, 49.5);
    const m = merged(drain(q));
    assert.deepEqual(
      [0, 1, 2, 3].map((s) => Math.round(m.get(s)! * 4) / 4),
      [50, 52, 51, 49.5],
    );
  });

  it("splits by size, and after a silence longer than 8 s (delta not representable)", () => {
    const r = new TwccRecorder({ senderSsrc: 7 });
    for (let s = 0; s < 2000; s++) r.record(s, 10 + s * 0.9 + (s % 3) * 70); // many large deltas
    const packets = drain(r, 300);
    assert.ok(packets.length > 5);
    const got = merged(packets);
    assert.equal(got.size, 2000);
    for (let s = 0; s < 2000; s++) assert.ok(Math.abs(got.get(s)! - (10 + s * 0.9 + (s % 3) * 70)) < 0.25);

    const q = new TwccRecorder({ senderSsrc: 7 });
    q.record(100, 1000);
    q.record(101, 1000 + 9000);
    const split = drain(q);
    assert.equal(split.length, 2);
    assert.ok(Math.abs(merged(split).get(101)! - 10_000) < 0.25);
  });

  it("large gaps: a long loss run is cheap; a jump past the history starts afresh", () => {
    const r = new TwccRecorder({ senderSsrc: 7, historySize: 8192 });
    r.record(0, 1);
    r.record(5000, 2); // 4999 lost in between: run-length chunks
    const packets = drain(r);
    assert.equal(packets.length, 1);
    const got = merged(packets);
    assert.equal(got.size, 5001);
    assert.ok(Math.abs(got.get(5000)! - 2) < 0.25);

    r.record(20000, 3); // 15000 ahead, beyond the 8192-packet history
    const after = drain(r);
    assert.equal(after.length, 1);
    assert.deepEqual(after[0].order, [20000]);
    r.record(19999, 4); // one step back from the new start: still reported
    assert.deepEqual(drain(r)[0].order, [19999, 20000]);
    r.record(20000 - 9000, 5); // older than the history: dropped
    assert.equal(r.tooOld, 1);
    assert.equal(drain(r).length, 0);
    // A sender restarting 30000 behind looks "old"; after 64 such packets we follow it.
    for (let k = 0; k < 64; k++) r.record(55536 + k, 10 + k); // 55536 = 20000 - 30000 (mod 2^16)
    assert.equal(r.tooOld, 64);
    const restarted = merged(drain(r));
    assert.ok(restarted.has(55536 + 63));
    r.record(55536 + 64, 80);
    assert.deepEqual(drain(r)[0].order, [55536 + 64]);
  });

  it("record() allocates nothing per packet", () => {
    const r = new TwccRecorder({ senderSsrc: 7 });
    const buf = Buffer.alloc(1500);
    for (let i = 0; i < 1000; i++) r.record(i, i);
    r.writeFeedback(buf, 0);
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 1000; i < 2_001_000; i++) {
      r.record(i & 0xffff, i * 0.1);
      if (i % 500 === 0) while (r.writeFeedback(buf, 0) > 0);
    }
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 8_000_000, `heap grew ${grown} bytes over 2M packets`);
  });
});
