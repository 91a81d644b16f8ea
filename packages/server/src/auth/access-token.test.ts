import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ErrorCode } from "@relais/protocol";
import { decodeProtectedHeader, SignJWT } from "jose";
import { RelaisError } from "../shared/relais-error.js";
import { createAccessToken, verifyAccessToken } from "./access-token.js";

const API_KEY = "APIa1b2c3d4e5f60718";
const SECRET = "kS2m9vQ-3xYp7LwT0bJd5nR8cF1hG4zE6aU_iOeVtNs";
const secrets = new Map([[API_KEY, SECRET]]);
const secretFor = (k: string) => secrets.get(k);
const now = () => Math.floor(Date.now() / 1000);
const base = { apiKey: API_KEY, apiSecret: SECRET, room: "standup", ttlS: 600 };

/** A token signed with jose directly, for claims createAccessToken never produces. */
function mint(claims: Record<string, unknown>, o: { alg?: string; secret?: string } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: o.alg ?? "HS256", typ: "JWT" }).sign(Buffer.from(o.secret ?? SECRET, "utf8"));
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RelaisError, `a RelaisError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe("createAccessToken + verifyAccessToken", () => {
  it("round trip with all claims", async () => {
    const t0 = now();
    const token = await createAccessToken({
      ...base,
      identity: "alice",
      name: "Alice",
      metadata: '{"team":"a"}',
      grants: { join: true, publish: false, sources: ["microphone"] },
    });
    assert.deepEqual(decodeProtectedHeader(token), { alg: "HS256", typ: "JWT" });
    const v = await verifyAccessToken(token, secretFor, "standup");
    const c = v.claims;
    assert.equal(c.iss, API_KEY);
    assert.equal(c.sub, "alice");
    assert.equal(c.name, "Alice");
    assert.equal(c.metadata, '{"team":"a"}');
    assert.equal(c.room, "standup");
    assert.deepEqual(c.grants, { join: true, publish: false, sources: ["microphone"] });
    assert.ok(c.iat !== undefined && c.iat >= t0 && c.iat <= now());
    assert.equal(c.nbf, c.iat);
    assert.equal(c.exp - c.iat, 600);
    assert.equal(v.identity, "alice");
    assert.deepEqual(v.grants, {
      join: true,
      publish: false,
      subscribe: true,
      publishData: true,
      admin: false,
      record: false,
      sources: ["microphone"],
    });
  });

  it("defaults: join/publish/subscribe grants, no name or metadata, verification without a room", async () => {
    const v = await verifyAccessToken(await createAccessToken({ ...base, identity: "bob" }), secretFor);
    assert.deepEqual(v.claims.grants, { join: true, publish: true, subscribe: true });
    assert.equal("name" in v.claims, false);
    assert.equal("metadata" in v.claims, false);
    assert.deepEqual(v.grants, {
      join: true,
      publish: true,
      subscribe: true,
      publishData: true,
      admin: false,
      record: false,
      sources: null,
    });
  });

  it("a shared room link has no sub: identity null", async () => {
    const v = await verifyAccessToken(await createAccessToken(base), secretFor, "standup");
    assert.equal(v.claims.sub, undefined);
    assert.equal(v.identity, null);
    assert.equal((await verifyAccessToken(await mint({ iss: API_KEY, sub: "", room: "r", exp: now() + 60 }), secretFor)).identity, null);
  });

  it("grants absent or not an object resolve to the defaults", async () => {
    for (const grants of [undefined, "all", null]) {
      const v = await verifyAccessToken(await mint({ iss: API_KEY, room: "r", exp: now() + 60, grants }), secretFor);
      assert.deepEqual([v.grants.join, v.grants.publish, v.grants.admin], [true, true, false]);
    }
  });

  it("ttl bounds and the room are checked when minting", async () => {
    for (const ttlS of [0, -1, Number.NaN, 30 * 86400 + 1]) {
      await assert.rejects(createAccessToken({ ...base, ttlS }), /ttl must be between 1 s and 2592000 s/);
    }
    await assert.rejects(createAccessToken({ ...base, room: "" }), /room is required/);
    const longest = await verifyAccessToken(await createAccessToken({ ...base, ttlS: 30 * 86400 }), secretFor);
    assert.equal(longest.claims.exp - longest.claims.iat!, 30 * 86400);
    const shortest = await verifyAccessToken(await createAccessToken({ ...base, ttlS: 1 }), secretFor);
    assert.equal(shortest.claims.exp - shortest.claims.iat!, 1);
  });
});

describe("verifyAccessToken: refusals", () => {
  it("wrong secret → TOKEN_INVALID", async () => {
    await rejectsWith(verifyAccessToken(await createAccessToken({ ...base, apiSecret: "another-secret" }), secretFor), "TOKEN_INVALID");
  });

  it("tampered payload → TOKEN_INVALID", async () => {
    const [h, , s] = (await createAccessToken(base)).split(".");
    const forged = `${h}.${b64({ iss: API_KEY, room: "board", exp: now() + 60 })}.${s}`;
    await rejectsWith(verifyAccessToken(forged, secretFor), "TOKEN_INVALID");
  });

  it("unknown API key, or none → TOKEN_INVALID", async () => {
    await rejectsWith(
      verifyAccessToken(await createAccessToken({ ...base, apiKey: "APIunknown" }), secretFor),
      "TOKEN_INVALID",
      /API key is unknown/,
    );
    await rejectsWith(verifyAccessToken(await mint({ room: "r", exp: now() + 60 }), secretFor), "TOKEN_INVALID", /API key is unknown/);
  });

  it("an asynchronous lookup (the store) is awaited; a revoked key (null) → TOKEN_INVALID at once", async () => {
    const revoked = new Set<string>();
    const fromStore = async (k: string) => (revoked.has(k) ? null : (secrets.get(k) ?? null));
    const token = await createAccessToken({ ...base, identity: "ana" });
    assert.equal((await verifyAccessToken(token, fromStore, "standup")).identity, "ana");
    revoked.add(API_KEY);
    await rejectsWith(verifyAccessToken(token, fromStore, "standup"), "TOKEN_INVALID", /API key is unknown/);
  });

  it("expired beyond the 10 s tolerance → TOKEN_EXPIRED; within it, accepted", async () => {
    const old = await mint({ iss: API_KEY, room: "r", iat: now() - 120, exp: now() - 60 });
    await rejectsWith(verifyAccessToken(old, secretFor), "TOKEN_EXPIRED");
    const justExpired = await mint({ iss: API_KEY, room: "r", exp: now() - 3 });
    assert.equal((await verifyAccessToken(justExpired, secretFor)).claims.room, "r");
  });

  it("nbf in the future → TOKEN_NOT_YET_VALID; within the tolerance, accepted", async () => {
    await rejectsWith(verifyAccessToken(await createAccessToken({ ...base, notBefore: now() + 60 }), secretFor), "TOKEN_NOT_YET_VALID");
    assert.ok(await verifyAccessToken(await createAccessToken({ ...base, notBefore: now() + 3 }), secretFor));
  });

  it("wrong room → TOKEN_WRONG_ROOM (403)", async () => {
    await assert.rejects(verifyAccessToken(await createAccessToken(base), secretFor, "board"), (err: unknown) => {
      assert.ok(err instanceof RelaisError);
      assert.deepEqual([err.code, err.status], ["TOKEN_WRONG_ROOM", 403]);
      return true;
    });
  });

  it("alg none is refused before any key lookup", async () => {
    let lookups = 0;
    const counting = (k: string) => {
      lookups++;
      return secretFor(k);
    };
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64({ iss: API_KEY, room: "r", exp: now() + 60 })}.`;
    await rejectsWith(verifyAccessToken(unsigned, counting), "TOKEN_INVALID", /Unsupported token algorithm/);
    assert.equal(lookups, 0);
  });

  it("another HMAC algorithm with the right secret → TOKEN_INVALID", async () => {
    const hs512 = await mint({ iss: API_KEY, room: "r", exp: now() + 60 }, { alg: "HS512" });
    await rejectsWith(verifyAccessToken(hs512, secretFor), "TOKEN_INVALID", /Unsupported token algorithm/);
  });

  it("garbage → TOKEN_INVALID", async () => {
    for (const t of ["", "not-a-jwt", "a.b.c", `${b64({ alg: "HS256" })}.!!!.x`])
      await rejectsWith(verifyAccessToken(t, secretFor), "TOKEN_INVALID");
  });

  it("a signed token without room or exp → TOKEN_INVALID", async () => {
    await rejectsWith(verifyAccessToken(await mint({ iss: API_KEY, exp: now() + 60 }), secretFor), "TOKEN_INVALID", /lacks a room/);
    await rejectsWith(verifyAccessToken(await mint({ iss: API_KEY, room: "r" }), secretFor), "TOKEN_INVALID", /lacks a room or an expiry/);
  });

  it("join: false → PERMISSION_DENIED (403)", async () => {
    const token = await createAccessToken({ ...base, grants: { join: false, subscribe: true } });
    await assert.rejects(verifyAccessToken(token, secretFor, "standup"), (err: unknown) => {
      assert.ok(err instanceof RelaisError);
      assert.deepEqual([err.code, err.status], ["PERMISSION_DENIED", 403]);
      return true;
    });
  });
});
