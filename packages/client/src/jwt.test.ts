/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeJwtPayload, tokenTimeStatus } from "./jwt.js";

function makeToken(payload: unknown): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode(payload)}.signature`;
}

test("decodes the payload, including non-ASCII names", () => {
  const claims = decodeJwtPayload(makeToken({ sub: "zoe", name: "Zoë Müller 🎥", room: "standup", exp: 2_000_000_000 }));
  assert.deepEqual(claims, { sub: "zoe", name: "Zoë Müller 🎥", room: "standup", exp: 2_000_000_000 });
});

test("returns null for anything that is not a JWT with a JSON object payload", () => {
  assert.equal(decodeJwtPayload(""), null);
  assert.equal(decodeJwtPayload("abc"), null);
  assert.equal(decodeJwtPayload("a.b"), null);
  assert.equal(decodeJwtPayload("a.!!!.c"), null);
  assert.equal(decodeJwtPayload(`x.${Buffer.from("not json").toString("base64url")}.y`), null);
  assert.equal(decodeJwtPayload(makeToken([1, 2])), null);
  assert.equal(decodeJwtPayload(makeToken("string")), null);
});

test("checks exp and nbf with clock skew", () => {
  assert.equal(tokenTimeStatus({ exp: 1000 }, 900), "valid");
  assert.equal(tokenTimeStatus({ exp: 1000 }, 1020), "valid", "within 30 s of skew");
  assert.equal(tokenTimeStatus({ exp: 1000 }, 1030), "expired");
  assert.equal(tokenTimeStatus({ nbf: 1000 }, 900), "notYetValid");
  assert.equal(tokenTimeStatus({ nbf: 1000 }, 980), "valid");
  assert.equal(tokenTimeStatus({}, 5), "valid");
});
