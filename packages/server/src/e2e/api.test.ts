import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import fc from "fast-check";
import { SignalClient } from "./support/signal-client.js";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";

let node: TestNode;
let basic: string;
before(async () => {
  node = await startTestNode({ api: { rateLimitPerMinute: 100_000 } });
  basic = `Basic ${Buffer.from(`${node.keys.primary.apiKey}:${node.keys.primary.apiSecret}`).toString("base64")}`;
});
after(async () => {
  await node.stop();
});

async function call(method: string, path: string, body?: unknown, auth: string | null = basic, headers: Record<string, string> = {}) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

test("OpenAPI 3.1 document is valid and lists every route", async () => {
  const doc = (await call("GET", "/v1/openapi.json", undefined, null)).body;
  const result = await new Validator().validate(doc);
  assert.equal(result.valid, true, JSON.stringify(result.errors));
  assert.equal(doc.openapi, "3.1.0");
  const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  for (const r of [
    "POST /v1/rooms",
    "GET /v1/rooms",
    "GET /v1/rooms/{room}",
    "PATCH /v1/rooms/{room}",
    "DELETE /v1/rooms/{room}",
    "GET /v1/rooms/{room}/participants",
    "GET /v1/rooms/{room}/participants/{identity}",
    "PATCH /v1/rooms/{room}/participants/{identity}",
    "DELETE /v1/rooms/{room}/participants/{identity}",
    "POST /v1/rooms/{room}/participants/{identity}/tracks/{trackSid}/mute",
    "POST /v1/tokens",
  ]) {
    assert.ok(routes.includes(r), `${r} missing from ${routes.join(", ")}`);
  }
  const ui = await fetch(`${node.url}/docs/api/`);
  assert.equal(ui.status, 200);
});

test("authentication: missing, wrong secret, unknown key, non-admin bearer are refused", async () => {
  assert.equal((await call("GET", "/v1/rooms", undefined, null)).body.code, "UNAUTHORIZED");
  const wrong = `Basic ${Buffer.from(`${node.keys.primary.apiKey}:nope`).toString("base64")}`;
  assert.deepEqual(
    [(await call("GET", "/v1/rooms", undefined, wrong)).status, (await call("GET", "/v1/rooms", undefined, wrong)).body.code],
    [401, "UNAUTHORIZED"],
  );
  assert.equal((await call("GET", "/v1/rooms", undefined, `Basic ${Buffer.from("APIx:y").toString("base64")}`)).status, 401);
  const user = await node.token({ room: "r", identity: "u" });
  assert.deepEqual((await call("GET", "/v1/rooms", undefined, `Bearer ${user}`)).body.code, "PERMISSION_DENIED");
  const admin = await node.token({ room: "only-this", identity: "adm", grants: { admin: true } });
  assert.equal((await call("GET", "/v1/rooms/other", undefined, `Bearer ${admin}`)).body.code, "PERMISSION_DENIED");
  assert.equal((await call("POST", "/v1/rooms", { name: "only-this" }, `Bearer ${admin}`)).status, 201);
});

test("rooms: create, conflict, get, list with pagination and prefix, update metadata, delete disconnects everyone", async () => {
  const created = await call("POST", "/v1/rooms", { name: "board-1", maxParticipants: 5, emptyTimeoutS: 60, metadata: '{"case":42}' });
  assert.equal(created.status, 201);
  assert.deepEqual(
    { ...created.body, sid: undefined, createdAt: undefined },
    {
      sid: undefined,
      createdAt: undefined,
      active: true,
      residencyPolicy: null,
      name: "board-1",
      metadata: '{"case":42}',
      maxParticipants: 5,
      emptyTimeoutS: 60,
      numParticipants: 0,
    },
  );
  assert.deepEqual(
    [(await call("POST", "/v1/rooms", { name: "board-1" })).status, (await call("POST", "/v1/rooms", { name: "board-1" })).body.code],
    [409, "ROOM_ALREADY_EXISTS"],
  );
  for (const n of ["board-2", "board-3", "other-1"]) assert.equal((await call("POST", "/v1/rooms", { name: n })).status, 201);
  assert.equal((await call("GET", "/v1/rooms/board-1")).body.maxParticipants, 5);
  assert.equal((await call("GET", "/v1/rooms/nope")).body.code, "ROOM_NOT_FOUND");
  const page1 = (await call("GET", "/v1/rooms?prefix=board-&limit=2")).body;
  assert.deepEqual(
    page1.rooms.map((r: { name: string }) => r.name),
    ["board-1", "board-2"],
  );
  const page2 = (await call("GET", `/v1/rooms?prefix=board-&limit=2&cursor=${page1.nextCursor}`)).body;
  assert.deepEqual([page2.rooms.map((r: { name: string }) => r.name), page2.nextCursor], [["board-3"], null]);
  assert.equal((await call("PATCH", "/v1/rooms/board-1", { metadata: "m2" })).body.metadata, "m2");

  const c = await SignalClient.connect(node.wsUrl);
  assert.equal((await c.request({ type: "join", token: await node.token({ room: "board-1", identity: "judge" }) })).type, "joined");
  assert.equal((await call("GET", "/v1/rooms/board-1")).body.numParticipants, 1);
  assert.equal((await call("DELETE", "/v1/rooms/board-1")).status, 204);
  await waitFor("leave event", () => c.of("leave").length > 0);
  assert.equal(c.of("leave")[0]!.reason, "room_deleted");
  assert.equal((await call("GET", "/v1/rooms/board-1")).status, 404);
  assert.equal((await call("DELETE", "/v1/rooms/board-1")).body.code, "ROOM_NOT_FOUND");
});

