import assert from "node:assert/strict";
import { before, test } from "node:test";
import { createAccessToken } from "../auth/access-token.js";
import { type CliResult, runRelais } from "./support/relais-cli.js";
import { SignalClient } from "./support/signal-client.js";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";
import { exitAfterWrtcTests, WrtcPeer } from "./support/wrtc-peer.js";

// The CLI's `keys` commands open the node's store (its data dir); the REST commands call its URL.
let node: TestNode;
let env: NodeJS.ProcessEnv;
before(async () => {
  node = await startTestNode({ api: { rateLimitPerMinute: 100_000 } });
  env = { RELAIS_DATA_DIR: node.config.dataDir, RELAIS_URL: node.url };
});
exitAfterWrtcTests(() => node?.stop());

const relais = (args: string[], extra: NodeJS.ProcessEnv = {}) => runRelais(args, { ...env, ...extra });

function ok(r: CliResult, what: string): string {
  assert.equal(r.status, 0, `${what}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function json<T = Record<string, unknown>>(r: CliResult, what: string): T {
  return JSON.parse(ok(r, what)) as T;
}

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;
const restStatus = async (key: string, secret: string) =>
  (await fetch(`${node.url}/v1/rooms`, { headers: { authorization: basic(key, secret) } })).status;

async function join(room: string, token: string): Promise<{ client: SignalClient; reply: Record<string, unknown> }> {
  const client = await SignalClient.connect(node.wsUrl);
  const reply = (await client.request({ type: "join", token, room })) as unknown as Record<string, unknown>;
  return { client, reply };
}

test("keys create --json prints exactly {key, secret}; the key authenticates REST and signs tokens that join", async () => {
  const created = json(await relais(["keys", "create", "--name", "crm", "--json"]), "keys create");
  assert.deepEqual(Object.keys(created).sort(), ["key", "secret"]);
  const { key, secret } = created as { key: string; secret: string };
  assert.match(key, /^API[0-9a-f]{16}$/);
  assert.ok(secret.length >= 40);
  assert.equal(await restStatus(key, secret), 200);
  const token = await createAccessToken({ apiKey: key, apiSecret: secret, room: "crm-room", identity: "agent", ttlS: 60 });
  const { client, reply } = await join("crm-room", token);
  assert.equal(reply["type"], "joined");
  client.close();

  // The human form is a table with the secret, and a reminder that it is shown once.
  const table = ok(await relais(["keys", "create", "--name", "ops"]), "keys create (table)");
  assert.match(table, /^KEY +NAME +SECRET\nAPI[0-9a-f]{16} +ops +\S{40,}\n/);
  assert.match(table, /not shown again/);

  // keys list: every key, never a secret.
  const listed = json<{ keys: { key: string; name: string; createdAt: number; revokedAt: number | null }[] }>(
    await relais(["keys", "list", "--json"]),
    "keys list",
  );
  const mine = listed.keys.filter((k) => k.key === key);
  assert.deepEqual(mine, [{ key, name: "crm", createdAt: mine[0]?.createdAt, revokedAt: null }]);
  assert.ok(Math.abs(mine[0]!.createdAt - Date.now()) < 60_000);
  assert.ok(listed.keys.some((k) => k.key === node.keys.primary.apiKey && k.name === "development"));
  const human = ok(await relais(["keys", "list"]), "keys list (table)");
  assert.match(human, /^KEY +NAME +CREATED +STATUS\n/);
  assert.match(human, new RegExp(`${key} +crm +\\S+ \\S+ +active`));
  assert.ok(!human.includes(secret) && !JSON.stringify(listed).includes(secret), "no secret in keys list");
});

test("keys revoke: REST answers 401 and new joins fail with TOKEN_INVALID at once; other keys keep working", async () => {
  const { key, secret } = json<{ key: string; secret: string }>(
    await relais(["keys", "create", "--name", "leaked", "--json"]),
    "keys create",
  );
  const token = await createAccessToken({ apiKey: key, apiSecret: secret, room: "revoke-room", identity: "eve", ttlS: 600 });
  assert.equal(await restStatus(key, secret), 200);
  // An admin token of the key is also accepted until the revocation.
  const admin = await createAccessToken({ apiKey: key, apiSecret: secret, room: "revoke-room", grants: { admin: true }, ttlS: 600 });
  const bearer = async () =>
    (await fetch(`${node.url}/v1/rooms/revoke-room/participants`, { headers: { authorization: `Bearer ${admin}` } })).status;

  assert.match(ok(await relais(["keys", "revoke", key]), "keys revoke"), new RegExp(`Revoked API key ${key}`));
  assert.equal(await restStatus(key, secret), 401);
  assert.equal(await bearer(), 401);
  const { client, reply } = await join("revoke-room", token);
  assert.equal(reply["type"], "error");
  assert.equal(reply["code"], "TOKEN_INVALID");
  client.close();
  assert.equal(await restStatus(node.keys.primary.apiKey, node.keys.primary.apiSecret), 200);

  const listed = json<{ keys: { key: string; revokedAt: number | null }[] }>(await relais(["keys", "list", "--json"]), "keys list");
  assert.ok(listed.keys.find((k) => k.key === key)?.revokedAt);
  assert.match(ok(await relais(["keys", "list"]), "keys list"), new RegExp(`${key} +leaked +\\S+ \\S+ +revoked `));

  const again = await relais(["keys", "revoke", key]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already revoked/);
  const unknown = await relais(["keys", "revoke", "APInothere"]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no API key APInothere/);
  // The REST commands refuse the revoked key with the server's code.
  const refused = await relais(["room", "list", "--api-key", key, "--api-secret", secret]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^relais: UNAUTHORIZED: /);
});

test("room create/list/delete over REST, as tables and as JSON", async () => {
  const created = json(
    await relais(["room", "create", "court-7", "--max-participants", "20", "--empty-timeout", "10m", "--metadata", '{"case":1}', "--json"]),
    "room create",
  );
  assert.equal(created["name"], "court-7");
  assert.equal(created["maxParticipants"], 20);
  assert.equal(created["emptyTimeoutS"], 600);
  assert.equal(created["metadata"], '{"case":1}');
  assert.match(ok(await relais(["room", "create", "court-8"]), "room create"), /^Created room court-8 /);

  const listed = json<{ rooms: { name: string }[] }>(await relais(["room", "list", "--prefix", "court-", "--json"]), "room list");
  assert.deepEqual(
    listed.rooms.map((r) => r.name),
    ["court-7", "court-8"],
  );
  const table = ok(await relais(["room", "list"]), "room list (table)");
  assert.match(table, /^NAME +PARTICIPANTS +MAX +EMPTY TIMEOUT +LIVE +CREATED +METADATA\n/);
  assert.match(table, /\ncourt-7 +0 +20 +600s +\w+ +\S+ \S+ +\{"case":1\}\n/);

  const taken = await relais(["room", "create", "court-7"]);
  assert.equal(taken.status, 1);
  assert.match(taken.stderr, /^relais: ROOM_ALREADY_EXISTS: /);

  assert.deepEqual(json(await relais(["room", "delete", "court-7", "--json"]), "room delete"), { name: "court-7", deleted: true });
  assert.match(ok(await relais(["room", "delete", "court-8"]), "room delete"), /Deleted room court-8/);
  assert.deepEqual(json(await relais(["room", "list", "--prefix", "court-", "--json"]), "room list"), { rooms: [] });
  const gone = await relais(["room", "delete", "court-7"]);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /^relais: ROOM_NOT_FOUND: No such room\./);
});

test("participant list/remove/mute over REST", async () => {
  const token = await node.token({ room: "standup", identity: "ana", name: "Ana" });
  const { client, reply } = await join("standup", token);
  assert.equal(reply["type"], "joined");

  const listed = json<{ participants: { identity: string; name: string }[] }>(
    await relais(["participant", "list", "standup", "--json"]),
    "participant list",
  );
  assert.deepEqual(
    listed.participants.map((p) => [p.identity, p.name]),
    [["ana", "Ana"]],
  );
  assert.match(
    ok(await relais(["participant", "list", "standup"]), "participant list"),
    /^IDENTITY +NAME +SID +STATE +JOINED +TRACKS\nana +Ana +/,
  );

  // Muting a track that does not exist: the server's code, exit 1.
  const mute = await relais(["participant", "mute", "standup", "ana", "TR_nope"]);
  assert.equal(mute.status, 1);
  assert.match(mute.stderr, /^relais: TRACK_NOT_FOUND: /);

  assert.deepEqual(json(await relais(["participant", "remove", "standup", "ana", "--json"]), "participant remove"), {
    room: "standup",
    identity: "ana",
    removed: true,
  });
  await waitFor("leave removed", () => client.of("leave").find((m) => m.reason === "removed"));
  client.close();
  const missing = await relais(["participant", "remove", "standup", "ana"]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^relais: (PARTICIPANT_NOT_FOUND|ROOM_NOT_FOUND): /);
});

test("participant mute/--unmute of a published track (libwebrtc publisher); the publisher is told", async () => {
  const pub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "mute-room", identity: "speaker" }));
  try {
    const trackSid = await pub.publishVideo();
    const muted = json<{ tracks: { sid: string; muted: boolean }[] }>(
      await relais(["participant", "mute", "mute-room", "speaker", trackSid, "--json"]),
      "participant mute",
    );
    assert.deepEqual(
      muted.tracks.map((t) => [t.sid, t.muted]),
      [[trackSid, true]],
    );
    await waitFor("trackMuted true", () => pub.signal.of("trackMuted").find((m) => m.trackSid === trackSid && m.muted));
    assert.match(
      ok(await relais(["participant", "list", "mute-room"]), "participant list"),
      new RegExp(`${trackSid} video/camera \\(muted\\)`),
    );
    assert.match(
      ok(await relais(["participant", "mute", "mute-room", "speaker", trackSid, "--unmute"]), "participant unmute"),
      new RegExp(`^Unmuted track ${trackSid} of speaker in room mute-room\\.`),
    );
    await waitFor("trackMuted false", () => pub.signal.of("trackMuted").find((m) => m.trackSid === trackSid && !m.muted));
  } finally {
    pub.close();
  }
});

test("webhook add/list/deliveries/delete over REST", async () => {
  const added = json<{ id: string; url: string; events: string[] | null; secret: string }>(
    await relais(["webhook", "add", "http://127.0.0.1:9/hooks", "--events", "participant_joined,participant_left", "--json"]),
    "webhook add",
  );
  assert.equal(added.url, "http://127.0.0.1:9/hooks");
  assert.deepEqual(added.events, ["participant_joined", "participant_left"]);
  assert.match(added.secret, /^whsec_[A-Za-z0-9+/]+=*$/);

  const listed = json<{ webhooks: { id: string; secret?: string }[] }>(await relais(["webhook", "list", "--json"]), "webhook list");
  assert.ok(listed.webhooks.some((w) => w.id === added.id));
  assert.ok(
    listed.webhooks.every((w) => w.secret === undefined),
    "no secret in the list",
  );
  assert.match(
    ok(await relais(["webhook", "list"]), "webhook list"),
    new RegExp(`\\n${added.id} +http://127\\.0\\.0\\.1:9/hooks +participant_joined,participant_left +\\S+`),
  );
  const table = ok(await relais(["webhook", "add", "http://127.0.0.1:9/all"]), "webhook add (table)");
  assert.match(table, /^ID +URL +EVENTS +SECRET\n\S+ +http:\/\/127\.0\.0\.1:9\/all +all +whsec_/);

  assert.deepEqual(json(await relais(["webhook", "deliveries", added.id, "--json"]), "webhook deliveries"), { deliveries: [] });
  assert.match(ok(await relais(["webhook", "deliveries", added.id]), "webhook deliveries"), /No deliveries yet/);
  const unknown = await relais(["webhook", "deliveries", "WH_nope"]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^relais: NOT_FOUND: /);
  const badEvent = await relais(["webhook", "add", "http://127.0.0.1:9/x", "--events", "room_exploded"]);
  assert.equal(badEvent.status, 1);
  assert.match(badEvent.stderr, /^relais: INVALID_ARGUMENT: /);

  ok(await relais(["webhook", "delete", added.id]), "webhook delete");
  const after = json<{ webhooks: { id: string }[] }>(await relais(["webhook", "list", "--json"]), "webhook list");
  assert.ok(!after.webhooks.some((w) => w.id === added.id));
});

