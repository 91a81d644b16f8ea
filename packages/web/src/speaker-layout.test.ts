import assert from "node:assert/strict";
import { test } from "node:test";
import { spotlight } from "./speaker-layout.js";

test("small rooms keep the plain grid", () => {
  assert.deepEqual(spotlight(6, "PA_a"), { pinnedSid: null, cells: 6 });
});

test("large rooms pin the dominant speaker in a 2×2 tile", () => {
  assert.deepEqual(spotlight(7, "PA_a"), { pinnedSid: "PA_a", cells: 10 });
  assert.deepEqual(spotlight(12, undefined), { pinnedSid: null, cells: 12 }, "nobody speaks: nothing pinned");
});
