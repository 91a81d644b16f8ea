import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { ApiKeysTable, Database } from "./schema.js";
import type { SecretBox } from "./secret-box.js";
import type { ApiKeyRecord, ApiKeyRepository } from "./types.js";

/**
 * 256 random bits, base64url, never starting with "-" or "_": a secret pasted after
 * a flag (`--api-secret -x…`) must not read as another flag in someone's shell tool.
 */
export function newSecret(): string {
  for (;;) {
    const s = randomBytes(32).toString("base64url");
    if (/^[A-Za-z0-9]/.test(s)) return s;
  }
}

/**
 * API keys. Each secret is kept twice, for two different checks:
 *
 * - `secret_hash` = HMAC-SHA256(per-key salt, secret) answers HTTP Basic
 *   without ever decrypting anything. The secrets are 256 random bits, so a
 *   fast keyed hash is enough: a slow KDF (scrypt) guards low-entropy
 *   passwords against guessing, which cannot succeed here, and would cost
 *   tens of milliseconds on every REST call.
 * - `secret_sealed` = AES-256-GCM under the node key (SecretBox). Access tokens
 *   are HS256 JWTs signed *with* the secret, so verifying one needs the secret
 *   itself; a hash cannot do that. A stolen database without the key file
 *   reveals neither.
 *
 * Nothing is cached: a revoked key fails on the very next request.
 */
export class SqlApiKeyRepository implements ApiKeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async create(o: { name: string; key?: string; secret?: string; createdAt?: number }): Promise<{ record: ApiKeyRecord; secret: string }> {
    const key = o.key ?? `API${randomBytes(8).toString("hex")}`;
    const secret = o.secret ?? newSecret();
    const salt = randomBytes(16);
    const row = {
      key,
      name: o.name,
      secret_salt: salt.toString("base64"),
      secret_hash: hashSecret(salt, secret).toString("base64"),
      secret_sealed: this.box.seal(secret, context(key)),
      created_at: o.createdAt ?? Date.now(),
      revoked_at: null,
    };
    await this.db.insertInto("api_keys").values(row).execute();
    return { record: toRecord(row), secret };
  }

  async verify(key: string, secret: string): Promise<ApiKeyRecord | null> {
    const row = await this.active(key);
    if (!row) return null;
    const expected = Buffer.from(row.secret_hash, "base64");
    const actual = hashSecret(Buffer.from(row.secret_salt, "base64"), secret);
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? toRecord(row) : null;
  }

  async secretFor(key: string): Promise<string | null> {
    const row = await this.active(key);
    return row ? this.box.open(row.secret_sealed, context(key)) : null;
  }

  async get(key: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.selectFrom("api_keys").selectAll().where("key", "=", key).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom("api_keys").selectAll().orderBy("created_at").orderBy("key").execute();
    return rows.map(toRecord);
  }

  async revoke(key: string): Promise<boolean> {
    const r = await this.db
      .updateTable("api_keys")
      .set({ revoked_at: Date.now() })
      .where("key", "=", key)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  private async active(key: string): Promise<Selectable<ApiKeysTable> | undefined> {
    // Keys come from Authorization headers and token `iss` claims: anything PostgreSQL's
    // text type refuses (NUL) or no key can be is simply unknown, not a database error.
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || key.includes("\0")) return undefined;
    return this.db.selectFrom("api_keys").selectAll().where("key", "=", key).where("revoked_at", "is", null).executeTakeFirst();
  }
}

const MAX_KEY_LENGTH = 256;

function hashSecret(salt: Buffer, secret: string): Buffer {
  return createHmac("sha256", salt).update(secret, "utf8").digest();
}

function context(key: string): string {
  return `api_key:${key}`;
}

function toRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return { key: row.key, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at };
}
