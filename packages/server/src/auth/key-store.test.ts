import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { createAccessToken, verifyAccessToken } from "./access-token.js";
import { type ApiKey, KeyStore } from "./key-store.js";

const root = mkdtempSync(path.join(tmpdir(), "relais-keys-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => path.join(root, `node-${++dirs}`, "data");

describe("KeyStore", () => {
  it("first open creates <dataDir>/keys.json (0600) with a development key", () => {
    const dataDir = freshDir();
    assert.equal(existsSync(dataDir), false);
    const { store, created } = KeyStore.open(dataDir);
    assert.ok(created);
    assert.match(created.apiKey, /^API[0-9a-f]{16}$/);
    assert.match(created.apiSecret, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
    assert.ok(Math.abs(Date.parse(created.createdAt) - Date.now()) < 60_000);
    assert.equal(store.path, path.join(dataDir, "keys.json"));
    assert.deepEqual(JSON.parse(readFileSync(store.path, "utf8")), { keys: [created] });
    if (process.platform !== "win32") {
      assert.equal(statSync(store.path).mode & 0o777, 0o600);
      assert.equal(statSync(dataDir).mode & 0o077, 0, "the data directory is private too");
    }
    assert.deepEqual(store.primary, created);
    assert.equal(store.secretFor(created.apiKey), created.apiSecret);
    assert.equal(store.secretFor("APIother"), undefined);
  });

  it("two nodes get different keys", () => {
    const a = KeyStore.open(freshDir()).created!;
    const b = KeyStore.open(freshDir()).created!;
    assert.notEqual(a.apiKey, b.apiKey);
    assert.notEqual(a.apiSecret, b.apiSecret);
  });

  it("second open reads the file and creates nothing", () => {
    const dataDir = freshDir();
    const first = KeyStore.open(dataDir).created!;
    const before = readFileSync(path.join(dataDir, "keys.json"), "utf8");
    const { store, created } = KeyStore.open(dataDir);
    assert.equal(created, null);
    assert.deepEqual(store.primary, first);
    assert.equal(store.secretFor(first.apiKey), first.apiSecret);
    assert.equal(readFileSync(path.join(dataDir, "keys.json"), "utf8"), before);
  });

  it("secretFor finds every key of the file; the first one is primary", () => {
    const dataDir = freshDir();
    KeyStore.open(dataDir);
    const keys: ApiKey[] = [
      { apiKey: "APIone", apiSecret: "secret-one", createdAt: "2024-01-01T00:00:00.000Z" },
      { apiKey: "APItwo", apiSecret: "secret-two", createdAt: "2024-02-01T00:00:00.000Z" },
    ];
    writeFileSync(path.join(dataDir, "keys.json"), JSON.stringify({ keys }));
    const { store } = KeyStore.open(dataDir);
    assert.equal(store.primary.apiKey, "APIone");
    assert.equal(store.secretFor("APItwo"), "secret-two");
    assert.equal(store.secretFor("APIthree"), undefined);
  });

  it("a file without keys is an error, not a silent new key", () => {
    for (const content of ["{}", '{"keys":[]}', '{"keys":"APIx"}']) {
      const dataDir = freshDir();
      KeyStore.open(dataDir);
      writeFileSync(path.join(dataDir, "keys.json"), content);
      assert.throws(() => KeyStore.open(dataDir), /keys\.json holds no API keys/);
    }
  });

  it("tokens minted with the primary key verify against the store", async () => {
    const { store } = KeyStore.open(freshDir());
    const token = await createAccessToken({
      apiKey: store.primary.apiKey,
      apiSecret: store.primary.apiSecret,
      room: "r",
      identity: "a",
      ttlS: 60,
    });
    assert.equal((await verifyAccessToken(token, store.secretFor, "r")).identity, "a");
    const other = KeyStore.open(freshDir()).store;
    await assert.rejects(verifyAccessToken(token, other.secretFor, "r"), { code: "TOKEN_INVALID" });
  });
});
