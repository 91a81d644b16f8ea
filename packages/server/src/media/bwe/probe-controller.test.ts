import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProbeBitrateEstimator } from "./probe-bitrate-estimator.js";
import { ProbeController } from "./probe-controller.js";

describe("ProbeController", () => {
  it("start-up: 3× then 6× the estimate, at the target rate, only when more is wanted", () => {
    const idle = new ProbeController({ maxBps: 10_000_000 });
    assert.equal(idle.process(0, 300_000, 300_000), null);
    const p = new ProbeController({ maxBps: 10_000_000 });
    const first = p.process(0, 300_000, 5_000_000);
    assert.ok(first);
    assert.equal(first.targetBps, 900_000);
    assert.ok(first.bytes >= first.minPackets * 1000);
    assert.ok(Math.abs((first.bytes * 8000) / first.durationMs - first.targetBps) < 1, "bytes over duration = target rate");
    const firstId = first.id;
    assert.equal(p.process(first.durationMs - 1, 300_000, 5_000_000), null, "the second waits for the first to finish");
    const second = p.process(first.durationMs, 300_000, 5_000_000);
    assert.ok(second);
    assert.equal(second.targetBps, 1_800_000);
    assert.ok(second.id > firstId);
  });

  it("exponential: keeps doubling while the estimate follows the probes and more is wanted", () => {
    const p = new ProbeController({ maxBps: 10_000_000 });
    p.process(0, 300_000, 8_000_000);
    p.process(100, 300_000, 8_000_000);
    assert.equal(p.process(200, 600_000, 8_000_000), null, "estimate below 70 % of the last target");
    const next = p.process(300, 1_500_000, 8_000_000);
    assert.equal(next?.targetBps, 3_000_000);
    assert.equal(p.process(400, 1_600_000, 8_000_000), null);
    assert.equal(p.process(450, 2_500_000, 8_000_000)?.targetBps, 5_000_000);
  });

  it("allocator-driven: steps 1.25–1.5× toward the wish; failures back off 2, 4, then at most 5 s", () => {
    const p = new ProbeController({ maxBps: 10_000_000 });
    p.process(0, 1_000_000, 1_000_000); // nothing wanted: stays in start-up
    const start = p.process(10, 1_000_000, 1_100_000);
    assert.equal(start?.targetBps, 3_000_000); // start-up probing, capped by max only
    p.process(40, 1_000_000, 1_100_000);
    assert.equal(p.process(2000, 1_000_000, 1_100_000), null); // start-up times out → idle
    const times: number[] = [];
    for (let t = 2000; t < 40_000; t += 50) {
      const c = p.process(t, 1_000_000, 4_000_000);
      if (c) {
        times.push(t);
        assert.equal(c.targetBps, 1_500_000);
        p.onProbeResult(c.id, 1_000_000); // failed: the path gave no more
      }
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps.length >= 3);
    // Each gap is the 1 s result wait plus the back-off: 2 s, 4 s, then capped at 5 s (a lifted limit is found soon).
    assert.ok(gaps[0] >= 3000 && gaps[1] > gaps[0] && gaps.slice(1).every((g) => g >= 5000 && g <= 6100), `gaps ${gaps.join(",")}`);
    // The estimate rising 25 % on its own re-allows probing at once.
    const last = times[times.length - 1];
    const again = p.process(last + 1100, 1_300_000, 4_000_000);
    assert.equal(again?.targetBps, 1_950_000);
  });
});

describe("ProbeController when a bottleneck appears", () => {
  it("start-up probing is offered only in the first seconds: later, more wanted means a 1.25–1.5× step", () => {
    const p = new ProbeController({ maxBps: 10_000_000 });
    assert.equal(p.process(0, 1_000_000, 900_000), null);
    assert.equal(p.process(5_000, 1_000_000, 900_000), null);
    assert.equal(p.process(6_000, 1_000_000, 3_000_000)?.targetBps, 1_500_000, "not 3× and 6×");
  });

  it("no probe for 2 s after the estimate fell, the hold extends while it keeps falling", () => {
    // The case a real 600 kbit/s token bucket showed: the estimate collapses, so the streams now
    // want more than it — the worst moment to add bursts to the bottleneck's full queue.
    const p = new ProbeController({ maxBps: 10_000_000 });
    assert.equal(p.process(0, 1_200_000, 1_000_000), null);
    assert.equal(p.process(1_000, 1_200_000, 1_000_000), null);
    assert.equal(p.process(1_100, 530_000, 1_000_000), null, "fell: hold, even in start-up");
    assert.equal(p.process(2_000, 450_000, 1_000_000), null);
    assert.equal(p.process(3_900, 450_000, 1_000_000), null, "2 s after the last decrease only");
    const c = p.process(4_000, 450_000, 1_000_000);
    assert.ok(c, "then probing resumes");
    assert.ok(c.targetBps <= 3 * 450_000);
  });

  it("small wobbles of the estimate do not hold probing", () => {
    const p = new ProbeController({ maxBps: 10_000_000 });
    p.process(0, 1_000_000, 900_000);
    p.process(6_000, 1_000_000, 900_000);
    assert.ok(p.process(6_050, 980_000, 2_000_000), "a 2 % dip is not a decrease");
  });
});

describe("ProbeBitrateEstimator", () => {
  /** Cluster of `n` packets of `size` sent at `sendBps`, through a bottleneck of `linkBps`. */
  function run(sendBps: number, linkBps: number, n = 10, size = 1000): number {
    const e = new ProbeBitrateEstimator();
    for (let i = 0; i < n; i++) e.onSent(7);
    let result = Number.NaN;
    let linkFree = 0;
    for (let i = 0; i < n; i++) {
      const sendMs = (i * size * 8000) / sendBps;
      linkFree = Math.max(linkFree, sendMs) + (size * 8000) / linkBps;
      result = e.onAcked(7, sendMs, linkFree + 20, size);
    }
    return result;
  }

  it("unsaturated: the send rate", () => {
    const r = run(2_000_000, 10_000_000);
    assert.ok(Math.abs(r - 2_000_000) < 20_000, `${r}`);
  });

  it("saturated: a little under the bottleneck rate", () => {
    const r = run(4_000_000, 1_500_000);
    assert.ok(r < 1_500_000 && r > 1_300_000, `${r}`);
  });

  it("needs 80 % of the cluster", () => {
    const e = new ProbeBitrateEstimator();
    for (let i = 0; i < 10; i++) e.onSent(3);
    let r = Number.NaN;
    for (let i = 0; i < 7; i++) r = e.onAcked(3, i, i + 10, 1000);
    assert.ok(Number.isNaN(r));
    r = e.onAcked(3, 7, 17, 1000);
    assert.ok(!Number.isNaN(r));
    assert.ok(Number.isNaN(e.onAcked(99, 0, 0, 1000)), "unknown cluster");
  });
});
