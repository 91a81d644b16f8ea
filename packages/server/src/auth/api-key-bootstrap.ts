import type { ApiKeyRepository } from "../store/types.js";
import { readLegacyKeyFile, retireLegacyKeyFile } from "./legacy-key-file.js";

/** An API key with its secret: what signs access tokens and authenticates REST calls. */
export interface ApiKeyPair {
  apiKey: string;
  apiSecret: string;
}

/** A key generated at this start; the caller shows it once. */
export interface ApiKey extends ApiKeyPair {
  createdAt: string;
}

/** Keys taken over from a `keys.json` of an earlier release. */
export interface KeyImport {
  from: string;
  count: number;
  /** Where the file was moved (`keys.json.imported`); null when it could not be moved. */
  movedTo: string | null;
}

export const IMPORTED_KEY_NAME = "imported from keys.json";
export const DEVELOPMENT_KEY_NAME = "development";

/**
 * Existing installs: when the store holds no key at all and `<dataDir>/keys.json`
 * exists, its keys (secrets included) move into the store, in file order (the
 * first stays the primary key), and the file is moved aside. Returns null when
 * nothing was imported. The store is never overwritten: once it holds a key,
 * keys.json is not read again.
 */
export async function importLegacyKeys(repo: ApiKeyRepository, dataDir: string): Promise<KeyImport | null> {
  if ((await repo.list()).length > 0) return null;
  const legacy = readLegacyKeyFile(dataDir);
  if (!legacy) return null;
  let at = 0;
  for (const k of legacy.keys) {
    // Keep the file's order even when its timestamps are missing or unordered: list() sorts by age.
    const t = Date.parse(k.createdAt);
    at = Math.max(Number.isFinite(t) ? t : Date.now(), at + 1);
    try {
      await repo.create({ name: IMPORTED_KEY_NAME, key: k.apiKey, secret: k.apiSecret, createdAt: at });
    } catch (err) {
      // A duplicate in the file, or another process (CLI and node) importing at the same moment.
      if (!(await repo.get(k.apiKey))) throw err;
    }
  }
  return { from: legacy.file, count: legacy.keys.length, movedTo: retireLegacyKeyFile(legacy.file) };
}

/**
 * At start: import keys.json into an empty store, or else, when the store holds
 * no key at all, generate a development key (returned once, for printing). A
 * store whose keys are all revoked gets no new key: revoking them was deliberate.
 */
export async function bootstrapApiKeys(
  repo: ApiKeyRepository,
  o: { dataDir: string },
): Promise<{ created: ApiKey | null; imported: KeyImport | null }> {
  const imported = await importLegacyKeys(repo, o.dataDir);
  if (imported || (await repo.list()).length > 0) return { created: null, imported };
  const { record, secret } = await repo.create({ name: DEVELOPMENT_KEY_NAME });
  return { created: { apiKey: record.key, apiSecret: secret, createdAt: new Date(record.createdAt).toISOString() }, imported: null };
}

/** The oldest key that is not revoked, with its secret (signs join links and CLI tokens); null when none is left. */
export async function activeApiKey(repo: ApiKeyRepository): Promise<ApiKeyPair | null> {
  for (const k of await repo.list()) {
    if (k.revokedAt !== null) continue;
    const secret = await repo.secretFor(k.key);
    if (secret) return { apiKey: k.key, apiSecret: secret };
  }
  return null;
}
