import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectionQualityTracker, meanOpinionScore, qualityFromMos, RECOVERY_REPORTS, worstLink } from "./connection-quality.js";

const clean = { lossPercent: 0, jitterMs: 1, rttMs: 1 };

test("a clean loopback link is excellent; loss, jitter and delay lower the score", () => {
  const best = meanOpinionScore(clean);
  assert.ok(best > 4.3 && best <= 4.5, `clean link MOS ${best}`);
  assert.equal(qualityFromMos(best), "excellent");
  assert.ok(meanOpinionScore({ ...clean, lossPercent: 2 }) < best);
  assert.ok(meanOpinionScore({ ...clean, jitterMs: 60 }) < best);
  assert.ok(meanOpinionScore({ ...clean, rttMs: 400 }) < best);
});

test("quality thresholds on synthetic stats (E-model)", () => {
  // 3% loss: R ≈ 84.7 → MOS ≈ 4.19, still excellent; 5%: R ≈ 79.7 → MOS ≈ 4.01, good.
  assert.equal(qualityFromMos(meanOpinionScore({ lossPercent: 3, jitterMs: 5, rttMs: 40 })), "excellent");
  assert.equal(qualityFromMos(meanOpinionScore({ lossPercent: 5, jitterMs: 5, rttMs: 40 })), "good");
  // 12% loss (LiveKit's own test case for Opus without FEC) is poor.
  assert.equal(qualityFromMos(meanOpinionScore({ lossPercent: 12, jitterMs: 5, rttMs: 40 })), "poor");
  // Long delay alone: 600 ms RTT and 100 ms jitter → poor.
  assert.equal(qualityFromMos(meanOpinionScore({ lossPercent: 0, jitterMs: 100, rttMs: 600 })), "poor");
  // Out-of-range inputs are clamped, never NaN.
  const worst = meanOpinionScore({ lossPercent: 250, jitterMs: -5, rttMs: -1 });
  assert.equal(worst, 1);
});

test("the worse direction decides", () => {
  const bad = { lossPercent: 20, jitterMs: 5, rttMs: 10 };
  assert.equal(worstLink(clean, bad), bad);
  assert.equal(worstLink(bad, clean), bad);
  assert.equal(worstLink(null, clean), clean);
  assert.equal(worstLink(null, null), null);
});

test("the tracker drops at once, recovers only after the better score held, and reports lost", () => {
  const t = new ConnectionQualityTracker();
  assert.equal(t.quality, "unknown");
  assert.equal(t.update(null, false), "excellent", "a fresh link without data starts excellent");
  assert.equal(t.update(clean, false), "excellent");
  assert.equal(t.update({ ...clean, lossPercent: 15 }, false), "poor", "worse news at once");
  for (let i = 1; i < RECOVERY_REPORTS; i++) assert.equal(t.update(clean, false), "poor", `still poor after ${i} good reports`);
  assert.equal(t.update({ ...clean, lossPercent: 5 }, false), "good", "recovers to the worst of the better reports");
  assert.equal(t.update(null, false), "good", "no data keeps the label");
  assert.equal(t.update(clean, true), "lost");
  assert.equal(t.mos, 0);
  assert.equal(t.update(clean, false), "excellent", "media back: no waiting after lost");
});

test("a one-report blip does not upgrade the label", () => {
  const t = new ConnectionQualityTracker();
  t.update({ ...clean, lossPercent: 15 }, false);
  t.update(clean, false);
  t.update({ ...clean, lossPercent: 15 }, false);
  t.update(clean, false);
  assert.equal(t.quality, "poor");
});
