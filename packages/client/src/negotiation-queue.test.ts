/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { NegotiationQueue } from "./negotiation-queue.js";

function controlledRuns() {
  const releases: (() => void)[] = [];
  const failures: ((error: unknown) => void)[] = [];
  let started = 0;
  const run = (captured: () => void) =>
    new Promise<void>((resolve, reject) => {
      started++;
      captured();
      releases.push(resolve);
      failures.push(reject);
    });
  return { run, releases, failures, started: () => started };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("requests made while one run is in flight coalesce into one follow-up", async () => {
  const runs = controlledRuns();
  const queue = new NegotiationQueue(runs.run);
  const first = queue.request();
  await tick();
  const second = queue.request();
  const third = queue.request();
  assert.equal(second, third, "followers share one promise");
  assert.equal(runs.started(), 1);
  runs.releases[0]();
  await first;
  await tick();
  assert.equal(runs.started(), 2, "exactly one follow-up run");
  runs.releases[1]();
  await Promise.all([second, third]);
  await tick();
  assert.equal(runs.started(), 2);
  assert.equal(queue.busy, false);
});

test("an idle queue starts a run immediately", async () => {
  let runs = 0;
  const queue = new NegotiationQueue(async () => {
    runs++;
  });
  await queue.request();
  await queue.request();
  assert.equal(runs, 2);
});

test("a failed run rejects its own callers only; the follow-up still runs", async () => {
  const runs = controlledRuns();
  const queue = new NegotiationQueue(runs.run);
  const first = queue.request();
  await tick();
  const second = queue.request();
  runs.failures[0](new Error("offer refused"));
  await assert.rejects(first, /offer refused/);
  await tick();
  assert.equal(runs.started(), 2);
  runs.releases[1]();
  await second;
});

test("a run that throws synchronously is reported as a rejection", async () => {
  const queue = new NegotiationQueue(() => {
    throw new Error("sync");
  });
  await assert.rejects(queue.request(), /sync/);
  assert.equal(queue.busy, false);
});

test("requests made before the running negotiation read its state join that run", async () => {
  let runs = 0;
  let capture: (() => void) | undefined;
  let release: (() => void) | undefined;
  const queue = new NegotiationQueue(
    (captured) =>
      new Promise<void>((resolve) => {
        runs++;
        capture = captured;
        release = resolve;
      }),
  );
  const first = queue.request();
  const joined = queue.request();
  assert.equal(joined, first, "not captured yet: same run");
  capture?.();
  const later = queue.request();
  assert.notEqual(later, first, "captured: needs a follow-up");
  release?.();
  await first;
  await tick();
  assert.equal(runs, 2);
  release?.();
  await later;
});
