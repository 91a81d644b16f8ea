/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkToken } from "./token-check.js";

const token = (payload: object) =>
  `${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.sig`;

test("reports the stable code for each problem found before connecting", () => {
  const now = 1_700_000_000;
  assert.deepEqual(checkToken(null, "a", now), { ok: false, code: "TOKEN_MISSING" });
  assert.deepEqual(checkToken("garbage", "a", now), { ok: false, code: "TOKEN_INVALID" });
  assert.deepEqual(checkToken(token({ room: "a", exp: now - 3600 }), "a", now), { ok: false, code: "TOKEN_EXPIRED" });
  assert.deepEqual(checkToken(token({ room: "a", nbf: now + 3600, exp: now + 7200 }), "a", now), {
    ok: false,
    code: "TOKEN_NOT_YET_VALID",
  });
  assert.deepEqual(checkToken(token({ room: "b", exp: now + 60 }), "a", now), { ok: false, code: "TOKEN_WRONG_ROOM" });
  const ok = checkToken(token({ room: "a", name: "Alice", exp: now + 60 }), "a", now);
  assert.equal(ok.ok, true);
  assert.equal(ok.ok && ok.claims.name, "Alice");
});
