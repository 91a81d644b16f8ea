import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LayerBitrate } from "./layer-bitrate.js";

/** Feeds `layer` with `bps` as 1000-byte packets from `fromMs` to `toMs` (exclusive). */
function feed(m: LayerBitrate, layer: number, bps: number, fromMs: number, toMs: number): void {
  const intervalMs = (1000 * 8000) / bps;
  for (let t = fromMs; t < toMs; t += intervalMs) m.onPacket(layer, 1000, t);
}

const near = (actual: number, expected: number, tolerance = 0.1): void => {
  assert.ok(Math.abs(actual - expected) <= expected * tolerance, `${actual} not within ${tolerance * 100}% of ${expected}`);
};

describe("LayerBitrate", () => {
  it("measures each layer separately over the window", () => {
    const m = new LayerBitrate({ layers: 3 });
    feed(m, 0, 150_000, 0, 3000);
    feed(m, 1, 500_000, 0, 3000);
    feed(m, 2, 2_000_000, 0, 3000);
    near(m.bitrate(0, 3000), 150_000);
    near(m.bitrate(1, 3000), 500_000);
    near(m.bitrate(2, 3000), 2_000_000);
  });

  it("follows a rate change within one window", () => {
    const m = new LayerBitrate({ layers: 1 });
    feed(m, 0, 1_000_000, 0, 2000);
    feed(m, 0, 200_000, 2000, 4000);
    near(m.bitrate(0, 4000), 200_000);
  });

  it("measures a layer that just started over its own lifetime", () => {
    const m = new LayerBitrate({ layers: 2 });
    feed(m, 1, 800_000, 10_000, 10_300);
    near(m.bitrate(1, 10_300), 800_000, 0.15);
    assert.equal(m.bitrate(0, 10_300), 0);
  });

  it("reports liveness with the timeout, and no bitrate once stopped", () => {
    const m = new LayerBitrate({ layers: 2, liveTimeoutMs: 1000 });
    assert.equal(m.isLive(0, 0), false);
    feed(m, 0, 100_000, 0, 1000);
    const last = m.lastPacketAt(0);
    assert.ok(last >= 900 && last < 1000);
    assert.equal(m.isLive(0, last + 1000), true);
    assert.equal(m.isLive(0, last + 1001), false);
    assert.equal(m.bitrate(0, last + 1001), 0);
    assert.equal(m.isLive(5, 0), false);
    m.onPacket(7, 100, 0); // out of range: ignored
  });

  it("restarts its window when a stopped layer resumes", () => {
    const m = new LayerBitrate({ layers: 1 });
    feed(m, 0, 2_000_000, 0, 1000);
    feed(m, 0, 300_000, 5000, 5500);
    near(m.bitrate(0, 5500), 300_000, 0.15);
  });
});
