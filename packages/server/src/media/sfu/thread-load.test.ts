import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSchedstat, ThreadLoadSampler } from "./thread-load.js";

test("schedstat: the first field is the thread's on-CPU time in ns", () => {
  assert.equal(parseSchedstat("131244849 158997085 47\n"), 131244849);
  assert.equal(parseSchedstat("garbage"), null);
});

test("a thread spinning for 100 ms shows high utilisation and, on Linux, a CPU share", () => {
  const sampler = new ThreadLoadSampler();
  const until = performance.now() + 100;
  while (performance.now() < until) {
    // busy
  }
  const load = sampler.sample();
  assert.ok(load.utilisation > 0.9, `utilisation ${load.utilisation}`);
  if (process.platform === "linux") {
    assert.ok(load.cpu !== null && load.cpu > 0 && load.cpu <= 1, `cpu ${load.cpu}`);
  }
});
