import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { parseBweTrace } from "./bwe-trace.js";
import { SendSideBwe } from "./send-side-bwe.js";

// A recorded trace (bwe/bwe-trace.ts), not a simulation: every packet the SFU sent to a real
// Chromium subscriber and every transport-cc feedback that Chromium returned, while a real
// tc-tbf token bucket in a network namespace capped the path at 600 kbit/s for 9 s
// (network-bandwidth.test with RELAIS_BWE_TRACE_DIR). Replayed through a fresh estimator
// configured as SubscriberBandwidth configures it.
const FIXTURE = new URL("../../../test-fixtures/bwe/tbf-600kbit.bwe.txt.gz", import.meta.url);
const CAP_BPS = 600_000;

function replay(): { capMs: number; liftMs: number; samples: { t: number; bps: number }[] } {
  const text = gunzipSync(readFileSync(FIXTURE)).toString("utf8");
  const capMs = Number(/^# cap (\d+)/m.exec(text)?.[1]);
  const liftMs = Number(/^# lift (\d+)/m.exec(text)?.[1]);
  assert.ok(capMs > 0 && liftMs > capMs, "the fixture says when the cap was set and lifted");
  const bwe = new SendSideBwe({ startBps: 1_000_000, maxBps: 20_000_000, probeDurationMs: 250 });
  const samples: { t: number; bps: number }[] = [];
  let feedback = 0;
  for (const e of parseBweTrace(text)) {
    if (e.kind === "sent") bwe.onPacketSent(e.twSeq, e.t, e.size, e.cluster);
    else if (e.kind === "feedback") {
      assert.ok(bwe.onTransportFeedbackPacket(e.packet, 0, e.packet.length, e.t), "every recorded feedback parses");
      feedback++;
    } else samples.push({ t: e.t, bps: bwe.estimateBps }); // where the live SFU allocated, every ~250 ms
  }
  assert.ok(feedback > 100 && samples.length > 40, `a real trace (${feedback} feedback packets)`);
  return { capMs, liftMs, samples };
}

const between = (s: { t: number; bps: number }[], from: number, to: number) => s.filter((x) => x.t >= from && x.t < to).map((x) => x.bps);
const kbit = (v: number[]) => v.map((b) => Math.round(b / 1000)).join(",");

test("recorded trace: 720p over an unconstrained path, then a 600 kbit/s token bucket for 9 s, then lifted", () => {
  const { capMs, liftMs, samples } = replay();
  const before = between(samples, capMs - 3000, capMs);
  assert.ok(
    before.every((b) => b >= 1_000_000),
    `unconstrained: never below 1 Mbit/s (the forwarded f was ~700 kbit/s): ${kbit(before)}`,
  );
  const firstSecond = between(samples, capMs, capMs + 1000);
  assert.ok(
    firstSecond.some((b) => b <= CAP_BPS),
    `the cap is detected within 1 s: ${kbit(firstSecond)}`,
  );
  const capped = between(samples, capMs + 1000, liftMs);
  assert.ok(
    capped.every((b) => b <= 1.2 * CAP_BPS),
    `never more than 1.2 × the cap while it holds: ${kbit(capped)}`,
  );
  assert.ok(
    capped.every((b) => b >= 100_000),
    `never collapsing to the floor (the lowest layer stays possible): ${kbit(capped)}`,
  );
  const sorted = [...capped].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  assert.ok(median >= 120_000 && median <= CAP_BPS, `median under the cap ${Math.round(median / 1000)} kbit/s`);
  const lifted = between(samples, liftMs, liftMs + 3000);
  assert.ok(
    lifted.some((b) => b >= 1_000_000),
    `above 1 Mbit/s within 3 s of the lift (probes find it): ${kbit(lifted)}`,
  );
});
