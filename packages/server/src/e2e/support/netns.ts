import { execFile } from "node:child_process";
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import type { DeepPartial, RelaisConfig } from "../../config/config.js";
import { CHROMIUM_ARGS } from "./browser.js";
import { startTestNode, type TestNode } from "./test-node.js";

// A network namespace joined to the host by a veth pair, for tests that impair one peer's
// network and nothing else. Rate limits are tc `tbf` on the sending side of the veth; random
// loss is an nftables `numgen random` rule inside the namespace (this kernel has no netem and
// no tc actions, but has nf_tables). Nothing leaves the machine: the namespace has no route
// beyond its /30.
//
//    host                                  namespace <name>
//   ┌───────────────────────┐  veth pair  ┌──────────────────────────┐
//   │ <hostIf> 10.213.a.b+1 │◄───────────►│ <nsIf> 10.213.a.b+2      │
//   │ tbf: "toNamespace"    │             │ tbf: "fromNamespace"     │
//   └───────────────────────┘             │ nft: loss in input/output│
//                                         └──────────────────────────┘

const run = promisify(execFile);

/** Which way a limit applies: host → namespace (what a subscriber inside receives) or back. */
export type Direction = "toNamespace" | "fromNamespace";

export interface RateLimit {
  direction: Direction;
  /** Token rate in kbit/s. */
  kbit: number;
  /** Bucket size in bytes (at least one MTU); default 15 000. */
  burstBytes?: number;
  /** Longest a packet may wait in the queue before tbf drops it; default 100 ms. */
  latencyMs?: number;
}

export interface Loss {
  /** Which ways packets are dropped. */
  directions: Direction[];
  /** Whole percent of matching packets dropped at random (0..100). */
  percent: number;
  /** Only this transport's packets (default "udp": the media path, not the signaling WebSocket). */
  protocol?: "udp" | "all";
}

export interface NetNamespace {
  name: string;
  hostIf: string;
  nsIf: string;
  /** The host's end of the veth: what the namespace reaches the host at. */
  hostAddress: string;
  /** The namespace's end of the veth. */
  nsAddress: string;
  /** Runs `argv` inside the namespace and returns its stdout. */
  exec(argv: string[]): Promise<string>;
  /** Replaces the rate limit of `direction` (tc tbf as the veth end's root qdisc). */
  setRateLimit(limit: RateLimit): Promise<void>;
  /** `tc -s qdisc show` of the veth end that shapes `direction` (queue, drops, overlimits). */
  qdiscStats(direction: Direction): Promise<string>;
  /** Replaces the random loss (nftables inside the namespace). */
  setLoss(loss: Loss): Promise<void>;
  clearLoss(): Promise<void>;
  /** Packets the loss rules have dropped so far, per direction. */
  droppedPackets(): Promise<Record<Direction, number>>;
  /** Deletes the veth pair and the namespace. Idempotent. */
  destroy(): Promise<void>;
}

const NS_PREFIX = "relais-test-";
const NFT_TABLE = "relais_impair";
let created = 0;

function findTool(name: string): string | null {
  for (const dir of ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {}
  }
  return null;
}

/** Throws (the test fails, it is not skipped) when this process cannot create namespaces. */
export function assertNetnsSupport(): void {
  if (process.getuid?.() !== 0) throw new Error("network-namespace tests must run as root (ip netns, tc, nft)");
  if (!findTool("ip") || !findTool("tc"))
    throw new Error("`ip` and `tc` are missing: install iproute2 (scripts/ensure-system-deps.sh does)");
}

