import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type LayerSelectionInput, LayerSelector, layerForViewport, type SimulcastLayerState } from "./layer-selector.js";

/** Chromium's default 3-layer ladder for a 1280×720 camera. */
function ladder(live = [true, true, true], bitrates = [150_000, 500_000, 1_700_000]): SimulcastLayerState[] {
  return [
    { width: 320, height: 180, bitrateBps: bitrates[0]!, live: live[0]! },
    { width: 640, height: 360, bitrateBps: bitrates[1]!, live: live[1]! },
    { width: 1280, height: 720, bitrateBps: bitrates[2]!, live: live[2]! },
  ];
}

function input(over: Partial<LayerSelectionInput> = {}): LayerSelectionInput {
  return {
    layers: ladder(),
    viewportWidth: 0,
    viewportHeight: 0,
    devicePixelRatio: 1,
    availableBps: Number.POSITIVE_INFINITY,
    maxLayer: 2,
    nowMs: 0,
    ...over,
  };
}

describe("layerForViewport", () => {
  const layers = ladder();
  it("picks the smallest layer covering the rendered size × devicePixelRatio", () => {
    assert.equal(layerForViewport(layers, 160, 90, 1, 0.15, "contain"), 0);
    assert.equal(layerForViewport(layers, 320, 180, 1, 0.15, "contain"), 0);
    assert.equal(layerForViewport(layers, 320, 180, 2, 0.15, "contain"), 1);
    assert.equal(layerForViewport(layers, 640, 360, 1, 0.15, "contain"), 1);
    assert.equal(layerForViewport(layers, 641, 361, 1, 0, "contain"), 2);
    assert.equal(layerForViewport(layers, 1920, 1080, 1, 0.15, "contain"), 2);
  });

  it("tolerates a slightly larger element", () => {
    assert.equal(layerForViewport(layers, 700, 394, 1, 0.15, "contain"), 1); // 640 ≥ 700 × 0.85
    assert.equal(layerForViewport(layers, 800, 450, 1, 0.15, "contain"), 2);
  });

  it("follows object-fit: a square tile shows 16:9 video letterboxed (contain) or cropped (cover)", () => {
    assert.equal(layerForViewport(layers, 640, 640, 1, 0, "contain"), 1);
    assert.equal(layerForViewport(layers, 640, 640, 1, 0, "cover"), 2);
  });

  it("has no size limit when the size is unknown", () => {
    assert.equal(layerForViewport(layers, 0, 0, 1, 0.15, "contain"), 2);
    assert.equal(layerForViewport(layers, 320, 180, 0, 0.15, "contain"), 0, "dpr 0 counts as 1");
  });
});

describe("LayerSelector", () => {
  it("pauses with maxLayer -1 and caps at maxLayer", () => {
    const s = new LayerSelector();
    assert.equal(s.select(input({ maxLayer: -1 }), 2), -1);
    assert.equal(s.keyframeNeeded, false);
    assert.equal(s.select(input({ maxLayer: 1 }), -1), 1);
    assert.equal(s.keyframeNeeded, true);
    assert.equal(s.select(input({ maxLayer: 1 }), 1), 1);
    assert.equal(s.keyframeNeeded, false);
  });

  it("follows the rendered size", () => {
    const s = new LayerSelector();
    assert.equal(s.select(input({ viewportWidth: 300, viewportHeight: 170 }), -1), 0);
    assert.equal(s.select(input({ viewportWidth: 1280, viewportHeight: 720 }), 0), 2, "size up, bandwidth unconstrained: at once");
    assert.equal(s.select(input({ viewportWidth: 600, viewportHeight: 340 }), 2), 1);
  });

  it("uses only live layers: the highest live one under the wanted layer, else the lowest above", () => {
    const s = new LayerSelector();
    assert.equal(s.select(input({ layers: ladder([true, true, false]) }), 2), 1);
    assert.equal(s.select(input({ layers: ladder([false, true, true]), viewportWidth: 320, viewportHeight: 180 }), 1), 1);
    assert.equal(s.select(input({ layers: ladder([false, false, true]), maxLayer: 1 }), 2), -1, "never above maxLayer");
    assert.equal(s.select(input({ layers: ladder([false, false, false]) }), 2), -1);
    assert.equal(s.keyframeNeeded, false);
  });

  it("goes down at once when bandwidth drops", () => {
    const s = new LayerSelector();
    assert.equal(s.select(input({ availableBps: 3_000_000 }), -1), 2);
    assert.equal(s.select(input({ availableBps: 1_000_000, nowMs: 100 }), 2), 1);
    assert.equal(s.keyframeNeeded, true);
    assert.equal(s.select(input({ availableBps: 100_000, nowMs: 200 }), 2), 0, "nothing fits: the lowest live layer");
  });

  it("goes up only with headroom, after it held for upswitchHoldMs", () => {
    const s = new LayerSelector({ upswitchHeadroom: 1.2, upswitchHoldMs: 1000 });
    assert.equal(s.select(input({ availableBps: 1_000_000, nowMs: 0 }), -1), 1);
    // 1.8 Mbps covers 1.7 Mbps but not 1.7 × 1.2: stay.
    assert.equal(s.select(input({ availableBps: 1_800_000, nowMs: 100 }), 1), 1);
    assert.equal(s.select(input({ availableBps: 1_800_000, nowMs: 5000 }), 1), 1);
    // Enough headroom: wait one second of it.
    assert.equal(s.select(input({ availableBps: 2_100_000, nowMs: 6000 }), 1), 1);
    assert.equal(s.select(input({ availableBps: 2_100_000, nowMs: 6500 }), 1), 1);
    assert.equal(s.select(input({ availableBps: 2_100_000, nowMs: 7000 }), 1), 2);
    assert.equal(s.keyframeNeeded, true);
  });

  it("restarts the up-switch timer when the headroom goes away", () => {
    const s = new LayerSelector({ upswitchHoldMs: 1000 });
    s.select(input({ availableBps: 1_000_000, nowMs: 0 }), -1);
    s.select(input({ availableBps: 2_500_000, nowMs: 1000 }), 1);
    s.select(input({ availableBps: 1_000_000, nowMs: 1500 }), 1);
    assert.equal(s.select(input({ availableBps: 2_500_000, nowMs: 2000 }), 1), 1, "held only 0 ms");
    assert.equal(s.select(input({ availableBps: 2_500_000, nowMs: 2999 }), 1), 1);
    assert.equal(s.select(input({ availableBps: 2_500_000, nowMs: 3000 }), 1), 2);
  });

  it("keeps a layer whose bitrate still fits without headroom (no flapping)", () => {
    const s = new LayerSelector();
    assert.equal(s.select(input({ availableBps: 2_100_000, nowMs: 0 }), -1), 2, "first choice: no hold");
    for (let t = 100; t < 3000; t += 100) {
      // the estimate wobbles between 1.75 and 1.95 Mbps; 1.7 Mbps always fits
      assert.equal(s.select(input({ availableBps: t % 200 === 0 ? 1_750_000 : 1_950_000, nowMs: t }), 2), 2);
    }
  });

  it("treats an unmeasured live layer as fitting", () => {
    const s = new LayerSelector();
    assert.equal(s.select(input({ layers: ladder([true, true, true], [150_000, 0, 0]), availableBps: 200_000 }), -1), 2);
  });
});
