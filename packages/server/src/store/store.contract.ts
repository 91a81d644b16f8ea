import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RelaisError } from "../shared/relais-error.js";
import type { Store } from "./types.js";

/** One empty database per call; `open` may be called again to reopen the same one. */
export interface TestDatabase {
  open(): Promise<Store>;
  /** Every row of a table, read past the store (to check what is really on disk). */
  rawRows(table: string): Promise<Record<string, unknown>[]>;
}

/** The behaviour every engine must show. Registers its tests under `describe(name)`. */
export function storeContract(name: string, freshDatabase: () => Promise<TestDatabase>): void {
  const withStore = async (fn: (store: Store, db: TestDatabase) => Promise<void>) => {
    const db = await freshDatabase();
    const store = await db.open();
    try {
      await fn(store, db);
    } finally {
      await store.close();
    }
  };

  describe(`store contract: ${name}`, () => {
    it("migrates idempotently and keeps data across a reopen", async () => {
      const db = await freshDatabase();
      const first = await db.open();
      const { record, secret } = await first.apiKeys.create({ name: "ci" });
      await first.close();
      await first.close(); // idempotent
      const second = await db.open();
      try {
        assert.deepEqual(await second.apiKeys.verify(record.key, secret), record);
      } finally {
        await second.close();
      }
    });

    it("api keys: secret shown once, hashed and sealed at rest, verified, revoked at once", () =>
      withStore(async (store, db) => {
        const { record, secret } = await store.apiKeys.create({ name: "crm" });
        assert.match(record.key, /^API[0-9a-f]{16}$/);
        assert.ok(secret.length >= 40);
        assert.equal(record.revokedAt, null);
        for (const row of await db.rawRows("api_keys")) {
          for (const v of Object.values(row)) assert.ok(!String(v).includes(secret), "secret stored in clear");
        }
        assert.deepEqual(await store.apiKeys.verify(record.key, secret), record);
        assert.equal(await store.apiKeys.verify(record.key, `${secret}x`), null);
        assert.equal(await store.apiKeys.verify(record.key, ""), null);
        assert.equal(await store.apiKeys.verify("APInope", secret), null);
        assert.equal(await store.apiKeys.secretFor(record.key), secret);
        assert.equal(await store.apiKeys.secretFor("APInope"), null);
        // Whatever an Authorization header or a token's iss carries is an unknown key, never a database error.
        for (const odd of ["", "API\0x", "k".repeat(10_000)]) {
          assert.equal(await store.apiKeys.verify(odd, secret), null);
          assert.equal(await store.apiKeys.secretFor(odd), null);
        }

        const imported = await store.apiKeys.create({
          name: "dev",
          key: "APIdev",
          secret: "s3cret-dev",
          createdAt: Date.parse("2024-01-01"),
        });
        assert.equal(imported.secret, "s3cret-dev");
        assert.equal(imported.record.createdAt, Date.parse("2024-01-01"));
        // Oldest first: an imported key keeps its age.
        assert.deepEqual(
          (await store.apiKeys.list()).map((k) => k.key),
          ["APIdev", record.key],
        );

        assert.equal(await store.apiKeys.revoke(record.key), true);
        assert.equal(await store.apiKeys.revoke(record.key), false);
        assert.equal(await store.apiKeys.revoke("APInope"), false);
        assert.equal(await store.apiKeys.verify(record.key, secret), null);
        assert.equal(await store.apiKeys.secretFor(record.key), null);
        assert.ok((await store.apiKeys.get(record.key))?.revokedAt);
        assert.ok(await store.apiKeys.verify("APIdev", "s3cret-dev"));
      }));

    it("rooms: unique names, metadata, delete", () =>
      withStore(async (store) => {
        const room = await store.rooms.create({
          name: "court-7",
          maxParticipants: 12,
          emptyTimeoutS: 60,
          metadata: '{"case":1}',
          residencyPolicy: "eu",
        });
        assert.deepEqual(await store.rooms.get("court-7"), room);
        assert.equal(room.maxParticipants, 12);
        assert.equal(room.residencyPolicy, "eu");
        await assert.rejects(store.rooms.create({ name: "court-7" }), (e) => e instanceof RelaisError && e.code === "ROOM_ALREADY_EXISTS");
        const defaults = await store.rooms.create({ name: "plain" });
        assert.deepEqual([defaults.maxParticipants, defaults.metadata, defaults.residencyPolicy], [0, "", null]);

        const updated = await store.rooms.updateMetadata("court-7", "m2");
        assert.equal(updated?.metadata, "m2");
        assert.equal(updated?.createdAt, room.createdAt);
        assert.equal(await store.rooms.updateMetadata("nope", "x"), null);
        assert.equal(await store.rooms.delete("court-7"), true);
        assert.equal(await store.rooms.delete("court-7"), false);
        assert.equal(await store.rooms.get("court-7"), null);
      }));

    it("rooms: cursor pagination and exact prefix filter", async () =>
      withStore(async (store) => {
        for (const n of ["b-3", "a-1", "b-1", "B-2", "b%x", "b_y", "c", "b-2"]) await store.rooms.create({ name: n });
        const names: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.rooms.list({ namePrefix: "b", limit: 2, cursor });
          names.push(...page.rooms.map((r) => r.name));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        assert.deepEqual(names, ["b%x", "b-1", "b-2", "b-3", "b_y"]);
        assert.equal(pages, 3);
        assert.deepEqual(
          (await store.rooms.list({ namePrefix: "b%" })).rooms.map((r) => r.name),
          ["b%x"],
        );
        const all = await store.rooms.list();
        assert.equal(all.rooms.length, 8);
        assert.equal(all.nextCursor, null);
      }));

    it("sessions: join/leave history and crash cleanup", () =>
      withStore(async (store) => {
        await store.sessions.roomStarted({ sid: "RM_1", name: "r", at: 1000 });
        await store.sessions.participantJoined({
          participantSid: "PA_1",
          roomSid: "RM_1",
          roomName: "r",
          identity: "alice",
          name: "Alice",
          at: 1100,
        });
        await store.sessions.participantJoined({
          participantSid: "PA_2",
          roomSid: "RM_1",
          roomName: "r",
          identity: "bob",
          name: "Bob",
          at: 1200,
        });
        await store.sessions.participantLeft({ participantSid: "PA_1", at: 1500, reason: "client_initiated" });
        await store.sessions.participantLeft({ participantSid: "PA_1", at: 9999, reason: "removed" }); // already left: unchanged
        const list = await store.sessions.listParticipants({ roomName: "r" });
        assert.deepEqual(
          list.map((s) => [s.participantSid, s.identity, s.joinedAt, s.leftAt, s.reason]),
          [
            ["PA_2", "bob", 1200, null, null],
            ["PA_1", "alice", 1100, 1500, "client_initiated"],
          ],
        );
        assert.deepEqual((await store.sessions.listParticipants({ identity: "alice" })).length, 1);
        assert.equal(await store.sessions.closeOpen({ at: 2000, reason: "server_shutdown" }), 1);
        const bob = (await store.sessions.listParticipants({ identity: "bob" }))[0]!;
        assert.deepEqual([bob.leftAt, bob.reason], [2000, "server_shutdown"]);
        assert.deepEqual(await store.sessions.listRooms({ name: "r" }), [{ sid: "RM_1", name: "r", startedAt: 1000, finishedAt: 2000 }]);
      }));

    it("webhook endpoints: whsec secret sealed, filters, rotation, event log", () =>
      withStore(async (store, db) => {
        const { endpoint, secret } = await store.webhooks.endpoints.create({ url: "https://crm.example/hook", events: ["room_started"] });
        assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
        assert.equal(Buffer.from(secret.slice(6), "base64").length, 32);
        for (const row of await db.rawRows("webhook_endpoints")) {
          for (const v of Object.values(row)) assert.ok(!String(v).includes(secret.slice(6)), "secret stored in clear");
        }
        const all = await store.webhooks.endpoints.create({ url: "https://all.example/hook" });
        assert.deepEqual(await store.webhooks.endpoints.secrets(endpoint.id, Date.now()), [secret]);
        const ids = async (t: "room_started" | "room_finished") => (await store.webhooks.endpoints.listSubscribed(t)).map((e) => e.id);
        assert.deepEqual(await ids("room_started"), [endpoint.id, all.endpoint.id]);
        assert.deepEqual(await ids("room_finished"), [all.endpoint.id]);

        assert.equal((await store.webhooks.endpoints.update(endpoint.id, { enabled: false }))?.enabled, false);
        assert.deepEqual(await ids("room_started"), [all.endpoint.id]);
        await store.webhooks.endpoints.update(endpoint.id, { enabled: true, events: null, url: "https://crm.example/v2" });
        const got = await store.webhooks.endpoints.get(endpoint.id);
        assert.deepEqual([got?.enabled, got?.events, got?.url], [true, null, "https://crm.example/v2"]);

        const rotated = await store.webhooks.endpoints.rotateSecret(endpoint.id, { now: 10_000, graceMs: 5000 });
        assert.ok(rotated && rotated !== secret);
        assert.deepEqual(await store.webhooks.endpoints.secrets(endpoint.id, 14_999), [rotated, secret]);
        assert.deepEqual(await store.webhooks.endpoints.secrets(endpoint.id, 15_000), [rotated]);
        const kinds = (await store.webhooks.endpoints.events(endpoint.id)).map((e) => e.kind).sort();
        assert.deepEqual(kinds, ["created", "disabled", "enabled", "secret_rotated"]);

        assert.equal(await store.webhooks.endpoints.delete(all.endpoint.id), true);
        assert.equal(await store.webhooks.endpoints.get(all.endpoint.id), null);
        assert.deepEqual(await store.webhooks.endpoints.secrets(all.endpoint.id, 0), []);
      }));

    deliveryContract(withStore);
  });
}

