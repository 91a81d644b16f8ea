/** The `relais` commands that work on the node's store directly (keys, tokens) open it here, as the node does. */
import { existsSync } from "node:fs";
import path from "node:path";
import { importLegacyKeys } from "../auth/api-key-bootstrap.js";
import { loadConfig, type RelaisConfig } from "../config/config.js";
import { openNodeStore } from "../main.js";
import type { Store } from "../store/index.js";
import { CliError } from "./args.js";

/**
 * Runs `fn` with the store of the node configured by `configFile` (or the
 * RELAIS_* environment), then closes it. A keys.json left by an earlier
 * release is imported first, as `relais start` would, so its keys are never
 * lost to a store that an earlier `keys create` made non-empty.
 *
 * `create: false` refuses to make a new data dir: listing keys in the wrong
 * directory should say so, not create an empty store there.
 */
export async function withNodeStore<T>(
  configFile: string | undefined,
  o: { create: boolean },
  fn: (store: Store, config: RelaisConfig) => Promise<T>,
): Promise<T> {
  const config = loadConfig({ file: configFile });
  if (!o.create && !storeExists(config)) {
    throw new CliError(
      `no Relais store in ${config.dataDir} (looked for relais.db and keys.json); run this where the node runs, or point to it with --config or RELAIS_DATA_DIR`,
    );
  }
  const store = await openNodeStore(config);
  try {
    await importLegacyKeys(store.apiKeys, config.dataDir);
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

function storeExists(config: RelaisConfig): boolean {
  if (config.database.url) return true;
  return existsSync(path.join(config.dataDir, "relais.db")) || existsSync(path.join(config.dataDir, "keys.json"));
}
