import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import pino from "pino";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/types.js";
import { WebhookDispatcher } from "./dispatcher.js";
import { verify } from "./signing.js";

const root = mkdtempSync(path.join(os.tmpdir(), "relais-webhooks-http-"));
after(() => rmSync(root, { recursive: true, force: true }));

interface Received {
  /** 1 before the restart, 2 after. */
  generation: number;
  id: string;
  identity: string;
  status: number;
  verified: boolean;
}

/** Real HTTP on 127.0.0.1, the real global fetch, the real clock, and a real restart on the same SQLite file. */
test("over HTTP: signed, retried after 500s with the same webhook-id, and a queued delivery survives a restart", async () => {
  const sqlitePath = path.join(root, "relais.db");
  const log = pino({ level: "silent" });
  const received: Received[] = [];
  let secret = "";
  let generation = 1;
  // The receiver answers 500 to the first two attempts of each webhook-id, then 200 —
  // except bob's: one 503 with Retry-After, so his retry is due only after the restart.
  const attemptsById = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const check = verify(body, req.headers as IncomingHttpHeaders, [secret]);
      const id = String(req.headers["webhook-id"]);
      const n = (attemptsById.get(id) ?? 0) + 1;
      attemptsById.set(id, n);
      const identity = JSON.parse(body.toString("utf8")).participant.identity as string;
      const failures = identity === "bob" ? 1 : 2;
      const status = !check.ok ? 401 : n > failures ? 200 : identity === "bob" ? 503 : 500;
      received.push({ generation, id, identity, status, verified: check.ok && req.headers["content-type"] === "application/json" });
      res.writeHead(status, status === 503 ? { "retry-after": "60" } : {}).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const open = async () => {
    const store = await openStore({ sqlitePath });
    // Fast schedule for the test: waits of at most 60 ms, then 400 ms; Retry-After is capped at 400 ms.
    const dispatcher = new WebhookDispatcher({ store, log, retrySchedule: [60, 400], pollIntervalMs: 15 });
    await dispatcher.start();
    return { store, dispatcher };
  };
  const join = (identity: string) => ({
    type: "participant_joined" as const,
    room: { sid: "RM_court", name: "court-7" },
    participant: { sid: `PA_${identity}`, identity, name: identity },
  });
  const waitFor = async (what: string, cond: () => Promise<boolean> | boolean) => {
    const deadline = Date.now() + 10_000;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const status = async (store: Store, identity: string) =>
    (await store.webhooks.deliveries.list()).find((d) => d.payload.includes(`"identity":"${identity}"`))?.status;

  try {
    let { store, dispatcher } = await open();
    secret = (await store.webhooks.endpoints.create({ url })).secret;

    dispatcher.emit(join("alice"));
    await waitFor("alice delivered", async () => (await status(store, "alice")) === "delivered");
    const alice = received.filter((r) => r.identity === "alice");
    assert.deepEqual(
      alice.map((r) => r.status),
      [500, 500, 200],
    );
    assert.equal(new Set(alice.map((r) => r.id)).size, 1, "one webhook-id across the retries");

    // Bob's delivery fails once and waits for its retry; carol's queues behind it (same room).
    dispatcher.emit(join("bob"));
    await waitFor("bob failed once", async () => (await status(store, "bob")) === "failed");
    dispatcher.emit(join("carol"));
    await dispatcher.flush();
    assert.equal(await status(store, "carol"), "pending");
    await dispatcher.close();
    await store.close();

    generation = 2;
    ({ store, dispatcher } = await open());
    await waitFor("carol delivered after the restart", async () => (await status(store, "carol")) === "delivered");
    assert.equal(await status(store, "bob"), "delivered");
    await dispatcher.close();
    await store.close();

    assert.ok(
      received.every((r) => r.verified),
      "every request carried a valid Standard Webhooks signature",
    );
    assert.deepEqual(
      received.map((r) => `${r.generation}:${r.identity}:${r.status}`),
      ["1:alice:500", "1:alice:500", "1:alice:200", "1:bob:503", "2:bob:200", "2:carol:500", "2:carol:500", "2:carol:200"],
    );
    const bob = received.filter((r) => r.identity === "bob");
    assert.equal(bob[0]!.id, bob[1]!.id, "bob's retry after the restart kept its webhook-id");
    const delivered = received.filter((r) => r.status === 200).map((r) => r.id);
    assert.equal(new Set(delivered).size, 3, "each event accepted exactly once");
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});
