#!/usr/bin/env node
/** `relais` command line: start a node, mint tokens. */
import type { VideoGrants } from "@relais/protocol";
import { createAccessToken } from "./auth/access-token.js";
import { KeyStore } from "./auth/key-store.js";
import { ConfigError, loadConfig, publicBaseUrl } from "./config/config.js";
import { startRelais } from "./main.js";
import { parseDuration } from "./shared/duration.js";

const USAGE = `Usage:
  relais start [--config FILE]
      Start a node (HTTP + signaling + web app on one port, media workers).
      Configuration: FILE (YAML), RELAIS_* environment variables; see docs/configuration.md.
  relais token create --room ROOM [--identity ID] [--name NAME] [--ttl 2h]
                      [--grants publish,subscribe,publishData,admin,record] [--metadata TEXT]
                      [--api-key KEY --api-secret SECRET] [--config FILE]
      Print an access token (JWT). Without --identity, a shared room link token.
      Keys come from the flags, RELAIS_API_KEY/RELAIS_API_SECRET, or the data dir.
  relais join-link --room ROOM [--ttl 4h] [--config FILE]
      Print a join link for the web app.`;

function parseFlags(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf("=");
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const v = args[i + 1];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      flags.set(a.slice(2), v);
      i++;
    }
  }
  return flags;
}

class UsageError extends Error {}

const GRANT_NAMES = ["join", "publish", "subscribe", "publishData", "admin", "record"] as const;

export function parseGrants(text: string): VideoGrants {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(GRANT_NAMES as readonly string[]).includes(n)) throw new UsageError(`unknown grant "${n}" (known: ${GRANT_NAMES.join(", ")})`);
  return {
    join: true,
    publish: names.includes("publish"),
    subscribe: names.includes("subscribe"),
    publishData: names.includes("publishData"),
    admin: names.includes("admin"),
    record: names.includes("record"),
  };
}

function ttl(flags: Map<string, string>, fallback: string): number {
  const text = flags.get("ttl") ?? fallback;
  const s = parseDuration(text);
  if (s === null || s <= 0) throw new UsageError(`--ttl: cannot read "${text}" (examples: 90s, 15m, 2h)`);
  return s;
}

function keysFor(flags: Map<string, string>): { apiKey: string; apiSecret: string } {
  const apiKey = flags.get("api-key") ?? process.env["RELAIS_API_KEY"];
  const apiSecret = flags.get("api-secret") ?? process.env["RELAIS_API_SECRET"];
  if (apiKey && apiSecret) return { apiKey, apiSecret };
  if (apiKey || apiSecret) throw new UsageError("give both --api-key and --api-secret");
  const config = loadConfig({ file: flags.get("config") });
  const { store, created } = KeyStore.open(config.dataDir);
  if (created) {
    // First use of this data dir: the key is new, and `relais start` will not show it again.
    console.error(
      `relais: generated a development API key in ${store.path}:\n  API key:    ${created.apiKey}\n  API secret: ${created.apiSecret}`,
    );
  }
  return store.primary;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "help") {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === "start") {
    const flags = parseFlags([sub, ...rest].filter((x): x is string => x !== undefined));
    const config = loadConfig({ file: flags.get("config") });
    const node = await startRelais(config);
    const lines = [
      `Relais is running at ${node.url}`,
      `  media: ${node.media.workers.map((w) => `udp ${w.udpPort} / tcp ${w.tcpPort}`).join(", ")}`,
    ];
    if (node.createdKey) {
      lines.push(
        "",
        "A development API key was generated and stored in " + node.keys.path + " (shown only this once):",
        `  API key:    ${node.createdKey.apiKey}`,
        `  API secret: ${node.createdKey.apiSecret}`,
      );
    }
    lines.push("", "Open this join link in two or three browser tabs (valid 4 hours):", `  ${await node.joinLink("demo")}`, "");
    console.log(lines.join("\n"));
    const stop = async () => {
      console.log("Relais is stopping…");
      await node.close();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    return -1;
  }
  if (cmd === "token" && sub === "create") {
    const flags = parseFlags(rest);
    const room = flags.get("room");
    if (!room) throw new UsageError("--room is required");
    const token = await createAccessToken({
      ...keysFor(flags),
      room,
      identity: flags.get("identity"),
      name: flags.get("name"),
      metadata: flags.get("metadata"),
      grants: flags.has("grants") ? parseGrants(flags.get("grants")!) : undefined,
      ttlS: ttl(flags, "2h"),
    });
    console.log(token);
    return 0;
  }
  if (cmd === "join-link") {
    const flags = parseFlags([sub, ...rest].filter((x): x is string => x !== undefined));
    const room = flags.get("room");
    if (!room) throw new UsageError("--room is required");
    const config = loadConfig({ file: flags.get("config") });
    const token = await createAccessToken({ ...keysFor(flags), room, ttlS: ttl(flags, "4h") });
    console.log(`${publicBaseUrl(config)}/r/${encodeURIComponent(room)}?token=${token}`);
    return 0;
  }
  if (cmd === "load-test") {
    // Kept in its own module: the load tester is a client of Relais, not part of the node.
    const { runLoadTestCli } = await import("./loadtest/cli.js");
    return runLoadTestCli([sub, ...rest].filter((x): x is string => x !== undefined));
  }
  throw new UsageError(`unknown command "${[cmd, sub].filter(Boolean).join(" ")}"`);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) console.error(`relais: ${err.message}\n\n${USAGE}`);
    else if (err instanceof ConfigError) console.error(`relais: configuration error: ${err.message}`);
    else console.error(`relais: ${(err as Error).message}`);
    process.exitCode = 2;
  },
);
