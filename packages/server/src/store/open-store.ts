import { chmodSync, closeSync, openSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { SqlApiKeyRepository } from "./api-keys.js";
import { type Engine, migrationProvider } from "./migrations.js";
import { SqlRoomRepository } from "./rooms.js";
import type { Database } from "./schema.js";
import { SecretBox } from "./secret-box.js";
import { SqlSessionRepository } from "./sessions.js";
import type { Store } from "./types.js";
import { SqlWebhookDeliveryRepository } from "./webhook-deliveries.js";
import { SqlWebhookEndpointRepository } from "./webhook-endpoints.js";

export interface OpenStoreOptions {
  /** SQLite database file (the embedded default), e.g. `<dataDir>/relais.db`. */
  sqlitePath?: string;
  /** `postgres://…` (e.g. `RELAIS_DATABASE_URL`); wins over `sqlitePath`. */
  databaseUrl?: string;
  /**
   * Key file sealing stored secrets (created, 0600, when absent). Defaults to
   * `secrets.key` beside the SQLite file; required with PostgreSQL, and then
   * the same file on every node.
   */
  keyFile?: string;
}

/** PostgreSQL type oid of int8/bigint. */
const INT8_OID = 20;

/** Opens (and migrates to the latest schema) the node's database. */
export async function openStore(o: OpenStoreOptions): Promise<Store> {
  const engine: Engine = o.databaseUrl ? "postgres" : "sqlite";
  const keyFile = o.keyFile ?? (o.sqlitePath && !o.databaseUrl ? path.join(path.dirname(o.sqlitePath), "secrets.key") : undefined);
  if (!o.databaseUrl && !o.sqlitePath) throw new Error("openStore needs sqlitePath or databaseUrl");
  if (!keyFile) throw new Error("openStore with PostgreSQL needs keyFile (shared by every node of the deployment)");
  const box = SecretBox.fromKeyFile(keyFile);

  const db = new Kysely<Database>({ dialect: o.databaseUrl ? postgresDialect(o.databaseUrl) : sqliteDialect(o.sqlitePath!) });
  try {
    const { error, results } = await new Migrator({ db, provider: migrationProvider(engine) }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "?";
      throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  } catch (err) {
    await db.destroy();
    throw err;
  }

  const endpoints = new SqlWebhookEndpointRepository(db, box);
  let closed: Promise<void> | null = null;
  return {
    engine,
    apiKeys: new SqlApiKeyRepository(db, box),
    rooms: new SqlRoomRepository(db),
    sessions: new SqlSessionRepository(db),
    webhooks: { endpoints, deliveries: new SqlWebhookDeliveryRepository(db, endpoints) },
    close: () => {
      closed ??= db.destroy();
      return closed;
    },
  };
}

function sqliteDialect(file: string): SqliteDialect {
  if (file !== ":memory:" && !file.startsWith("file:")) {
    // Participants' identities and session history are personal data: owner-only, like the key file.
    // SQLite gives the -wal and -shm files the database file's permissions.
    closeSync(openSync(file, "a", 0o600));
    chmodSync(file, 0o600);
  }
  const database = new BetterSqlite3(file);
  // WAL: readers never block the writer and a crash loses no committed write;
  // NORMAL sync is durable in WAL mode except across a power loss of the OS.
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  database.pragma("busy_timeout = 5000");
  return new SqliteDialect({ database });
}

function postgresDialect(connectionString: string): PostgresDialect {
  // int8 columns (times in ms, seq) arrive as strings by default; they fit a
  // JS number (< 2^53), and the repositories expect numbers on both engines.
  // A per-pool override leaves the process-wide pg.types alone.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (v: string) => Number(v));
  return new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 10, types }) });
}
