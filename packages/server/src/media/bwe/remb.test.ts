import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { writePli, writeRemb } from "../rtcp/feedback.js";
import { publisherRembBps, RembEstimate } from "./remb.js";

describe("RembEstimate", () => {
  it("takes the subscriber's REMB value, clamped, and ignores other packets", () => {
    const e = new RembEstimate({ startBps: 500_000, minBps: 50_000, maxBps: 3_000_000 });
    const buf = Buffer.alloc(64);
    let n = writeRemb(buf, 0, 1, 1_234_567, [0xaabbccdd]);
    assert.ok(e.onRtcp(buf, 0, n, 10));
    // The mantissa is rounded down (18 bits), so the value is within 2^-17 below.
    assert.ok(e.estimateBps <= 1_234_567 && e.estimateBps > 1_234_567 * (1 - 2 ** -17));
    assert.equal(e.lastUpdateMs, 10);
    n = writeRemb(buf, 0, 1, 40_000_000, [1]);
    e.onRtcp(buf, 0, n, 20);
    assert.equal(e.estimateBps, 3_000_000);
    n = writeRemb(buf, 0, 1, 1000, [1]);
    e.onRtcp(buf, 0, n, 30);
    assert.equal(e.estimateBps, 50_000);
    n = writePli(buf, 0, 1, 2);
    assert.equal(e.onRtcp(buf, 0, n, 40), false);
    assert.equal(e.lastUpdateMs, 30);
  });
});

describe("publisherRembBps", () => {
  const simulcast = [150_000, 500_000, 1_500_000];

  it("sums the simulcast layers up to the highest wanted, with headroom", () => {
    assert.equal(publisherRembBps([{ layerBps: simulcast, maxWantedLayer: 2 }], { headroom: 1 }), 2_150_000);
    assert.equal(publisherRembBps([{ layerBps: simulcast, maxWantedLayer: 1 }], { headroom: 1 }), 650_000);
    assert.equal(publisherRembBps([{ layerBps: simulcast, maxWantedLayer: 1 }], { headroom: 1.2 }), 780_000);
  });

  it("SVC layers are cumulative; several tracks add up", () => {
    const svc = { layerBps: [200_000, 600_000, 1_200_000], maxWantedLayer: 1, svc: true };
    const screen = { layerBps: [800_000], maxWantedLayer: 0 };
    assert.equal(publisherRembBps([svc, screen], { headroom: 1 }), 1_400_000);
  });

  it("nobody watching keeps the lowest layer; bounds apply", () => {
    assert.equal(publisherRembBps([{ layerBps: simulcast, maxWantedLayer: -1 }], { headroom: 1 }), 150_000);
    assert.equal(publisherRembBps([], { minBps: 100_000 }), 100_000);
    assert.equal(publisherRembBps([{ layerBps: simulcast, maxWantedLayer: 2 }], { maxBps: 1_000_000 }), 1_000_000);
    assert.equal(publisherRembBps([{ layerBps: simulcast, maxWantedLayer: 7 }], { headroom: 1 }), 2_150_000); // capped at the top layer
  });
});