async function sh(argv: string[]): Promise<string> {
  try {
    return (await run(argv[0]!, argv.slice(1), { maxBuffer: 1 << 20 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${argv.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Deletes namespaces and host veths left by test runs whose process is gone. */
export async function removeStaleNamespaces(): Promise<void> {
  for (const line of (await sh(["ip", "netns", "list"])).split("\n")) {
    const m = new RegExp(`^(${NS_PREFIX}(\\d+)-\\d+)`).exec(line.trim());
    if (m && !alive(Number(m[2]))) await sh(["ip", "netns", "delete", m[1]!]).catch(() => {});
  }
  for (const line of (await sh(["ip", "-o", "link", "show"])).split("\n")) {
    const m = /^\d+:\s+(rx(\d+)h\d+)[@:]/.exec(line);
    if (m && !alive(Number(m[2]))) await sh(["ip", "link", "delete", m[1]!]).catch(() => {});
  }
}

/** A /30 in 10.213.0.0/16 that no interface on the host uses yet. */
async function freeSubnet(seed: number): Promise<[string, string]> {
  const used = await sh(["ip", "-4", "-o", "addr", "show"]);
  for (let i = 0; i < 16384; i++) {
    const index = (seed + i) % 16384;
    const base = `10.213.${index >> 6}.`;
    const low = (index & 63) << 2;
    const host = `${base}${low + 1}`;
    if (!used.includes(` ${base}${low + 1}/`) && !used.includes(` ${base}${low + 2}/`)) return [host, `${base}${low + 2}`];
  }
  throw new Error("no free /30 in 10.213.0.0/16");
}

/** Creates a namespace `relais-test-<pid>-<n>` with a veth pair and a /30 between it and the host. */
export async function createNetNamespace(): Promise<NetNamespace> {
  assertNetnsSupport();
  await removeStaleNamespaces();
  const n = created++;
  const name = `${NS_PREFIX}${process.pid}-${n}`;
  const hostIf = `rx${process.pid}h${n}`;
  const nsIf = `rx${process.pid}n${n}`;
  const [hostAddress, nsAddress] = await freeSubnet(process.pid * 4 + n);
  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    await sh(["ip", "link", "delete", hostIf]).catch(() => {});
    await sh(["ip", "netns", "delete", name]).catch(() => {});
  };
  try {
    await sh(["ip", "netns", "add", name]);
    await sh(["ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf]);
    await sh(["ip", "link", "set", nsIf, "netns", name]);
    await sh(["ip", "addr", "add", `${hostAddress}/30`, "dev", hostIf]);
    await sh(["ip", "link", "set", hostIf, "up"]);
    await sh(["ip", "-n", name, "addr", "add", `${nsAddress}/30`, "dev", nsIf]);
    await sh(["ip", "-n", name, "link", "set", nsIf, "up"]);
    await sh(["ip", "-n", name, "link", "set", "lo", "up"]);
  } catch (err) {
    await destroy();
    throw err;
  }
  const exec = (argv: string[]) => sh(["ip", "netns", "exec", name, ...argv]);
  const device = (d: Direction) => (d === "toNamespace" ? ["dev", hostIf] : ["dev", nsIf]);
  const tc = (d: Direction, args: string[]) => sh(d === "toNamespace" ? ["tc", ...args] : ["tc", "-n", name, ...args]);

  return {
    name,
    hostIf,
    nsIf,
    hostAddress,
    nsAddress,
    exec,
    setRateLimit: async ({ direction, kbit, burstBytes = 15_000, latencyMs = 100 }) => {
      // tbf (tc-tbf(8)): a token bucket at `rate`, queueing at most `latency` worth of packets.
      const args = ["rate", `${kbit}kbit`, "burst", String(burstBytes), "latency", `${latencyMs}ms`];
      await tc(direction, ["qdisc", "replace", ...device(direction), "root", "tbf", ...args]);
    },
    qdiscStats: (direction) => tc(direction, ["-s", "qdisc", "show", ...device(direction)]),
    setLoss: async ({ directions, percent, protocol = "udp" }) => {
      if (!findTool("nft")) throw new Error("`nft` is missing: install nftables (scripts/ensure-system-deps.sh does)");
      if (!(percent >= 0 && percent <= 100 && Number.isInteger(percent)))
        throw new Error(`loss percent must be an integer 0..100, got ${percent}`);
      const match = protocol === "udp" ? "meta l4proto udp " : "";
      const rule = (d: Direction) =>
        directions.includes(d) ? `${match}numgen random mod 100 < ${percent} counter drop comment "${d}"` : `counter comment "${d}-off"`;
      // One table, flushed and rebuilt: input = packets arriving in the namespace, output = leaving it.
      const ruleset = [
        `table inet ${NFT_TABLE}`,
        `delete table inet ${NFT_TABLE}`,
        `table inet ${NFT_TABLE} {`,
        `  chain input { type filter hook input priority 0; policy accept; ${rule("toNamespace")}; }`,
        `  chain output { type filter hook output priority 0; policy accept; ${rule("fromNamespace")}; }`,
        "}",
      ].join("\n");
      await nftApply(name, ruleset);
    },
    clearLoss: async () => {
      if (!findTool("nft")) return;
      await nftApply(name, `table inet ${NFT_TABLE}\ndelete table inet ${NFT_TABLE}\n`);
    },
    droppedPackets: async () => {
      const out: Record<Direction, number> = { toNamespace: 0, fromNamespace: 0 };
      if (!findTool("nft")) return out;
      const listing = await exec(["nft", "list", "table", "inet", NFT_TABLE]).catch(() => "");
      for (const m of listing.matchAll(/counter packets (\d+) bytes \d+ drop comment "(toNamespace|fromNamespace)"/g)) {
        out[m[2] as Direction] += Number(m[1]);
      }
      return out;
    },
    destroy,
  };
}

async function nftApply(ns: string, ruleset: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile("ip", ["netns", "exec", ns, "nft", "-f", "-"], (err, _stdout, stderr) =>
      err ? reject(new Error(`nft -f failed: ${stderr.trim() || err.message}\n${ruleset}`)) : resolve(),
    );
    child.stdin!.end(ruleset);
  });
}

/**
 * Launches Debian's Chromium inside `ns`, or on the host when `ns` is null. Playwright drives it
 * over --remote-debugging-pipe (fds 3 and 4), which `ip netns exec` passes through, so the
 * executable is a wrapper script. `secureOrigins` are http origins Chromium treats as secure
 * (getUserMedia needs a secure context; only loopback is one by default).
 */
export async function launchChromiumIn(ns: NetNamespace | null, secureOrigins: string[] = []): Promise<Browser> {
  const args = [...CHROMIUM_ARGS];
  if (secureOrigins.length > 0) args.push(`--unsafely-treat-insecure-origin-as-secure=${secureOrigins.join(",")}`);
  if (!ns) return chromium.launch({ executablePath: "/usr/bin/chromium", args });
  const dir = mkdtempSync(path.join(tmpdir(), "relais-netns-chromium-"));
  const wrapper = path.join(dir, "chromium");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${findTool("ip")} netns exec ${ns.name} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  try {
    const browser = await chromium.launch({ executablePath: wrapper, args });
    browser.on("disconnected", () => rmSync(dir, { recursive: true, force: true }));
    return browser;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A namespace, a Relais node on the host end of its veth, a Chromium on the host and one inside the namespace. */
export interface ImpairedCall {
  ns: NetNamespace;
  node: TestNode;
  /** Chromium on the host: reaches the node over the host's own stack, untouched by the impairments. */
  hostBrowser: Browser;
  /** Chromium inside the namespace: every packet to or from the node crosses the veth. */
  nsBrowser: Browser;
}

/**
 * The fixture of the network-impairment tests: created before the file's tests, torn down after
 * them even when they fail (browsers, then node, then namespace). The node binds HTTP and media
 * to the host veth address and announces it, so both browsers use that address.
 */
export function impairedCall(overrides: DeepPartial<RelaisConfig> = {}): ImpairedCall {
  const env = {} as ImpairedCall;
  before(async () => {
    env.ns = await createNetNamespace();
    const address = env.ns.hostAddress;
    env.node = await startTestNode({
      ...overrides,
      http: { bindAddress: address, ...overrides.http },
      media: { bindAddress: address, announcedAddresses: [address], ...overrides.media },
    });
    env.hostBrowser = await launchChromiumIn(null, [env.node.url]);
    env.nsBrowser = await launchChromiumIn(env.ns, [env.node.url]);
  });
  after(async () => {
    await env.nsBrowser?.close().catch(() => {});
    await env.hostBrowser?.close().catch(() => {});
    await env.node?.stop().catch(() => {});
    await env.ns?.destroy();
  });
  return env;
}