test("participants: list, get, update live (the client hears of it), remove", async () => {
  await call("POST", "/v1/rooms", { name: "hearing" });
  const c = await SignalClient.connect(node.wsUrl);
  await c.request({ type: "join", token: await node.token({ room: "hearing", identity: "witness", name: "W" }) });
  const list = (await call("GET", "/v1/rooms/hearing/participants")).body.participants;
  assert.deepEqual(
    list.map((p: { identity: string; state: string }) => [p.identity, p.state]),
    [["witness", "active"]],
  );
  assert.equal((await call("GET", "/v1/rooms/hearing/participants/witness")).body.name, "W");
  assert.equal((await call("GET", "/v1/rooms/hearing/participants/ghost")).body.code, "PARTICIPANT_NOT_FOUND");
  const upd = await call("PATCH", "/v1/rooms/hearing/participants/witness", {
    name: "Witness 1",
    metadata: "x",
    permissions: { canPublish: false },
  });
  assert.equal(upd.status, 200);
  assert.deepEqual([upd.body.name, upd.body.permissions.canPublish], ["Witness 1", false]);
  await waitFor("participantUpdated reaches the client", () =>
    c.of("participantUpdated").some((m) => m.participant.name === "Witness 1" && !m.participant.permissions.canPublish),
  );
  assert.equal(
    (await call("POST", "/v1/rooms/hearing/participants/witness/tracks/TR_none/mute", { muted: true })).body.code,
    "TRACK_NOT_FOUND",
  );
  assert.equal((await call("DELETE", "/v1/rooms/hearing/participants/witness")).status, 204);
  await waitFor("removed", () => c.of("leave").some((m) => m.reason === "removed"));
  assert.equal((await call("GET", "/v1/rooms/hearing/participants")).body.participants.length, 0);
});

test("tokens minted through the API join their room", async () => {
  const res = await call("POST", "/v1/tokens", {
    room: "minted",
    identity: "api-user",
    name: "Api",
    ttlS: 600,
    grants: { subscribe: true, publish: false },
  });
  assert.equal(res.status, 201);
  assert.ok(res.body.expiresAt > Date.now() / 1000);
  const c = await SignalClient.connect(node.wsUrl);
  const joined = await c.request({ type: "join", token: res.body.token, room: "minted" });
  assert.equal(joined.type, "joined");
  assert.equal((joined as { participant: { permissions: { canPublish: boolean } } }).participant.permissions.canPublish, false);
  c.close();
});

test("bad input: unknown fields, wrong types, bad names, bad JSON, wrong content type, too large, unknown route", async () => {
  const bad: [string, string, unknown, string, number][] = [
    ["POST", "/v1/rooms", { name: "x", colour: "red" }, "INVALID_ARGUMENT", 400],
    ["POST", "/v1/rooms", { name: 42 }, "INVALID_ARGUMENT", 400],
    ["POST", "/v1/rooms", { name: "has space" }, "INVALID_ARGUMENT", 400],
    ["POST", "/v1/rooms", { name: "x", maxParticipants: 0 }, "INVALID_ARGUMENT", 400],
    ["POST", "/v1/rooms", "{not json", "INVALID_ARGUMENT", 400],
    ["PATCH", "/v1/rooms/x", {}, "INVALID_ARGUMENT", 400],
    ["POST", "/v1/tokens", { room: "r", ttlS: -1 }, "INVALID_ARGUMENT", 400],
    ["POST", "/v1/tokens", { room: "r", grants: { fly: true } }, "INVALID_ARGUMENT", 400],
    ["GET", "/v1/rooms?limit=0", undefined, "INVALID_ARGUMENT", 400],
    ["GET", "/v1/nothing-here", undefined, "NOT_FOUND", 404],
    ["POST", "/v1/rooms", JSON.stringify({ name: "big", metadata: "x".repeat(300 * 1024) }), "PAYLOAD_TOO_LARGE", 413],
  ];
  for (const [method, path, body, code, status] of bad) {
    const r = await call(method, path, body);
    assert.deepEqual([r.status, r.body?.code], [status, code], `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)}`);
  }
  const text = await call("POST", "/v1/rooms", "name=x", basic, { "content-type": "text/plain" });
  assert.deepEqual([text.status, text.body.code], [415, "UNSUPPORTED_MEDIA_TYPE"]);
});

