import assert from "node:assert/strict";
import { it } from "node:test";
import { MessageRateLimiter } from "./rate-limiter.js";

it("MessageRateLimiter: burst, refill over time, byte budget", () => {
  const l = new MessageRateLimiter({ messagesPerSecond: 2, messageBurst: 3, bytesPerSecond: 100, byteBurst: 150 }, 0);
  assert.deepEqual([l.take(10, 0), l.take(10, 0), l.take(10, 0), l.take(10, 0)], [true, true, true, false]);
  assert.equal(l.take(10, 499), false, "under one message refilled");
  assert.equal(l.take(10, 500), true);
  assert.equal(l.take(200, 10_000), false, "larger than the byte burst");
  assert.equal(l.take(150, 10_000), true);
  assert.equal(l.take(1, 10_000), false, "byte bucket empty");
  assert.equal(l.take(1, 10_010), true, "1 byte refilled after 10 ms");
});
