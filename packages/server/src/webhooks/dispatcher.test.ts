import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { WebhookEvent } from "@relais/protocol";
import { Value } from "@sinclair/typebox/value";
import pino from "pino";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/types.js";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "./dispatcher.js";
import { verify } from "./signing.js";

const root = mkdtempSync(path.join(os.tmpdir(), "relais-webhooks-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

interface Call {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** A store on a fresh SQLite file, a settable clock, a scripted fetch that records every request. */
async function harness(o: Partial<WebhookDispatcherOptions> = {}) {
  const sqlitePath = path.join(root, `t${++n}`, "relais.db");
  const store = await openStore({ sqlitePath });
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const calls: Call[] = [];
  let respond: (call: Call) => Promise<Response> | Response = () => new Response(null, { status: 204 });
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const call = { url: String(url), headers: init?.headers as Record<string, string>, body: String(init?.body), signal: init!.signal! };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  const logs: { msg: string }[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const make = (extra: Partial<WebhookDispatcherOptions> = {}) =>
    new WebhookDispatcher({ store, log, fetch: fakeFetch, clock, random: () => 0.5, ...o, ...extra });
  return {
    store,
    clock,
    calls,
    logs,
    make,
    dispatcher: make(),
    respondWith(fn: typeof respond) {
      respond = fn;
    },
    close: async () => store.close(),
  };
}

const joined = (room: string, identity = "alice") =>
  ({
    type: "participant_joined",
    room: { sid: `RM_${room}`, name: room },
    participant: { sid: `PA_${identity}`, identity, name: identity.toUpperCase() },
  }) as const;

async function statuses(store: Store): Promise<string[]> {
  return (await store.webhooks.deliveries.list()).reverse().map((d) => `${d.room}:${d.status}:${d.attempts}`);
}

test("emit queues one signed delivery per subscribed endpoint; 2xx delivers it", async () => {
  const h = await harness();
  try {
    const all = await h.store.webhooks.endpoints.create({ url: "http://hooks.test/all" });
    await h.store.webhooks.endpoints.create({ url: "http://hooks.test/rooms-only", events: ["room_started"] });
    const off = await h.store.webhooks.endpoints.create({ url: "http://hooks.test/off" });
    await h.store.webhooks.endpoints.update(off.endpoint.id, { enabled: false });

    h.dispatcher.emit(joined("r1"));
    await h.dispatcher.flush();
    const queued = await h.store.webhooks.deliveries.list();
    assert.equal(queued.length, 1);
    const event = JSON.parse(queued[0]!.payload);
    assert.ok(Value.Check(WebhookEvent, event), "payload matches the protocol schema");
    assert.match(event.id, /^EV_/);
    assert.equal(event.createdAt, h.clock.t);

    assert.equal(await h.dispatcher.runDue(), 1);
    const [call] = h.calls;
    assert.equal(call?.url, "http://hooks.test/all");
    assert.equal(call?.headers["content-type"], "application/json");
    assert.equal(call?.headers["webhook-id"], queued[0]!.id);
    assert.equal(call?.body, queued[0]!.payload);
    assert.deepEqual(verify(call!.body, call!.headers, [all.secret], { nowS: h.clock.t / 1000 }).ok, true);
    assert.deepEqual(await statuses(h.store), ["r1:delivered:1"]);
    assert.equal(await h.dispatcher.runDue(), 0);
  } finally {
    await h.dispatcher.close();
    await h.close();
  }
});

test("failures retry with backoff under the same webhook-id for 24 h, then the delivery is dead", async () => {
  const h = await harness({ disableAfterMs: 1e12 });
  try {
    await h.store.webhooks.endpoints.create({ url: "http://hooks.test/down" });
    h.respondWith(() => new Response("nope", { status: 500 }));
    h.dispatcher.emit(joined("r1"));
    await h.dispatcher.flush();
    const start = h.clock.t;
    assert.equal(await h.dispatcher.runDue(), 1);
    const d1 = (await h.store.webhooks.deliveries.list())[0]!;
    assert.deepEqual([d1.status, d1.attempts, d1.lastError, d1.lastStatusCode], ["failed", 1, "HTTP 500", 500]);
    assert.equal(d1.nextAttemptAt, start + 2500, "half of the 5 s cap (random = 0.5)");
    h.clock.t += 2499;
    assert.equal(await h.dispatcher.runDue(), 0, "not due yet");
    h.clock.t += 1;
    assert.equal(await h.dispatcher.runDue(), 1);
    assert.equal((await h.store.webhooks.deliveries.list())[0]!.nextAttemptAt, h.clock.t + 15_000, "then half of 30 s");

    for (let i = 0; i < 100; i++) {
      const d = (await h.store.webhooks.deliveries.list())[0]!;
      if (d.status === "dead") break;
      h.clock.t = d.nextAttemptAt;
      await h.dispatcher.runDue();
    }
    const dead = (await h.store.webhooks.deliveries.list())[0]!;
    assert.equal(dead.status, "dead");
    assert.ok(dead.updatedAt - start >= 24 * 3600_000, "retried for at least 24 h");
    assert.equal(new Set(h.calls.map((c) => c.headers["webhook-id"])).size, 1, "one webhook-id for every attempt");
    assert.equal(h.calls.length, dead.attempts);
    assert.ok(new Set(h.calls.map((c) => c.headers["webhook-timestamp"])).size > 1, "each attempt has its own timestamp");
  } finally {
    await h.dispatcher.close();
    await h.close();
  }
});

test("per-room order: a room's next delivery waits for the previous one; other rooms do not", async () => {
  const h = await harness();
  try {
    await h.store.webhooks.endpoints.create({ url: "http://hooks.test/x" });
    h.respondWith((c) => new Response(null, { status: c.body.includes('"r1"') && h.calls.length === 1 ? 503 : 200 }));
    h.dispatcher.emit(joined("r1", "alice"));
    h.dispatcher.emit(joined("r1", "bob"));
    h.dispatcher.emit(joined("r2", "carol"));
    await h.dispatcher.flush();
    assert.equal(await h.dispatcher.runDue(), 2, "alice@r1 (fails) and carol@r2");
    assert.deepEqual(await statuses(h.store), ["r1:failed:1", "r1:pending:0", "r2:delivered:1"]);
    h.clock.t += 2500;
    assert.equal(await h.dispatcher.runDue(), 1, "alice again; bob still waits behind her");
    assert.equal(await h.dispatcher.runDue(), 1, "now bob");
    const order = h.calls.map((c) => JSON.parse(c.body).participant.identity);
    assert.deepEqual(order, ["alice", "carol", "alice", "bob"]);
  } finally {
    await h.dispatcher.close();
    await h.close();
  }
});

test("an endpoint failing for disableAfterMs is disabled, logged, and its queue dies; 410 disables at once", async () => {
  const h = await harness({ disableAfterMs: 3600_000, retrySchedule: [60_000] });
  try {
    const { endpoint } = await h.store.webhooks.endpoints.create({ url: "http://hooks.test/flaky" });
    h.respondWith(() => Promise.reject(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } })));
    h.dispatcher.emit(joined("r1"));
    h.dispatcher.emit(joined("r1", "bob"));
    await h.dispatcher.flush();
    const start = h.clock.t;
    while ((await h.store.webhooks.endpoints.get(endpoint.id))?.enabled) {
      await h.dispatcher.runDue();
      h.clock.t += 30_000;
    }
    assert.ok(h.clock.t - start >= 3600_000 && h.clock.t - start < 3700_000);
    assert.match((await h.store.webhooks.deliveries.list())[1]?.lastError ?? "", /fetch failed: ECONNREFUSED/);
    assert.deepEqual(await statuses(h.store), [`r1:dead:${h.calls.length}`, "r1:dead:0"]);
    const events = await h.store.webhooks.endpoints.events(endpoint.id);
    assert.match(events.find((e) => e.kind === "disabled")?.message ?? "", /^every attempt failed for 1 h/);
    assert.ok(h.logs.some((l) => l.msg === "webhook endpoint disabled"));

    const gone = await h.store.webhooks.endpoints.create({ url: "http://hooks.test/gone" });
    h.respondWith(() => new Response(null, { status: 410 }));
    h.dispatcher.emit(joined("r9"));
    await h.dispatcher.flush();
    await h.dispatcher.runDue();
    const ep = await h.store.webhooks.endpoints.get(gone.endpoint.id);
    assert.deepEqual([ep?.enabled, ep?.disabledReason], [false, "the endpoint answered 410 Gone"]);
  } finally {
    await h.dispatcher.close();
    await h.close();
  }
});

test("a hung receiver times out; a success resets the endpoint's failing run", async () => {
  const h = await harness({ requestTimeoutMs: 50 });
  try {
    const { endpoint } = await h.store.webhooks.endpoints.create({ url: "http://hooks.test/slow" });
    // Like a real fetch, the hung request ends only through its abort signal.
    h.respondWith((c) => new Promise<Response>((_, reject) => c.signal.addEventListener("abort", () => reject(c.signal.reason))));
    h.dispatcher.emit(joined("r1"));
    await h.dispatcher.flush();
    await h.dispatcher.runDue();
    assert.equal((await h.store.webhooks.deliveries.list())[0]?.lastError, "timeout after 50 ms");
    assert.equal((await h.store.webhooks.endpoints.get(endpoint.id))?.failingSince, h.clock.t);
    h.respondWith(() => new Response(null, { status: 200 }));
    h.clock.t += 5000;
    await h.dispatcher.runDue();
    assert.equal((await h.store.webhooks.endpoints.get(endpoint.id))?.failingSince, null);
  } finally {
    await h.dispatcher.close();
    await h.close();
  }
});

test("restart: deliveries left in flight are sent again with the same id; emit after close is dropped", async () => {
  const h = await harness();
  try {
    await h.store.webhooks.endpoints.create({ url: "http://hooks.test/x" });
    h.dispatcher.emit(joined("r1"));
    await h.dispatcher.flush();
    // A worker that claimed the delivery and died before sending it.
    const [stuck] = await h.store.webhooks.deliveries.claimDue({ now: h.clock.t, limit: 5, leaseMs: 3600_000, owner: "local" });
    await h.dispatcher.close();
    await h.dispatcher.close();
    h.dispatcher.emit(joined("r2"));
    assert.ok(h.logs.some((l) => l.msg === "webhook event after close: dropped"));

    const next = h.make({ pollIntervalMs: 10 });
    assert.equal(await next.runDue(), 0, "still claimed by the dead worker");
    await next.start();
    for (let i = 0; i < 100 && h.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      h.calls.map((c) => c.headers["webhook-id"]),
      [stuck!.id],
    );
    await next.close();
    assert.deepEqual(await statuses(h.store), ["r1:delivered:1"]);
  } finally {
    await h.close();
  }
});

test("emit never throws: a failing store is logged", async () => {
  const h = await harness();
  await h.close();
  h.dispatcher.emit(joined("r1"));
  await h.dispatcher.flush();
  assert.ok(h.logs.some((l) => l.msg === "webhook event not queued"));
  await h.dispatcher.close();
});
