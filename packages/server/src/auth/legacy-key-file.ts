import { existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";

/** One key of `<dataDir>/keys.json`, where releases before the durable store kept API keys. */
export interface LegacyApiKey {
  apiKey: string;
  apiSecret: string;
  createdAt: string;
}

export const LEGACY_KEY_FILE = "keys.json";

/**
 * Reads `<dataDir>/keys.json` (`{ "keys": [{ apiKey, apiSecret, createdAt }] }`);
 * null when there is no such file. A file that exists but holds no usable key
 * is an error, not a reason to generate a new key behind the operator's back.
 */
export function readLegacyKeyFile(dataDir: string): { file: string; keys: LegacyApiKey[] } | null {
  const file = path.join(dataDir, LEGACY_KEY_FILE);
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${file} holds no API keys`);
  for (const k of keys as Partial<LegacyApiKey>[]) {
    if (typeof k?.apiKey !== "string" || !k.apiKey || typeof k.apiSecret !== "string" || !k.apiSecret)
      throw new Error(`${file}: every key needs a non-empty apiKey and apiSecret`);
  }
  return { file, keys: keys as LegacyApiKey[] };
}

/**
 * Moves an imported keys.json aside to `keys.json.imported`: the store is now
 * the one source of keys, and a file left in place would be imported again
 * into an empty store (say, after switching to PostgreSQL), reviving keys
 * revoked since. Returns the new path, or null when the rename failed.
 */
export function retireLegacyKeyFile(file: string): string | null {
  const to = `${file}.imported`;
  try {
    renameSync(file, to);
    return to;
  } catch {
    return null;
  }
}
