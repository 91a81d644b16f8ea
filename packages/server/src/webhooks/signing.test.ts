import assert from "node:assert/strict";
import { test } from "node:test";
import { secretKey, sign, signatureHeaders, verify } from "./signing.js";

// The published vector of the Standard Webhooks reference libraries
// (libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

test("sign reproduces the Standard Webhooks vector byte for byte", () => {
  assert.equal(sign(VECTOR), VECTOR.signature);
  assert.equal(sign({ ...VECTOR, body: Buffer.from(VECTOR.body) }), VECTOR.signature);
  assert.equal(sign({ ...VECTOR, secret: VECTOR.secret.slice(6) }), VECTOR.signature, "prefix optional");
  assert.deepEqual(signatureHeaders({ ...VECTOR, secrets: [VECTOR.secret] }), {
    "webhook-id": VECTOR.id,
    "webhook-timestamp": "1614265330",
    "webhook-signature": VECTOR.signature,
  });
});

test("verify accepts the vector and rejects every tampering", () => {
  const headers = { "webhook-id": VECTOR.id, "webhook-timestamp": String(VECTOR.timestamp), "webhook-signature": VECTOR.signature };
  const at = { nowS: VECTOR.timestamp + 10 };
  assert.deepEqual(verify(VECTOR.body, headers, [VECTOR.secret], at), { ok: true, id: VECTOR.id, timestamp: VECTOR.timestamp });
  assert.deepEqual(verify(VECTOR.body, new Headers(headers), [VECTOR.secret], at).ok, true);

  const fail = (body: string, h: Record<string, string>, secrets = [VECTOR.secret], o = at) => {
    const r = verify(body, h, secrets, o);
    return r.ok ? "ok" : r.reason;
  };
  assert.equal(fail(`${VECTOR.body} `, headers), "no_matching_signature");
  assert.equal(fail(VECTOR.body, { ...headers, "webhook-id": "msg_other" }), "no_matching_signature");
  assert.equal(fail(VECTOR.body, headers, ["whsec_dGhpcyBpcyBub3QgdGhlIGtleQ=="]), "no_matching_signature");
  assert.equal(fail(VECTOR.body, { ...headers, "webhook-signature": "v1,dawfeoifkpqwoekfpqoekf" }), "no_matching_signature");
  assert.equal(fail(VECTOR.body, { ...headers, "webhook-signature": VECTOR.signature.slice(0, 8) }), "no_matching_signature");
  assert.equal(fail(VECTOR.body, { ...headers, "webhook-signature": "v1," }), "no_matching_signature");
  assert.equal(fail(VECTOR.body, { ...headers, "webhook-signature": VECTOR.signature.replace("v1,", "v2,") }), "no_matching_signature");
  assert.equal(fail(VECTOR.body, { ...headers, "webhook-timestamp": "hello" }), "invalid_timestamp");
  assert.equal(fail(VECTOR.body, { "webhook-id": VECTOR.id, "webhook-signature": VECTOR.signature }), "missing_header");
  assert.equal(fail(VECTOR.body, headers, [VECTOR.secret], { nowS: VECTOR.timestamp + 301 }), "timestamp_out_of_tolerance");
  assert.equal(fail(VECTOR.body, headers, [VECTOR.secret], { nowS: VECTOR.timestamp - 301 }), "timestamp_out_of_tolerance");
  assert.equal(verify(VECTOR.body, headers, [VECTOR.secret], { nowS: VECTOR.timestamp + 1000, toleranceS: 1000 }).ok, true);
});

test("rotation: several signatures, any match passes", () => {
  const old = VECTOR.secret;
  const next = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
  const h = signatureHeaders({ id: "msg_1", timestamp: 100, body: "{}", secrets: [next, old] });
  assert.equal(h["webhook-signature"]!.split(" ").length, 2);
  for (const secrets of [[old], [next], [next, old]]) assert.equal(verify("{}", h, secrets, { nowS: 100 }).ok, true);
  const mixed = { ...h, "webhook-signature": `v1a,AAAA v1,${"A".repeat(44)} ${h["webhook-signature"]!.split(" ")[1]}` };
  assert.equal(verify("{}", mixed, [old], { nowS: 100 }).ok, true, "the spec's multi-signature case: v1a and wrong v1 entries skipped");
  assert.throws(() => secretKey("whsec_"));
});
