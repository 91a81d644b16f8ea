/** `relais keys create|list|revoke`: API keys, straight in the node's store (how an operator bootstraps access). */
import { storeLocation } from "../main.js";
import { CliError, type CommandGroup, parseArgs, subcommands, UsageError } from "./args.js";
import { withNodeStore } from "./node-store.js";
import { formatTime, printJson, printTable } from "./output.js";

export const KEYS_USAGE = `  relais keys create --name NAME [--json] [--config FILE]
      Create an API key in the node's store and print it with its secret, which is
      shown only this once. --json prints {"key": "...", "secret": "..."}.
  relais keys list [--json] [--config FILE]
      List the API keys (never their secrets).
  relais keys revoke KEY [--config FILE]
      Revoke a key: REST calls and new joins with it fail at once, on every node
      sharing the store.`;

const MAX_NAME_LENGTH = 128;

async function create(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ["name", "config"], switches: ["json"] }, KEYS_USAGE);
  const name = a.get("name")?.trim();
  if (!name) throw new UsageError("--name is required (what the key is for, e.g. --name crm)", KEYS_USAGE);
  if (name.length > MAX_NAME_LENGTH) throw new UsageError(`--name is limited to ${MAX_NAME_LENGTH} characters`, KEYS_USAGE);
  return withNodeStore(a.get("config"), { create: true }, async (store, config) => {
    const { record, secret } = await store.apiKeys.create({ name });
    if (a.has("json")) {
      printJson({ key: record.key, secret });
      return 0;
    }
    printTable(["KEY", "NAME", "SECRET"], [[record.key, record.name, secret]], "");
    console.log(`\nStored in ${storeLocation(config)}. Keep the secret now: it is not shown again.`);
    return 0;
  });
}

async function list(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ["config"], switches: ["json"] }, KEYS_USAGE);
  return withNodeStore(a.get("config"), { create: false }, async (store) => {
    const keys = await store.apiKeys.list();
    if (a.has("json")) {
      printJson({ keys });
      return 0;
    }
    printTable(
      ["KEY", "NAME", "CREATED", "STATUS"],
      keys.map((k) => [k.key, k.name, formatTime(k.createdAt), k.revokedAt === null ? "active" : `revoked ${formatTime(k.revokedAt)}`]),
      "No API keys. Create one with: relais keys create --name NAME",
    );
    return 0;
  });
}

async function revoke(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ["config"], switches: ["json"], positionals: ["KEY"] }, KEYS_USAGE);
  const key = a.arg("KEY");
  return withNodeStore(a.get("config"), { create: false }, async (store) => {
    if (!(await store.apiKeys.revoke(key))) {
      const existing = await store.apiKeys.get(key);
      throw new CliError(existing ? `API key ${key} was already revoked (${formatTime(existing.revokedAt)})` : `no API key ${key}`);
    }
    const record = (await store.apiKeys.get(key))!;
    const remaining = (await store.apiKeys.list()).filter((k) => k.revokedAt === null).length;
    if (a.has("json")) printJson({ key, revokedAt: record.revokedAt });
    else console.log(`Revoked API key ${key}.`);
    if (remaining === 0) {
      console.error(
        "relais: warning: no active API key is left; `relais start` refuses to start until you create one (relais keys create).",
      );
    }
    return 0;
  });
}

export const keysCommand: CommandGroup = subcommands("keys", { usage: KEYS_USAGE }, { create, list, revoke });
