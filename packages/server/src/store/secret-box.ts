import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";

/**
 * Seals secrets the server must be able to read back (API secrets that sign
 * HS256 tokens, webhook signing secrets) with AES-256-GCM under a node key that
 * lives outside the database, so a copy of the database alone reveals nothing.
 * The associated data names the row (e.g. `api_key:APIxxxx`): a sealed value
 * moved to another row fails to open. Format: `v1.<base64url iv|tag|ciphertext>`.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES) throw new Error(`the secrets key must be ${KEY_BYTES} bytes, not ${key.length}`);
    return new SecretBox(Buffer.from(key));
  }

  /**
   * Reads the key file, or creates it (32 random bytes, mode 0600) when absent.
   * Every node sharing one PostgreSQL database must share this file.
   */
  static fromKeyFile(file: string): SecretBox {
    let key: Buffer;
    try {
      key = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      key = randomBytes(KEY_BYTES);
      try {
        writeFileSync(file, key, { mode: 0o600, flag: "wx" });
      } catch (raceErr) {
        // Another process created it first: use theirs, never overwrite a key.
        if ((raceErr as NodeJS.ErrnoException).code !== "EEXIST") throw raceErr;
        key = readFileSync(file);
      }
    }
    chmodSync(file, 0o600);
    return SecretBox.fromKey(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url")}`;
  }

  /** Throws when the value was tampered with, sealed under another key or for another context. */
  open(sealed: string, context: string): string {
    const [version, body] = sealed.split(".");
    if (version !== VERSION || body === undefined) throw new Error("unknown sealed-secret format");
    const raw = Buffer.from(body, "base64url");
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("sealed secret too short");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  }
}
