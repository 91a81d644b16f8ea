import assert from "node:assert/strict";
import { test } from "node:test";
import { layerForViewport } from "../media/sfu/simulcast/layer-selector.js";
import { simulcastPlan } from "./simulcast-plan.js";
import { reportedSize } from "./subscriber-sizes.js";

const layers = simulcastPlan("720p");
const states = layers.map((l) => ({ width: l.width, height: l.height, bitrateBps: 0, live: true }));
/** The layer the SFU's selector would pick for a reported size (no size: the top one). */
const chosen = (size: { width: number; height: number } | null) =>
  size === null ? layers.length - 1 : layerForViewport(states, size.width, size.height, 1, 0.15, "contain");

test("top reports nothing: every subscriber gets the top layer", () => {
  assert.equal(reportedSize("top", 0, layers, 1), null);
});

test("mixed spreads subscribers over every layer in turn; rotate moves each to the next layer per step", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => chosen(reportedSize("mixed", i, layers, 1))),
    [0, 1, 2, 0, 1],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((step) => chosen(reportedSize("rotate", 1, layers, 1, step))),
    [1, 2, 0, 1],
  );
});

test("auto reports a grid tile: one video full size, four a quarter each, nine or more the smallest layers", () => {
  assert.deepEqual(reportedSize("auto", 0, layers, 1), { width: 1280, height: 720 });
  assert.deepEqual(reportedSize("auto", 0, layers, 4), { width: 640, height: 360 });
  assert.equal(chosen(reportedSize("auto", 0, layers, 1)), 2);
  assert.equal(chosen(reportedSize("auto", 0, layers, 3)), 1);
  assert.equal(chosen(reportedSize("auto", 0, layers, 16)), 0);
});
