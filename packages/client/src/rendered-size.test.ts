/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { desiredTrackSettings, drawnVideoSize, type ElementBox } from "./rendered-size.js";

const box = (over: Partial<ElementBox>): ElementBox => ({
  width: 640,
  height: 360,
  videoWidth: 1280,
  videoHeight: 720,
  objectFit: "contain",
  visible: true,
  ...over,
});

test("object-fit cover draws the video larger than its box; other fits use the box", () => {
  // A 16:9 video covering a tall 600×800 box is drawn 1422×800 (and cropped).
  const cover = drawnVideoSize(box({ width: 600, height: 800, objectFit: "cover" }));
  assert.equal(Math.round(cover.width), 1422);
  assert.equal(cover.height, 800);
  assert.deepEqual(drawnVideoSize(box({ width: 600, height: 800 })), { width: 600, height: 800 });
  // Before the first frame the intrinsic size is unknown: the box is all there is.
  assert.deepEqual(drawnVideoSize(box({ width: 600, height: 800, objectFit: "cover", videoWidth: 0, videoHeight: 0 })), {
    width: 600,
    height: 800,
  });
});

test("the largest visible rendering decides, in device pixels; none visible → disabled", () => {
  const boxes = [box({ width: 200, height: 400 }), box({ width: 500, height: 100 }), box({ width: 4000, height: 4000, visible: false })];
  assert.deepEqual(desiredTrackSettings(boxes, 2), { width: 1000, height: 800, disabled: false });
  assert.deepEqual(desiredTrackSettings([box({ visible: false }), box({ width: 0, height: 0 })], 1), {
    width: 0,
    height: 0,
    disabled: true,
  });
  assert.deepEqual(desiredTrackSettings([], 1), { width: 0, height: 0, disabled: true });
  // A fractional ratio rounds to whole pixels.
  assert.deepEqual(desiredTrackSettings([box({ width: 333, height: 187 })], 1.5), { width: 500, height: 281, disabled: false });
});

test("manual dimensions and enabled override the elements; values are clamped to the protocol's range", () => {
  assert.deepEqual(desiredTrackSettings([], 1, { enabled: true }), { width: 0, height: 0, disabled: false });
  assert.deepEqual(desiredTrackSettings([box({})], 1, { enabled: false }), { width: 640, height: 360, disabled: true });
  assert.deepEqual(desiredTrackSettings([box({})], 2, { size: { width: 320, height: 180 } }), { width: 320, height: 180, disabled: false });
  assert.deepEqual(desiredTrackSettings([box({})], 1, { size: { width: 99_999, height: -3 } }), {
    width: 16_384,
    height: 0,
    disabled: false,
  });
});