test("property: no request body, however malformed, makes the API answer 500", async () => {
  await call("POST", "/v1/rooms", { name: "fuzz" });
  const targets: [string, string][] = [
    ["POST", "/v1/rooms"],
    ["PATCH", "/v1/rooms/fuzz"],
    ["POST", "/v1/tokens"],
    ["PATCH", "/v1/rooms/fuzz/participants/nobody"],
    ["POST", "/v1/rooms/fuzz/participants/nobody/tracks/TR_x/mute"],
  ];
  const body = fc.oneof(
    fc.json(),
    fc.string(),
    fc
      .record(
        {
          name: fc.anything(),
          metadata: fc.anything(),
          maxParticipants: fc.anything(),
          room: fc.anything(),
          grants: fc.anything(),
          muted: fc.anything(),
          permissions: fc.anything(),
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  );
  for (const [method, path] of targets) {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const r = await call(method, path, b);
        assert.ok(r.status < 500, `${method} ${path} ${b.slice(0, 80)} → ${r.status} ${JSON.stringify(r.body)}`);
        if (r.status >= 400) assert.equal(typeof r.body?.code, "string");
      }),
      { numRuns: 60 },
    );
  }
});

test("rate limit: mutating calls beyond the limit get 429 with Retry-After", async () => {
  const small = await startTestNode({ api: { rateLimitPerMinute: 3 } });
  try {
    const auth = `Basic ${Buffer.from(`${small.keys.primary.apiKey}:${small.keys.primary.apiSecret}`).toString("base64")}`;
    const statuses = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${small.url}/v1/rooms`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ name: `rl-${i}` }),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        assert.equal(((await res.json()) as { code: string }).code, "RATE_LIMITED");
      }
    }
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
    assert.ok(Number(retryAfter) >= 1);
    // Reads are not limited.
    assert.equal((await fetch(`${small.url}/v1/rooms`, { headers: { authorization: auth } })).status, 200);
  } finally {
    await small.stop();
  }
});

test("a room created through the API is durable: after a restart it starts from its stored configuration", async () => {
  const first = await startTestNode({ keepDataDir: true });
  const auth = `Basic ${Buffer.from(`${first.keys.primary.apiKey}:${first.keys.primary.apiSecret}`).toString("base64")}`;
  const post = await fetch(`${first.url}/v1/rooms`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ name: "tribunal", maxParticipants: 1, metadata: "sealed", residencyPolicy: "eu-only" }),
  });
  assert.equal(post.status, 201);
  const dataDir = first.config.dataDir;
  await first.stop();
  const second = await startTestNode({ dataDir, keepDataDir: false });
  try {
    const get = async () =>
      (await fetch(`${second.url}/v1/rooms/tribunal`, { headers: { authorization: auth } })).json() as Promise<Record<string, unknown>>;
    const stored = await get();
    assert.deepEqual(
      [stored["active"], stored["metadata"], stored["maxParticipants"], stored["residencyPolicy"]],
      [false, "sealed", 1, "eu-only"],
    );
    const a = await SignalClient.connect(second.wsUrl);
    assert.equal((await a.request({ type: "join", token: await second.token({ room: "tribunal", identity: "a" }) })).type, "joined");
    const live = await get();
    assert.deepEqual([live["active"], live["numParticipants"], live["metadata"]], [true, 1, "sealed"]);
    // The stored limit applies to the live session.
    const b = await SignalClient.connect(second.wsUrl);
    assert.equal(
      ((await b.request({ type: "join", token: await second.token({ room: "tribunal", identity: "b" }) })) as { code?: string }).code,
      "ROOM_FULL",
    );
    a.close();
    b.close();
  } finally {
    await second.stop();
  }
});
