import assert from "node:assert/strict";
import { test } from "node:test";
import { newSecret } from "./api-keys.js";

test("a generated API secret is 256 bits of base64url that never starts with - or _", () => {
  const seen = new Set<string>();
  // 1 in 32 raw draws starts with - or _; 2000 draws leave ~60 that had to be redrawn.
  for (let i = 0; i < 2000; i++) {
    const s = newSecret();
    assert.match(s, /^[A-Za-z0-9][A-Za-z0-9_-]{42}$/);
    assert.equal(Buffer.from(s, "base64url").length, 32);
    seen.add(s);
  }
  assert.equal(seen.size, 2000);
});
