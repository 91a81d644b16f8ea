/** `relais token create` and `relais join-link`: access tokens signed with an API key. */
import type { VideoGrants } from "@relais/protocol";
import { createAccessToken } from "../auth/access-token.js";
import { type ApiKeyPair, activeApiKey, bootstrapApiKeys } from "../auth/api-key-bootstrap.js";
import { loadConfig, publicBaseUrl } from "../config/config.js";
import { storeLocation } from "../main.js";
import { parseDuration } from "../shared/duration.js";
import { CliError, type CommandGroup, type ParsedArgs, parseArgs, subcommands, UsageError } from "./args.js";
import { withNodeStore } from "./node-store.js";

export const TOKEN_USAGE = `  relais token create --room ROOM [--identity ID] [--name NAME] [--ttl 2h]
                      [--grants publish,subscribe,publishData,admin,record] [--metadata TEXT]
                      [--api-key KEY --api-secret SECRET] [--config FILE]
      Print an access token (JWT). Without --identity, a shared room link token.
      Keys come from the flags, RELAIS_API_KEY/RELAIS_API_SECRET, or the node's store.`;

export const JOIN_LINK_USAGE = `  relais join-link --room ROOM [--ttl 4h] [--api-key KEY --api-secret SECRET] [--config FILE]
      Print a join link for the web app.`;

const GRANT_NAMES = ["join", "publish", "subscribe", "publishData", "admin", "record"] as const;

export function parseGrants(text: string, usage?: string): VideoGrants {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(GRANT_NAMES as readonly string[]).includes(n))
      throw new UsageError(`unknown grant "${n}" (known: ${GRANT_NAMES.join(", ")})`, usage);
  return {
    join: true,
    publish: names.includes("publish"),
    subscribe: names.includes("subscribe"),
    publishData: names.includes("publishData"),
    admin: names.includes("admin"),
    record: names.includes("record"),
  };
}

function ttl(a: ParsedArgs, fallback: string, usage: string): number {
  const text = a.get("ttl") ?? fallback;
  const s = parseDuration(text);
  if (s === null || s <= 0) throw new UsageError(`--ttl: cannot read "${text}" (examples: 90s, 15m, 2h)`, usage);
  return s;
}

/** The signing key: the flags, RELAIS_API_KEY/RELAIS_API_SECRET, or the oldest active key of the node's store. */
async function signingKey(a: ParsedArgs, usage: string): Promise<ApiKeyPair> {
  const apiKey = a.get("api-key") ?? process.env["RELAIS_API_KEY"];
  const apiSecret = a.get("api-secret") ?? process.env["RELAIS_API_SECRET"];
  if (apiKey && apiSecret) return { apiKey, apiSecret };
  if (apiKey || apiSecret) throw new UsageError("give both --api-key and --api-secret", usage);
  return withNodeStore(a.get("config"), { create: true }, async (store, config) => {
    const { created } = await bootstrapApiKeys(store.apiKeys, { dataDir: config.dataDir });
    if (created) {
      // First use of this data dir: the key is new, and `relais start` will not show it again.
      console.error(
        `relais: generated a development API key in ${storeLocation(config)}:\n  API key:    ${created.apiKey}\n  API secret: ${created.apiSecret}`,
      );
    }
    const key = await activeApiKey(store.apiKeys);
    if (!key) throw new CliError("every API key in the store is revoked: create one with `relais keys create --name NAME`");
    return key;
  });
}

async function createToken(args: string[]): Promise<number> {
  const a = parseArgs(
    args,
    { values: ["room", "identity", "name", "ttl", "grants", "metadata", "api-key", "api-secret", "config"] },
    TOKEN_USAGE,
  );
  const room = a.get("room");
  if (!room) throw new UsageError("--room is required", TOKEN_USAGE);
  const grants = a.has("grants") ? parseGrants(a.get("grants")!, TOKEN_USAGE) : undefined;
  const ttlS = ttl(a, "2h", TOKEN_USAGE);
  const token = await createAccessToken({
    ...(await signingKey(a, TOKEN_USAGE)),
    room,
    identity: a.get("identity"),
    name: a.get("name"),
    metadata: a.get("metadata"),
    grants,
    ttlS,
  });
  console.log(token);
  return 0;
}

export const tokenCommand: CommandGroup = subcommands("token", { usage: TOKEN_USAGE }, { create: createToken });

export const joinLinkCommand: CommandGroup = {
  usage: JOIN_LINK_USAGE,
  run: async (args) => {
    const a = parseArgs(args, { values: ["room", "ttl", "api-key", "api-secret", "config"] }, JOIN_LINK_USAGE);
    const room = a.get("room");
    if (!room) throw new UsageError("--room is required", JOIN_LINK_USAGE);
    const ttlS = ttl(a, "4h", JOIN_LINK_USAGE);
    const config = loadConfig({ file: a.get("config") });
    const token = await createAccessToken({ ...(await signingKey(a, JOIN_LINK_USAGE)), room, ttlS });
    console.log(`${publicBaseUrl(config)}/r/${encodeURIComponent(room)}?token=${token}`);
    return 0;
  },
};
