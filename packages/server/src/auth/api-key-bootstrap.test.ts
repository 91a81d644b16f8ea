import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { openStore, type Store } from "../store/index.js";
import { createAccessToken, verifyAccessToken } from "./access-token.js";
import { activeApiKey, bootstrapApiKeys, DEVELOPMENT_KEY_NAME, IMPORTED_KEY_NAME, importLegacyKeys } from "./api-key-bootstrap.js";

const root = mkdtempSync(path.join(tmpdir(), "relais-keys-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

async function withDataDir(fn: (store: Store, dataDir: string) => Promise<void>, keysJson?: string): Promise<void> {
  const dataDir = path.join(root, `node-${++dirs}`);
  mkdirSync(dataDir, { mode: 0o700 });
  if (keysJson !== undefined) writeFileSync(path.join(dataDir, "keys.json"), keysJson, { mode: 0o600 });
  const store = await openStore({ sqlitePath: path.join(dataDir, "relais.db") });
  try {
    await fn(store, dataDir);
  } finally {
    await store.close();
  }
}

const legacy = {
  keys: [
    { apiKey: "APIone", apiSecret: "secret-one", createdAt: "2024-03-01T00:00:00.000Z" },
    // Older than the first, yet second in the file: file order wins (the first key stays primary).
    { apiKey: "APItwo", apiSecret: "secret-two", createdAt: "2024-01-01T00:00:00.000Z" },
  ],
};

describe("API key bootstrap", () => {
  it("an empty store without keys.json gets one development key, returned once", () =>
    withDataDir(async (store, dataDir) => {
      const first = await bootstrapApiKeys(store.apiKeys, { dataDir });
      assert.equal(first.imported, null);
      assert.ok(first.created);
      assert.match(first.created.apiKey, /^API[0-9a-f]{16}$/);
      assert.match(first.created.apiSecret, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
      assert.deepEqual(
        (await store.apiKeys.list()).map((k) => [k.key, k.name]),
        [[first.created.apiKey, DEVELOPMENT_KEY_NAME]],
      );
      assert.deepEqual(await activeApiKey(store.apiKeys), { apiKey: first.created.apiKey, apiSecret: first.created.apiSecret });
      assert.equal(existsSync(path.join(dataDir, "keys.json")), false, "keys.json is no longer written");

      const second = await bootstrapApiKeys(store.apiKeys, { dataDir });
      assert.deepEqual(second, { created: null, imported: null });
      assert.equal((await store.apiKeys.list()).length, 1);
    }));

  it("imports keys.json into an empty store, keeps its order, and moves the file aside", () =>
    withDataDir(async (store, dataDir) => {
      const file = path.join(dataDir, "keys.json");
      const { created, imported } = await bootstrapApiKeys(store.apiKeys, { dataDir });
      assert.equal(created, null);
      assert.deepEqual(imported, { from: file, count: 2, movedTo: `${file}.imported` });
      assert.equal(existsSync(file), false);
      assert.deepEqual(JSON.parse(readFileSync(`${file}.imported`, "utf8")), legacy);
      if (process.platform !== "win32") assert.equal(statSync(`${file}.imported`).mode & 0o777, 0o600);
      const keys = await store.apiKeys.list();
      assert.deepEqual(
        keys.map((k) => [k.key, k.name]),
        [
          ["APIone", IMPORTED_KEY_NAME],
          ["APItwo", IMPORTED_KEY_NAME],
        ],
      );
      assert.equal(keys[0]!.createdAt, Date.parse("2024-03-01T00:00:00.000Z"));
      assert.deepEqual(await activeApiKey(store.apiKeys), { apiKey: "APIone", apiSecret: "secret-one" });
      assert.equal(await store.apiKeys.secretFor("APItwo"), "secret-two");
      assert.ok(await store.apiKeys.verify("APItwo", "secret-two"));
      // Tokens signed with an imported key verify against the store.
      const token = await createAccessToken({ apiKey: "APItwo", apiSecret: "secret-two", room: "r", identity: "a", ttlS: 60 });
      const lookup = (k: string) => store.apiKeys.secretFor(k);
      assert.equal((await verifyAccessToken(token, lookup, "r")).identity, "a");
      await store.apiKeys.revoke("APItwo");
      await assert.rejects(verifyAccessToken(token, lookup, "r"), { code: "TOKEN_INVALID" });
    }, JSON.stringify(legacy)));

  it("a store that already holds keys never reads keys.json (a revoked key stays revoked)", () =>
    withDataDir(async (store, dataDir) => {
      const { record } = await store.apiKeys.create({ name: "ops" });
      assert.equal(await importLegacyKeys(store.apiKeys, dataDir), null);
      assert.deepEqual(await bootstrapApiKeys(store.apiKeys, { dataDir }), { created: null, imported: null });
      assert.deepEqual(
        (await store.apiKeys.list()).map((k) => k.key),
        [record.key],
      );
      assert.ok(existsSync(path.join(dataDir, "keys.json")), "left alone");
    }, JSON.stringify(legacy)));

  it("every key revoked: no new key is generated and no active key is found", () =>
    withDataDir(async (store, dataDir) => {
      const { created } = await bootstrapApiKeys(store.apiKeys, { dataDir });
      await store.apiKeys.revoke(created!.apiKey);
      assert.deepEqual(await bootstrapApiKeys(store.apiKeys, { dataDir }), { created: null, imported: null });
      assert.equal(await activeApiKey(store.apiKeys), null);
    }));

  it("the oldest active key is the primary one; revoking it moves on to the next", () =>
    withDataDir(async (store) => {
      const a = await store.apiKeys.create({ name: "a", createdAt: 1000 });
      const b = await store.apiKeys.create({ name: "b", createdAt: 2000 });
      assert.equal((await activeApiKey(store.apiKeys))?.apiKey, a.record.key);
      await store.apiKeys.revoke(a.record.key);
      assert.deepEqual(await activeApiKey(store.apiKeys), { apiKey: b.record.key, apiSecret: b.secret });
    }));

  it("a keys.json without usable keys is an error, not a silent new key", async () => {
    for (const content of ["{}", '{"keys":[]}', '{"keys":"APIx"}', '{"keys":[{"apiKey":"APIx"}]}', "not json"]) {
      await withDataDir(async (store, dataDir) => {
        await assert.rejects(
          bootstrapApiKeys(store.apiKeys, { dataDir }),
          /keys\.json( holds no API keys| is not valid JSON|: every key needs)/,
        );
        assert.deepEqual(await store.apiKeys.list(), []);
      }, content);
    }
  });
});
