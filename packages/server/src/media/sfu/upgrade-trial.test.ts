import assert from "node:assert/strict";
import { test } from "node:test";
import { UPGRADE_BACKOFF_MS, UpgradeTrial } from "./upgrade-trial.js";

test("one layer up at a time; downgrades at once", () => {
  const u = new UpgradeTrial();
  assert.equal(u.guard(0, 2, 2, 3e6, 0), 1, "q → h first");
  assert.equal(u.guard(1, 2, 2, 3e6, 3_000), 2, "h held its trial: → f");
  assert.equal(u.guard(2, 0, 2, 3e6, 3_100), 0);
});

test("a layer the estimate takes back within 3 s waits out a back-off of 10 s, then 20 s", () => {
  const u = new UpgradeTrial();
  assert.equal(u.guard(0, 1, 2, 1_000_000, 0), 1, "trial of h (after a probe)");
  assert.equal(u.guard(1, 0, 2, 600_000, 1_000), 0, "the estimate fell: failed");
  assert.equal(u.guard(0, 1, 2, 1_000_000, 2_000), 0, "blocked");
  assert.equal(u.guard(0, 1, 2, 1_000_000, 1_000 + UPGRADE_BACKOFF_MS - 1), 0);
  assert.equal(u.guard(0, 1, 2, 1_000_000, 1_000 + UPGRADE_BACKOFF_MS), 1, "after 10 s: a new trial");
  assert.equal(u.guard(1, 0, 2, 500_000, 12_000), 0, "fails again");
  assert.equal(u.guard(0, 1, 2, 1_000_000, 12_000 + 19_999), 0, "now blocked for 20 s");
  assert.equal(u.guard(0, 1, 2, 1_000_000, 12_000 + 20_000), 1);
});

test("taken back for another reason than the path, a trial ends without a back-off", () => {
  // The layer's price spiked (a new layer's first keyframe) while the estimate held.
  const price = new UpgradeTrial();
  assert.equal(price.guard(0, 1, 1, 1_000_000, 0), 1);
  assert.equal(price.guard(1, 0, 1, 1_000_000, 250), 0);
  assert.equal(price.guard(0, 1, 1, 1_000_000, 500), 1, "granted again at once");
  // The tile shrank, or dynacast paused the layer: no longer wanted.
  const shrink = new UpgradeTrial();
  assert.equal(shrink.guard(0, 1, 1, 1_000_000, 0), 1);
  assert.equal(shrink.guard(1, 0, 0, 400_000, 250), 0);
  assert.equal(shrink.guard(0, 1, 1, 1_000_000, 500), 1, "wanted again: granted again");
});

test("a trial that held resets the back-off", () => {
  const u = new UpgradeTrial();
  u.guard(0, 1, 1, 1e6, 0);
  u.guard(1, 0, 1, 5e5, 100); // failed: blocked 10 s, next back-off 20 s
  assert.equal(u.guard(0, 1, 1, 1e6, 10_100), 1);
  assert.equal(u.guard(1, 1, 1, 1e6, 13_100), 1, "held for 3 s");
  assert.equal(u.guard(1, 0, 1, 5e5, 13_200), 0, "a downgrade, not a trial");
  assert.equal(u.guard(0, 1, 1, 1e6, 13_300), 1, "a new trial at once");
  assert.equal(u.guard(1, 0, 1, 5e5, 13_400), 0, "fails");
  assert.equal(u.guard(0, 1, 1, 1e6, 13_400 + UPGRADE_BACKOFF_MS), 1, "the back-off is 10 s again, not 20 s");
});
