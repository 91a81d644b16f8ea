/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { clientError, RelaisError } from "./errors.js";
import { backoffDelayMs, resumeWithBackoff } from "./reconnect.js";

test("backoff doubles from 250 ms and caps at 2 s", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelayMs(n)),
    [250, 500, 1000, 2000, 2000, 2000, 2000],
  );
});

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

/** Runs the resume loop on a fake clock; `attempt(n)` (n from 1) throws or returns the resumed value. */
async function resume(deadlineMs: number, attempt: (n: number) => string) {
  const clock = fakeClock();
  let attempts = 0;
  const outcome = await resumeWithBackoff({ ...clock, deadlineMs, attempt: async () => attempt(++attempts) });
  return { outcome, clock, attempts };
}

test("retries transient failures until an attempt succeeds", async () => {
  const { outcome, clock } = await resume(60_000, (n) => {
    if (n < 3) throw clientError(n === 1 ? "SIGNAL_UNREACHABLE" : "SIGNAL_CLOSED");
    return "joined";
  });
  assert.deepEqual(outcome, { ok: true, value: "joined" });
  assert.deepEqual(clock.sleeps, [250, 500, 1000]);
});

test("gives up when the resume window passes", async () => {
  const { outcome, clock } = await resume(5_000, () => {
    throw clientError("SIGNAL_UNREACHABLE");
  });
  assert.equal(outcome.ok, false);
  assert.equal(!outcome.ok && outcome.reason, "expired");
  assert.ok(clock.now() <= 5_000);
});

test("stops at once when the server refuses the resume", async () => {
  const { outcome, attempts } = await resume(60_000, () => {
    throw new RelaisError("RESUME_FAILED");
  });
  assert.equal(attempts, 1);
  assert.equal(!outcome.ok && outcome.reason, "rejected");
  assert.ok(!outcome.ok && outcome.error instanceof RelaisError && outcome.error.code === "RESUME_FAILED");
});

test("RATE_LIMITED is retried no sooner than the server's retryAfterS, within the window", async () => {
  const { outcome, clock } = await resume(60_000, (n) => {
    if (n === 1) throw new RelaisError("RATE_LIMITED", "Too many joins", { retryAfterS: 7 });
    if (n === 2) throw new RelaisError("RATE_LIMITED", "Too many joins"); // no hint: the capped backoff
    return "joined";
  });
  assert.deepEqual(outcome, { ok: true, value: "joined" });
  assert.deepEqual(clock.sleeps, [250, 7000, 2000]);
  const { outcome: expired } = await resume(5_000, () => {
    throw new RelaisError("RATE_LIMITED", "Too many joins", { retryAfterS: 30 });
  });
  assert.equal(!expired.ok && expired.reason, "expired", "a retry after the window is not attempted");
});

test("stops when the user leaves meanwhile", async () => {
  const clock = fakeClock();
  let left = false;
  const outcome = await resumeWithBackoff({
    ...clock,
    deadlineMs: 60_000,
    aborted: () => left,
    attempt: async () => {
      left = true;
      throw clientError("SIGNAL_CLOSED");
    },
  });
  assert.equal(!outcome.ok && outcome.reason, "aborted");
});
