import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_MAX_RETRY_AGE_MS, DEFAULT_RETRY_SCHEDULE_MS, nextAttemptAt, parseRetryAfter } from "./retry.js";

const policy = { scheduleMs: DEFAULT_RETRY_SCHEDULE_MS, maxAgeMs: DEFAULT_MAX_RETRY_AGE_MS };

test("backoff caps grow per attempt, then repeat the last step; full jitter spans [0, cap)", () => {
  const at = (attempts: number, random: number) => nextAttemptAt({ policy, attempts, createdAt: 0, now: 1000, random: () => random });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 20].map((n) => at(n, 0.5)! - 1000),
    [2500, 15_000, 60_000, 300_000, 1_800_000, 5_400_000, 10_800_000, 10_800_000],
  );
  assert.equal(at(1, 0), 1000);
  assert.equal(at(1, 0.999999), 1000 + 4999);
});

test("retries continue for 24 h after the event, then the delivery is dead", () => {
  let now = 0;
  let attempts = 0;
  // Worst case for the span: the longest waits every time, and still ≥ 24 h of trying.
  for (;;) {
    attempts++;
    const next = nextAttemptAt({ policy, attempts, createdAt: 0, now, random: () => 0.999999 });
    if (next === null) break;
    now = next;
  }
  assert.ok(now >= DEFAULT_MAX_RETRY_AGE_MS, `gave up after ${now} ms`);
  assert.ok(attempts >= 9 && attempts < 20, `${attempts} attempts`);
  assert.equal(nextAttemptAt({ policy, attempts: 1, createdAt: 0, now: DEFAULT_MAX_RETRY_AGE_MS, random: Math.random }), null);
  assert.equal(nextAttemptAt({ policy: { scheduleMs: [], maxAgeMs: 1e9 }, attempts: 1, createdAt: 0, now: 0, random: Math.random }), null);
});

test("Retry-After lengthens the wait, bounded by the longest step", () => {
  const base = { policy, attempts: 1, createdAt: 0, now: 0, random: () => 0 };
  assert.equal(nextAttemptAt({ ...base, retryAfterMs: 120_000 }), 120_000);
  assert.equal(nextAttemptAt({ ...base, retryAfterMs: 1e12 }), 6 * 3600_000);
  assert.equal(parseRetryAfter("120", 0), 120_000);
  assert.equal(parseRetryAfter(new Date(50_000).toUTCString(), 20_000), 30_000);
  assert.equal(parseRetryAfter("soon", 0), null);
  assert.equal(parseRetryAfter(null, 0), null);
});
