import assert from "node:assert/strict";
import { test } from "node:test";
import { OverloadGuard, type Sheddable } from "./overload-guard.js";

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
  const guard = new OverloadGuard({ high: 0.9, low: 0.7, step: 0.25 });
  const audio = Array.from({ length: 8 }, (_, i) => stream("audio", 100 + i));
  const video = Array.from({ length: 8 }, (_, i) => stream("video", i, i === 2 ? 0.3 : 0));
  const all = [...audio, ...video];
  guard.sample(0.5, all, 0);
  assert.equal(guard.shedCount, 0, "no shedding with headroom");
  guard.sample(0.99, all, 250);
  assert.deepEqual(
    video.filter((s) => s.shed).map((s) => s.serial),
    [2, 7],
    "a quarter of the video: the lossy one, then the newest",
  );
  guard.sample(0.99, all, 500);
  assert.equal(guard.shedCount, 4);
  assert.ok(audio.every((s) => !s.shed));
  guard.sample(0.8, all, 750);
  assert.equal(guard.shedCount, 4, "between the thresholds nothing changes (hysteresis)");
  guard.sample(0.5, all, 1000);
  assert.equal(guard.shedCount, 2, "restores a step");
  assert.deepEqual(
    video.filter((s) => s.restored > 0).map((s) => s.serial),
    [5, 6],
    "restores the oldest, least lossy first",
  );
  guard.sample(0.5, all, 1250);
  assert.equal(guard.shedCount, 0);
  assert.ok(video.every((s) => !s.shed));
  assert.equal(guard.totalShed, 4);
});

test("shedding stops when every video stream is shed", () => {
  const guard = new OverloadGuard({ high: 0.9, low: 0.7, step: 0.5 });
  const video = [stream("video", 0), stream("video", 1)];
  for (let i = 0; i < 5; i++) guard.sample(1, video, i * 250);
  assert.equal(guard.shedCount, 2);
  assert.equal(guard.totalShed, 2);
});
