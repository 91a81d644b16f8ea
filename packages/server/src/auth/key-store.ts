import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface ApiKey {
  apiKey: string;
  apiSecret: string;
  createdAt: string;
}

/**
 * API keys of this node, kept in `<dataDir>/keys.json` (mode 0600). On first
 * start a development key is generated; the caller prints it once.
 */
export class KeyStore {
  private constructor(
    private readonly file: string,
    private readonly keys: ApiKey[],
  ) {}

  static open(dataDir: string): { store: KeyStore; created: ApiKey | null } {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, "keys.json");
    if (existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as { keys?: ApiKey[] };
      if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error(`${file} holds no API keys`);
      return { store: new KeyStore(file, parsed.keys), created: null };
    }
    const key: ApiKey = {
      apiKey: `API${randomBytes(8).toString("hex")}`,
      apiSecret: randomBytes(32).toString("base64url"),
      createdAt: new Date().toISOString(),
    };
    writeFileSync(file, `${JSON.stringify({ keys: [key] }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return { store: new KeyStore(file, [key]), created: key };
  }

  secretFor = (apiKey: string): string | undefined => this.keys.find((k) => k.apiKey === apiKey)?.apiSecret;

  /** The first key, used by the CLI and the printed join link. */
  get primary(): ApiKey {
    return this.keys[0]!;
  }

  get path(): string {
    return this.file;
  }
}
