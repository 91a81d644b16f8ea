import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after } from "node:test";
import pg from "pg";
import { openStore } from "./open-store.js";
import { startPostgres } from "./postgres-test-server.js";
import { storeContract } from "./store.contract.js";

// A real PostgreSQL server, started here. If it cannot start, this top-level
// await throws: the file fails as a test of its own (never a skip).
const server = await startPostgres();
const keyDir = mkdtempSync(path.join(os.tmpdir(), "relais-pgkey-"));
const keyFile = path.join(keyDir, "secrets.key");
let n = 0;

after(async () => {
  await server.stop();
  rmSync(keyDir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

storeContract("postgres", async () => {
  const database = `contract_${++n}`;
  await query(server.url(), `create database ${database}`);
  const url = server.url(database);
  return {
    open: () => openStore({ databaseUrl: url, keyFile }),
    rawRows: (table) => query(url, `select * from "${table}"`),
  };
});
