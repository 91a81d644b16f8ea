import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { WebhookReceiver } from "@relais/server-sdk";
import { SignalClient } from "./support/signal-client.js";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";

let node: TestNode;
let basic: string;
before(async () => {
  node = await startTestNode();
  basic = `Basic ${Buffer.from(`${node.keys.primary.apiKey}:${node.keys.primary.apiSecret}`).toString("base64")}`;
});
after(async () => {
  await node.stop();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: basic, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test("webhooks: registered endpoint receives signed room and participant events in order", async () => {
  const received: { id: string; type: string; room: string }[] = [];
  let secret = "";
  let failFirst = true;
  const receiver = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const event = new WebhookReceiver(secret).verify<{ type: string; room: { name: string } }>(body, req.headers);
      // The first delivery fails once: the retry carries the same webhook-id.
      if (failFirst) {
        failFirst = false;
        res.writeHead(500).end();
        return;
      }
      received.push({ id: String(req.headers["webhook-id"]), type: event.type, room: event.room.name });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  try {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const created = await api("POST", "/v1/webhooks", {
      url,
      events: ["room_started", "participant_joined", "participant_left", "room_finished"],
    });
    assert.equal(created.status, 201);
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/=]+$/);
    assert.equal(created.body.url, url);
    secret = created.body.secret;
    assert.equal((await api("POST", "/v1/webhooks", { url: "ftp://x.example/" })).body.code, "INVALID_ARGUMENT");

    assert.equal((await api("POST", "/v1/rooms", { name: "hooked" })).status, 201);
    const c = await SignalClient.connect(node.wsUrl);
    await c.request({ type: "join", token: await node.token({ room: "hooked", identity: "ada" }) });
    await c.request({ type: "leave" });
    assert.equal((await api("DELETE", "/v1/rooms/hooked")).status, 204);

    await waitFor("four events", () => received.length >= 4, 30_000, 100);
    assert.deepEqual(
      received.map((r) => r.type),
      ["room_started", "participant_joined", "participant_left", "room_finished"],
    );
    assert.ok(received.every((r) => r.room === "hooked"));
    const log = (await api("GET", `/v1/webhooks/${created.body.id}/deliveries`)).body.deliveries as {
      id: string;
      attempts: number;
      status: string;
      eventType: string;
    }[];
    const first = log.find((d) => d.eventType === "room_started")!;
    assert.deepEqual([first.status, first.attempts], ["delivered", 2]);
    assert.equal(first.id, received[0]!.id, "the retry kept its webhook-id");
    assert.equal((await api("GET", "/v1/webhooks")).body.webhooks.length, 1);
    assert.equal((await api("DELETE", `/v1/webhooks/${created.body.id}`)).status, 204);
    assert.equal((await api("GET", `/v1/webhooks/${created.body.id}/deliveries`)).status, 404);
  } finally {
    receiver.close();
  }
});

test("webhooks: a delivery that failed before a node restart is delivered after it, with the same webhook-id", async () => {
  const first = await startTestNode({ keepDataDir: true });
  const auth = `Basic ${Buffer.from(`${first.keys.primary.apiKey}:${first.keys.primary.apiSecret}`).toString("base64")}`;
  const seen: { id: string; type: string; status: number }[] = [];
  let up = false;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = up ? 200 : 503;
      seen.push({ id: String(req.headers["webhook-id"]), type: "", status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const dataDir = first.config.dataDir;
  let second: TestNode | null = null;
  try {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
    const hook = await fetch(`${first.url}/v1/webhooks`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ url, events: ["room_started"] }),
    });
    assert.equal(hook.status, 201);
    await fetch(`${first.url}/v1/rooms`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "restarted" }),
    });
    await waitFor("first failed attempt", () => seen.length >= 1, 10_000, 50);
    await first.stop();
    up = true;
    second = await startTestNode({ dataDir, keepDataDir: false });
    await waitFor("delivery after the restart", () => seen.some((s) => s.status === 200), 30_000, 100);
    const ids = new Set(seen.map((s) => s.id));
    assert.equal(ids.size, 1, `one webhook-id across the restart: ${JSON.stringify(seen)}`);
  } finally {
    receiver.close();
    await second?.stop();
  }
});
