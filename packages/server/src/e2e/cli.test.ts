import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { verifyAccessToken } from "../auth/access-token.js";
import { CLI, runRelais } from "./support/relais-cli.js";
import { SignalClient } from "./support/signal-client.js";

const secrets = { apiKey: "APItest", apiSecret: "s3cret-for-tests-only" };
const secretFor = (k: string) => (k === secrets.apiKey ? secrets.apiSecret : undefined);

function relais(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { PATH: process.env["PATH"], ...env } });
}

test("relais token create prints a token with the requested identity, room, grants and ttl", async () => {
  const r = relais([
    "token",
    "create",
    "--room",
    "demo",
    "--identity",
    "alice",
    "--name",
    "Alice",
    "--ttl",
    "2h",
    "--grants",
    "subscribe",
    "--api-key",
    secrets.apiKey,
    "--api-secret",
    secrets.apiSecret,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const v = await verifyAccessToken(r.stdout.trim(), secretFor, "demo");
  assert.equal(v.identity, "alice");
  assert.equal(v.claims.name, "Alice");
  assert.equal(v.grants.publish, false);
  assert.equal(v.grants.subscribe, true);
  assert.ok(Math.abs(v.claims.exp - (Math.floor(Date.now() / 1000) + 7200)) < 30);
  await assert.rejects(verifyAccessToken(r.stdout.trim(), secretFor, "other"), /does not grant access to this room/);
});

test("relais token create refuses bad input with a clear message and exit code 2", () => {
  const keys = ["--api-key", secrets.apiKey, "--api-secret", secrets.apiSecret];
  for (const [args, message] of [
    [["token", "create", "--identity", "a", ...keys], /--room is required/],
    [["token", "create", "--room", "r", "--ttl", "soon", ...keys], /--ttl: cannot read "soon"/],
    [["token", "create", "--room", "r", "--grants", "publish,fly", ...keys], /unknown grant "fly"/],
    [["token", "create", "--room", "r", "--api-key", "k"], /give both --api-key and --api-secret/],
    [["teleport"], /unknown command "teleport"/],
  ] as const) {
    const r = relais([...args]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, new RegExp(secrets.apiSecret));
  }
});

const children = new Set<ChildProcess>();
// A failed assertion must not leave a node running (the test process would never end).
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

/** `relais start` as a child on ephemeral ports, once it printed its join link. */
async function startNode(dataDir: string) {
  const env = {
    RELAIS_DATA_DIR: dataDir,
    RELAIS_HTTP_PORT: "0",
    RELAIS_MEDIA_UDP_PORT: "0",
    RELAIS_MEDIA_TCP_PORT: "0",
    RELAIS_MEDIA_WORKERS: "1",
    // info: the log (JSON lines on stdout, beside the banner) is checked for secrets.
    RELAIS_LOG_LEVEL: "info",
  };
  const child = spawn(process.execPath, [CLI, "start"], { env: { PATH: process.env["PATH"], ...env } });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const deadline = Date.now() + 20_000;
  while (!/\/r\/demo\?token=\S+/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`relais start printed no join link: ${out}${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const link = /(http:\/\/127\.0\.0\.1:(\d+)\/r\/demo\?token=(\S+))/.exec(out)!;
  const stop = async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    return exited;
  };
  const logLines = () => out.split("\n").filter((l) => l.startsWith("{"));
  return { child, out, err: () => err, logLines, link, url: `http://127.0.0.1:${link[2]}`, stop };
}

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;

test("relais start generates a dev key once, prints a join link that joins, and stops on SIGTERM", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "relais-cli-"));
  const start = () => startNode(dataDir);
  try {
    const first = await start();
    assert.match(first.out, /A development API key was generated and stored in \S+relais\.db \(shown only this once\)/);
    const apiKey = /API key: +(\S+)/.exec(first.out)![1]!;
    const apiSecret = /API secret: +(\S+)/.exec(first.out)![1]!;
    // The key lives in the store (sealed), not in a keys.json any more.
    assert.equal(existsSync(path.join(dataDir, "keys.json")), false);
    assert.equal(statSync(path.join(dataDir, "secrets.key")).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o077, 0, "the data directory is private");
    const rest = await fetch(`${first.url}/v1/rooms`, { headers: { authorization: basic(apiKey, apiSecret) } });
    assert.equal(rest.status, 200);
    const link = first.link;
    const page = await fetch(link[1]!);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    // The link's token joins room "demo" (twice: a shared link gives each tab its own identity).
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const c = await SignalClient.connect(`ws://127.0.0.1:${link[2]}/v1/rtc`);
      const res = await c.request({ type: "join", token: link[3]!, room: "demo", name: `Tab ${i}` });
      assert.equal(res.type, "joined");
      ids.push((res as { participant: { identity: string } }).participant.identity);
      c.close();
    }
    assert.notEqual(ids[0], ids[1]);
    assert.ok(first.logLines().some((l) => l.includes("participant joined")));
    assert.ok(!first.logLines().some((l) => l.includes(apiSecret)) && !first.err().includes(apiSecret), "the secret is not in the log");
    assert.equal(await first.stop(), 0);
    // Second start: the key exists and is not printed again; it still works.
    const second = await start();
    assert.doesNotMatch(second.out, /API secret|API key:/);
    const again = await fetch(`${second.url}/v1/rooms`, { headers: { authorization: basic(apiKey, apiSecret) } });
    assert.equal(again.status, 200);
    await second.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("relais start imports the keys.json of an earlier release: its key keeps working, nothing new is generated", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "relais-cli-"));
  const legacy = {
    apiKey: "APIfeedfacecafebeef",
    apiSecret: "legacy-secret-0123456789abcdefghijklmnop",
    createdAt: "2025-01-02T03:04:05.000Z",
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dataDir, "keys.json"), JSON.stringify({ keys: [legacy] }), { mode: 0o600 });
  try {
    const node = await startNode(dataDir);
    assert.match(node.out, /Imported 1 API key from \S+keys\.json into \S+relais\.db\./);
    assert.doesNotMatch(node.out, /API secret|development API key/);
    assert.ok(node.logLines().some((l) => l.includes("imported API keys from keys.json")));
    assert.ok(!node.logLines().some((l) => l.includes(legacy.apiSecret)), "the secret is not in the log");
    assert.equal(existsSync(path.join(dataDir, "keys.json")), false, "moved aside");
    assert.ok(existsSync(path.join(dataDir, "keys.json.imported")));
    // REST with the imported key; the join link is signed with it (the oldest key) and joins.
    const rest = await fetch(`${node.url}/v1/rooms`, { headers: { authorization: basic(legacy.apiKey, legacy.apiSecret) } });
    assert.equal(rest.status, 200);
    const v = await verifyAccessToken(node.link[3]!, (k) => (k === legacy.apiKey ? legacy.apiSecret : undefined), "demo");
    assert.equal(v.claims.iss, legacy.apiKey);
    const c = await SignalClient.connect(`ws://127.0.0.1:${node.link[2]}/v1/rtc`);
    assert.equal((await c.request({ type: "join", token: node.link[3]!, room: "demo" })).type, "joined");
    c.close();
    // The store lists it; the CLI signs tokens with it.
    const listed = await runRelais(["keys", "list", "--json"], { RELAIS_DATA_DIR: dataDir });
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { keys: { key: string; name: string }[] }).keys.map((k) => [k.key, k.name]),
      [[legacy.apiKey, "imported from keys.json"]],
    );
    assert.equal(await node.stop(), 0);
    // A second start neither imports nor generates.
    const second = await startNode(dataDir);
    assert.doesNotMatch(second.out, /Imported|API secret/);
    await second.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("relais start refuses to start when every key is revoked, and says how to fix it", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "relais-cli-"));
  const env = { RELAIS_DATA_DIR: dataDir };
  try {
    const created = await runRelais(["keys", "create", "--name", "only", "--json"], env);
    assert.equal(created.status, 0, created.stderr);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const revoked = await runRelais(["keys", "revoke", key], env);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stderr, /no active API key is left/);
    const start = await runRelais(["start"], { ...env, RELAIS_HTTP_PORT: "0", RELAIS_MEDIA_UDP_PORT: "0", RELAIS_MEDIA_TCP_PORT: "0" });
    assert.equal(start.status, 1);
    assert.match(start.stderr, /every API key in the store is revoked: create one with `relais keys create --name NAME`/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
