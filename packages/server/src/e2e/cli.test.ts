import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { verifyAccessToken } from "../auth/access-token.js";
import { SignalClient } from "./support/signal-client.js";

const CLI = fileURLToPath(new URL("../cli.js", import.meta.url));
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

test("relais start generates a dev key once, prints a join link that joins, and stops on SIGTERM", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "relais-cli-"));
  const env = {
    RELAIS_DATA_DIR: dataDir,
    RELAIS_HTTP_PORT: "0",
    RELAIS_MEDIA_UDP_PORT: "0",
    RELAIS_MEDIA_TCP_PORT: "0",
    RELAIS_MEDIA_WORKERS: "1",
    RELAIS_LOG_LEVEL: "warn",
  };
  const start = async () => {
    const child = spawn(process.execPath, [CLI, "start"], { env: { PATH: process.env["PATH"], ...env } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const deadline = Date.now() + 20_000;
    while (!/\/r\/demo\?token=\S+/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`relais start printed no join link: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, out };
  };
  try {
    const first = await start();
    assert.match(first.out, /API secret: \S+/);
    assert.equal(statSync(path.join(dataDir, "keys.json")).mode & 0o777, 0o600);
    const link = /(http:\/\/127\.0\.0\.1:(\d+)\/r\/demo\?token=(\S+))/.exec(first.out)!;
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
    first.child.kill("SIGTERM");
    const code = await new Promise((r) => first.child.once("exit", r));
    assert.equal(code, 0);
    // Second start: the key exists and is not printed again.
    const second = await start();
    assert.doesNotMatch(second.out, /API secret/);
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
