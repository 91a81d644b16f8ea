import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { openStore } from "./open-store.js";
import { storeContract } from "./store.contract.js";

const root = mkdtempSync(path.join(os.tmpdir(), "relais-sqlite-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

storeContract("sqlite", async () => {
  const dir = path.join(root, `db${++n}`);
  const sqlitePath = path.join(dir, "relais.db");
  return {
    open: () => openStore({ sqlitePath }),
    rawRows: async (table) => {
      const db = new BetterSqlite3(sqlitePath, { readonly: true });
      try {
        return db.prepare(`select * from "${table}"`).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
  };
});

test("sqlite: WAL journal, database, its WAL and the key file beside it with mode 0600", async () => {
  const dir = path.join(root, "files");
  mkdirSync(dir, { recursive: true });
  const store = await openStore({ sqlitePath: path.join(dir, "relais.db") });
  try {
    assert.equal(store.engine, "sqlite");
    assert.equal(statSync(path.join(dir, "secrets.key")).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(dir, "secrets.key")).size, 32);
    const db = new BetterSqlite3(path.join(dir, "relais.db"), { readonly: true });
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    db.close();
    for (const f of ["relais.db", "relais.db-wal"]) assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
  } finally {
    await store.close();
  }
});
