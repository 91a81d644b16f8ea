import assert from "node:assert/strict";
import { test } from "node:test";
import { OverloadGuard, type Sheddable } from "./overload-guard.js";
import type { ThreadLoad } from "./thread-load.js";

const busy = (utilisation: number, cpu: number | null = utilisation): ThreadLoad => ({ utilisation, cpu });

function stream(kind: "audio" | "video", serial: number, reportedLoss = 0): Sheddable & { restored: number } {
  return {
    kind,
    serial,
    reportedLoss,
    shed: false,
    restored: 0,
    restore() {
      this.restored++;
    },
  };
}

test("overload sheds video of the lossiest, then newest subscribers, a step at a time; audio never", () => {
  const guard = new OverloadGuard({ high: 0.9, low: 0.7, step: 0.25, sustain: 1, minCpu: 0.5 });
  const audio = Array.from({ length: 8 }, (_, i) => stream("audio", 100 + i));
  const video = Array.from({ length: 8 }, (_, i) => stream("video", i, i === 2 ? 0.3 : 0));
  const all = [...audio, ...video];
  guard.sample(busy(0.5), all, 0);
  assert.equal(guard.shedCount, 0, "no shedding with headroom");
  guard.sample(busy(0.99), all, 250);
  assert.deepEqual(
    video.filter((s) => s.shed).map((s) => s.serial),
    [2, 7],
    "a quarter of the video: the lossy one, then the newest",
  );
  guard.sample(busy(0.99), all, 500);
  assert.equal(guard.shedCount, 4);
  assert.ok(audio.every((s) => !s.shed));
  guard.sample(busy(0.8), all, 750);
  assert.equal(guard.shedCount, 4, "between the thresholds nothing changes (hysteresis)");
  guard.sample(busy(0.5), all, 1000);
  assert.equal(guard.shedCount, 2, "restores a step");
  assert.deepEqual(
    video.filter((s) => s.restored > 0).map((s) => s.serial),
    [5, 6],
    "restores the oldest, least lossy first",
  );
  guard.sample(busy(0.5), all, 1250);
  assert.equal(guard.shedCount, 0);
  assert.ok(video.every((s) => !s.shed));
  assert.equal(guard.totalShed, 4);
});

test("shedding stops when every video stream is shed", () => {
  const guard = new OverloadGuard({ high: 0.9, low: 0.7, step: 0.5, sustain: 1, minCpu: 0.5 });
  const video = [stream("video", 0), stream("video", 1)];
  for (let i = 0; i < 5; i++) guard.sample(busy(1), video, i * 250);
  assert.equal(guard.shedCount, 2);
  assert.equal(guard.totalShed, 2);
});

test("a spike is not saturation: shedding starts after `sustain` samples in a row", () => {
  const guard = new OverloadGuard({ high: 0.9, low: 0.7, step: 0.5, sustain: 3, minCpu: 0.5 });
  const video = [stream("video", 0), stream("video", 1)];
  guard.sample(busy(1), video, 0);
  guard.sample(busy(1), video, 250);
  guard.sample(busy(0.8), video, 500);
  guard.sample(busy(1), video, 750);
  guard.sample(busy(1), video, 1000);
  assert.equal(guard.shedCount, 0, "never three samples in a row");
  guard.sample(busy(1), video, 1250);
  assert.equal(guard.shedCount, 1, "the third in a row sheds");
  guard.sample(busy(1), video, 1500);
  assert.equal(guard.shedCount, 2, "and each further one steps on at once");
});

test("a worker starved of CPU by other processes does not shed its subscribers", () => {
  const guard = new OverloadGuard({ high: 0.9, low: 0.7, step: 0.5, sustain: 1, minCpu: 0.5 });
  const video = [stream("video", 0), stream("video", 1)];
  for (let i = 0; i < 8; i++) guard.sample(busy(1, 0.3), video, i * 250);
  assert.equal(guard.shedCount, 0);
  assert.equal(guard.starvedSamples, 8);
  guard.sample(busy(1, null), video, 2000);
  assert.equal(guard.shedCount, 1, "without a CPU reading, utilisation alone decides");
});
