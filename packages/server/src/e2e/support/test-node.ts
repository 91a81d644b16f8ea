import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { VideoGrants } from "@relais/protocol";
import { createAccessToken } from "../../auth/access-token.js";
import { type DeepPartial, loadConfig, type RelaisConfig } from "../../config/config.js";
import { type RelaisNode, startRelais } from "../../main.js";

export interface TestNode extends RelaisNode {
  token(o: {
    room: string;
    identity?: string;
    name?: string;
    grants?: VideoGrants;
    ttlS?: number;
    apiSecret?: string;
    notBefore?: number;
  }): Promise<string>;
  wsUrl: string;
  stop(): Promise<void>;
}

/** A Relais node on loopback with ephemeral ports and a throwaway data dir. */
export async function startTestNode(overrides: DeepPartial<RelaisConfig> & { keepDataDir?: boolean } = {}): Promise<TestNode> {
  const { keepDataDir = overrides.dataDir !== undefined, ...configOverrides } = overrides;
  overrides = configOverrides;
  const dataDir = overrides.dataDir ?? mkdtempSync(path.join(tmpdir(), "relais-test-"));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      log: { level: "warn" },
      ...overrides,
      http: { port: 0, ...overrides.http },
      media: { workers: 1, udpPort: 0, tcpPort: 0, ...overrides.media },
    },
  });
  const node = await startRelais(config);
  return Object.assign(node, {
    wsUrl: node.url.replace(/^http/, "ws") + "/v1/rtc",
    token: (o: Parameters<TestNode["token"]>[0]) =>
      createAccessToken({
        apiKey: node.keys.primary.apiKey,
        apiSecret: o.apiSecret ?? node.keys.primary.apiSecret,
        room: o.room,
        identity: o.identity,
        name: o.name,
        grants: o.grants,
        ttlS: o.ttlS ?? 600,
        notBefore: o.notBefore,
      }),
    stop: async () => {
      await node.close();
      if (!keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