test("credentials: flags, then RELAIS_API_KEY/RELAIS_API_SECRET, then the store's oldest active key", async () => {
  const { apiKey, apiSecret } = node.keys.primary;
  ok(await relais(["room", "list", "--json", "--api-key", apiKey, "--api-secret", apiSecret]), "flags");
  ok(await relais(["room", "list", "--json"], { RELAIS_API_KEY: apiKey, RELAIS_API_SECRET: apiSecret }), "environment");
  // Neither: the store of RELAIS_DATA_DIR (what the node itself uses).
  ok(await relais(["room", "list", "--json"]), "store");
  const wrong = await relais(["room", "list"], { RELAIS_API_KEY: apiKey, RELAIS_API_SECRET: "wrong" });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /^relais: UNAUTHORIZED: .*revoked/);
  assert.ok(!wrong.stderr.includes("wrong"), "the secret is not echoed");
  // No credentials anywhere: a usage problem (2), with what to do.
  const none = await runRelais(["room", "list"], { RELAIS_DATA_DIR: `${node.config.dataDir}-absent`, RELAIS_URL: node.url });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no API credentials: pass --api-key and --api-secret/);
});

test("usage errors exit 2 with the command's usage; an unreachable node exits 1", async () => {
  for (const [args, message] of [
    [["room", "create"], /NAME is required/],
    [["room", "create", "a", "b"], /unexpected argument "b"/],
    [["room", "create", "a", "--max-participants", "many"], /--max-participants must be a whole number/],
    [["room", "create", "a", "--empty-timeout", "soon"], /--empty-timeout: cannot read "soon"/],
    [["room", "list", "--colour"], /unknown option --colour/],
    [["room"], /"relais room" needs a subcommand/],
    [["room", "rename"], /unknown command "room rename"/],
    [["participant", "mute", "standup", "ana"], /TRACK_SID is required/],
    [["keys", "create"], /--name is required/],
    [["keys", "revoke"], /KEY is required/],
    [["webhook", "add", "http://x.example", "--events", ","], /--events needs at least one event type/],
    [["room", "list", "--api-key", "APIx"], /give both --api-key and --api-secret/],
  ] as const) {
    const r = await relais([...args]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /\nUsage:\n/);
  }
  const help = await relais(["room", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /relais room create NAME/);
  assert.match(help.stdout, /RELAIS_API_KEY/);

  const down = await relais(["room", "list"], { RELAIS_URL: "http://127.0.0.1:9" });
  assert.equal(down.status, 1);
  assert.match(down.stderr, /cannot reach Relais at http:\/\/127\.0\.0\.1:9 .*--url/);
});