function deliveryContract(withStore: (fn: (store: Store, db: TestDatabase) => Promise<void>) => Promise<void>): void {
  const setup = async (store: Store) => {
    const { endpoint, secret } = await store.webhooks.endpoints.create({ url: "http://127.0.0.1:9/hook" });
    const d = (id: string, room: string | null, createdAt = 1000) => ({
      id,
      endpointId: endpoint.id,
      eventType: "participant_joined" as const,
      room,
      payload: `{"id":"${id}"}`,
      createdAt,
    });
    await store.webhooks.deliveries.enqueue([
      d("msg_a1", "r1"),
      d("msg_b1", "r2"),
      d("msg_a2", "r1"),
      d("msg_c1", null),
      d("msg_c2", null),
    ]);
    return { endpoint, secret };
  };
  const claim = async (store: Store, now: number, owner = "w1", leaseMs = 60_000) =>
    (await store.webhooks.deliveries.claimDue({ now, limit: 10, leaseMs, owner })).map((c) => c.id);

  it("deliveries: per-room order, retries, dead unblocks, log", () =>
    withStore(async (store) => {
      const { endpoint, secret } = await setup(store);
      assert.deepEqual(await claim(store, 999), []);
      const first = await store.webhooks.deliveries.claimDue({ now: 1000, limit: 10, leaseMs: 60_000, owner: "w1" });
      assert.deepEqual(
        first.map((c) => c.id),
        ["msg_a1", "msg_b1", "msg_c1", "msg_c2"],
      );
      assert.deepEqual([first[0]!.url, first[0]!.secrets, first[0]!.payload], ["http://127.0.0.1:9/hook", [secret], '{"id":"msg_a1"}']);

      const dl = store.webhooks.deliveries;
      await dl.markFailed("msg_a1", { now: 1100, error: "HTTP 500", statusCode: 500, retryAt: 6000 });
      await dl.markDelivered("msg_b1", { now: 1100, statusCode: 200 });
      assert.deepEqual(await claim(store, 5999), [], "msg_a2 waits behind the failed msg_a1");
      assert.deepEqual(await claim(store, 6000), ["msg_a1"]);
      await dl.markDelivered("msg_a1", { now: 6100, statusCode: 204 });
      assert.deepEqual(await claim(store, 6100), ["msg_a2"]);
      await dl.markFailed("msg_a2", { now: 6200, error: "timeout", statusCode: null, retryAt: null });

      const a1 = await dl.get("msg_a1");
      assert.deepEqual([a1?.status, a1?.attempts, a1?.lastStatusCode, a1?.deliveredAt, a1?.lastError], ["delivered", 2, 204, 6100, null]);
      const a2 = await dl.get("msg_a2");
      assert.deepEqual([a2?.status, a2?.attempts, a2?.lastError], ["dead", 1, "timeout"]);
      assert.deepEqual(
        (await dl.list({ endpointId: endpoint.id })).map((d) => d.id),
        ["msg_c2", "msg_c1", "msg_a2", "msg_b1", "msg_a1"],
      );
      assert.deepEqual(
        (await dl.list({ status: "delivered" })).map((d) => d.id),
        ["msg_b1", "msg_a1"],
      );
      assert.deepEqual(
        (await dl.list({ limit: 2, before: "msg_a2" })).map((d) => d.id),
        ["msg_b1", "msg_a1"],
      );
      assert.equal(await dl.prune({ before: 6150 }), 2, "delivered a1 and b1; dead a2 is newer; c1, c2 still queued");
      assert.deepEqual(
        (await dl.list()).map((d) => d.id),
        ["msg_c2", "msg_c1", "msg_a2"],
      );
    }));

  it("deliveries: leases expire, a restarted owner releases its claims, racing claims never overlap", () =>
    withStore(async (store) => {
      await setup(store);
      assert.deepEqual(await claim(store, 1000, "w1", 500), ["msg_a1", "msg_b1", "msg_c1", "msg_c2"]);
      assert.deepEqual(await claim(store, 1499, "w2"), []);
      assert.deepEqual(await claim(store, 1500, "w2"), ["msg_a1", "msg_b1", "msg_c1", "msg_c2"]);
      assert.equal(await store.webhooks.deliveries.releaseClaims("w1"), 0);
      assert.equal(await store.webhooks.deliveries.releaseClaims("w2"), 4);
      const [x, y] = await Promise.all([claim(store, 1600, "x"), claim(store, 1600, "y")]);
      assert.equal(x.length + y.length, 4);
      assert.equal(new Set([...x, ...y]).size, 4);
    }));

  it("deliveries: disabling an endpoint kills its queue and logs it", () =>
    withStore(async (store) => {
      const { endpoint } = await setup(store);
      assert.equal(await store.webhooks.endpoints.markFailing(endpoint.id, 2000), 2000);
      assert.equal(await store.webhooks.endpoints.markFailing(endpoint.id, 3000), 2000);
      assert.equal((await store.webhooks.endpoints.get(endpoint.id))?.failingSince, 2000);
      await store.webhooks.endpoints.markHealthy(endpoint.id);
      assert.equal(await store.webhooks.endpoints.markFailing(endpoint.id, 4000), 4000);
      await store.webhooks.endpoints.disable(endpoint.id, { now: 5000, reason: "failing since 4000" });
      await store.webhooks.endpoints.disable(endpoint.id, { now: 6000, reason: "again" }); // no second event
      assert.deepEqual(await claim(store, 10_000), []);
      assert.deepEqual(
        (await store.webhooks.deliveries.list()).map((d) => d.status),
        ["dead", "dead", "dead", "dead", "dead"],
      );
      const ep = await store.webhooks.endpoints.get(endpoint.id);
      assert.deepEqual([ep?.enabled, ep?.disabledReason], [false, "failing since 4000"]);
      const disabled = (await store.webhooks.endpoints.events(endpoint.id)).filter((e) => e.kind === "disabled");
      assert.deepEqual(
        disabled.map((e) => [e.message, e.createdAt]),
        [["failing since 4000", 5000]],
      );
      assert.equal(await store.webhooks.endpoints.delete(endpoint.id), true);
      assert.deepEqual(await store.webhooks.deliveries.list(), [], "deliveries go with their endpoint");
    }));
}
