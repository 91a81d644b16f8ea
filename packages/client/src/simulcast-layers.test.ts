/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { planCameraSimulcast } from "./simulcast-layers.js";

test("a 720p camera gets q, h, f at 1/4, 1/2 and full size with LiveKit-like bitrates", () => {
  const plan = planCameraSimulcast(1280, 720);
  assert.ok(plan);
  assert.deepEqual(plan.layers, [
    { rid: "q", width: 320, height: 180, maxBitrate: 150_000 },
    { rid: "h", width: 640, height: 360, maxBitrate: 500_000 },
    { rid: "f", width: 1280, height: 720, maxBitrate: 1_700_000 },
  ]);
  assert.deepEqual(plan.encodings, [
    { rid: "q", scaleResolutionDownBy: 4, maxBitrate: 150_000 },
    { rid: "h", scaleResolutionDownBy: 2, maxBitrate: 500_000 },
    { rid: "f", scaleResolutionDownBy: 1, maxBitrate: 1_700_000 },
  ]);
});

test("bitrates scale with the pixel count; 540p is the first size with three layers", () => {
  const full = planCameraSimulcast(1920, 1080);
  assert.deepEqual(
    full?.layers.map((l) => [l.rid, l.width, l.height, l.maxBitrate]),
    [
      ["q", 480, 270, 337_500],
      ["h", 960, 540, 1_125_000],
      ["f", 1920, 1080, 3_825_000],
    ],
  );
  assert.deepEqual(
    planCameraSimulcast(960, 540)?.layers.map((l) => l.rid),
    ["q", "h", "f"],
  );
});

test("270p to 539p gets two layers (q at half size, h at full size)", () => {
  const vga = planCameraSimulcast(640, 480);
  assert.deepEqual(vga?.layers, [
    { rid: "q", width: 320, height: 240, maxBitrate: 200_000 },
    { rid: "h", width: 640, height: 480, maxBitrate: 666_667 },
  ]);
  assert.deepEqual(
    vga?.encodings.map((e) => [e.rid, e.scaleResolutionDownBy]),
    [
      ["q", 2],
      ["h", 1],
    ],
  );
  assert.equal(planCameraSimulcast(480, 270)?.layers.length, 2);
  assert.equal(planCameraSimulcast(960, 539)?.layers.length, 2);
});

test("small or unknown sizes are not simulcast; portrait cameras are judged by their short side", () => {
  assert.equal(planCameraSimulcast(320, 240), null);
  assert.equal(planCameraSimulcast(480, 269), null);
  assert.equal(planCameraSimulcast(undefined, 720), null);
  assert.equal(planCameraSimulcast(1280, 0), null);
  const portrait = planCameraSimulcast(720, 1280);
  assert.deepEqual(
    portrait?.layers.map((l) => [l.rid, l.width, l.height]),
    [
      ["q", 180, 320],
      ["h", 360, 640],
      ["f", 720, 1280],
    ],
  );
  // Odd sizes round to whole pixels.
  assert.deepEqual(
    planCameraSimulcast(1366, 768)?.layers.map((l) => [l.width, l.height]),
    [
      [342, 192],
      [683, 384],
      [1366, 768],
    ],
  );
});
