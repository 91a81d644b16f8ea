#!/usr/bin/env node
// `npm run bench`: Relais against the floor of a Node SFU on this machine, written
// into docs/benchmarks.md (between the bench:results markers; the prose around them
// is kept).
//
// Each scenario runs the Relais node as its own process (fresh data dir, one media
// worker) and `relais load-test` as another; the floor runs the same load tester
// against a bare Node UDP relay and against one that also does SRTP per packet.
// Scenarios and targets alternate in rounds (rotated each round) so that drift on a
// shared machine hits all of them alike; the tables quote medians over rounds.
// Server CPU is read from /proc/<pid>/stat (all threads) over the measured window
// and divided by the packets the subscribers received.
//
//   node scripts/bench.mjs [--rounds 2] [--duration 12s] [--floor-duration 8s]
//                          [--fanout 10,50,100,200,400] [--meetings 10,25]
//                          [--no-profile] [--max-wait 30s] [--wait-budget 120s] [--no-write]
// Before each run it waits (at most --max-wait, and --wait-budget over the whole bench)
// until other processes use less than a third of a core.
//   node scripts/bench.mjs --analyze-profile DIR   (a run's cpu-profile folder)
//   node scripts/bench.mjs --from A/runs.json,B/runs.json [--profile-from DIR] [--note TEXT]
//       rewrites the tables from earlier runs' raw results, their rounds pooled.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "packages/server/dist/cli.js");
const DOC = path.join(ROOT, "docs/benchmarks.md");
const BEGIN = "<!-- bench:results:begin -->";
const END = "<!-- bench:results:end -->";
const KEY = { apiKey: "APIbench", apiSecret: "bench-secret-only-for-a-throwaway-node", createdAt: new Date().toISOString() };

// ---------- options ----------

function parseArgs(argv) {
  const o = {
    rounds: 2,
    duration: 12,
    floorDuration: 8,
    warmup: 2,
    fanout: [10, 50, 100, 200, 400],
    meetings: [10, 25],
    twoWorkers: 400,
    saturate: 700,
    profile: true,
    maxWait: 30,
    waitBudget: 120,
    write: true,
  };
  const secs = (v) => Number(String(v).replace(/s$/, ""));
  const list = (v) => String(v).split(",").filter(Boolean).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === "--rounds") o.rounds = Number(v());
    else if (a === "--duration") o.duration = secs(v());
    else if (a === "--floor-duration") o.floorDuration = secs(v());
    else if (a === "--warmup") o.warmup = secs(v());
    else if (a === "--fanout") o.fanout = list(v());
    else if (a === "--meetings") o.meetings = list(v());
    else if (a === "--two-workers") o.twoWorkers = Number(v());
    else if (a === "--saturate") o.saturate = Number(v());
    else if (a === "--no-profile") o.profile = false;
    else if (a === "--max-wait") o.maxWait = secs(v());
    else if (a === "--wait-budget") o.waitBudget = secs(v());
    else if (a === "--no-write") o.write = false;
    else if (a === "--analyze-profile") o.analyze = v();
    else if (a === "--from") o.from = String(v()).split(",").filter(Boolean);
    else if (a === "--profile-from") o.profileFrom = v();
    else if (a === "--note") o.note = v();
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------- machine ----------

function machineInfo() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  return {
    cores: os.availableParallelism(),
    model,
    node: process.version,
    kernel: os.release(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    revision: revision(),
  };
}

/** The code measured: $RELAIS_BENCH_REVISION, else the git commit (and whether the tree had changes). */
function revision() {
  if (process.env.RELAIS_BENCH_REVISION) return process.env.RELAIS_BENCH_REVISION;
  const git = (...args) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "unknown (not a git checkout)";
  const dirty = git("status", "--porcelain").stdout.trim() !== "";
  return `${head.stdout.trim()}${dirty ? " with uncommitted changes" : ""}`;
}

function procStat() {
  const v = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total };
}

/** Busy cores on the whole machine over `ms`. */
async function machineBusyCores(ms) {
  const a = procStat();
  await sleep(ms);
  const b = procStat();
  return ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * os.availableParallelism();
}

/** Waits (up to maxWait s) until other processes use less than a third of a core; returns what it saw. */
async function waitForQuiet(maxWaitS) {
  const deadline = Date.now() + maxWaitS * 1000;
  let busy = await machineBusyCores(1000);
  while (busy > 0.33 && Date.now() < deadline) {
    await sleep(2000);
    busy = await machineBusyCores(1000);
  }
  return busy;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- processes ----------

async function startServer(profileDir, extraEnv = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "relais-bench-"));
  writeFileSync(path.join(dataDir, "keys.json"), `${JSON.stringify({ keys: [KEY] })}\n`, { mode: 0o600 });
  const env = {
    ...process.env,
    RELAIS_DATA_DIR: dataDir,
    RELAIS_HTTP_PORT: "0",
    RELAIS_MEDIA_UDP_PORT: "0",
    RELAIS_MEDIA_TCP_PORT: "0",
    RELAIS_MEDIA_WORKERS: "1",
    RELAIS_ROOMS_MAX_PARTICIPANTS: "1000",
    // Every load-test peer joins from 127.0.0.1: the per-address join limit would refuse most of them.
    RELAIS_ROOMS_JOIN_RATE_LIMIT_PER_MINUTE: "100000",
    RELAIS_LOG_LEVEL: "warn",
    ...extraEnv,
  };
  delete env.RELAIS_CONFIG;
  const args = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, CLI, "start"] : [CLI, "start"];
  const child = spawn(process.execPath, args, { env, cwd: dataDir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  // The node imports keys.json into its store on first start; if it prints a key of its own instead, use that.
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (d) => {
      out += String(d);
      const m = /Relais is running at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  const exited = new Promise((r) => child.once("exit", r));
  let log = "";
  child.stdout.on("data", (d) => {
    log += String(d);
  });
  const printedKey = /API key:\s+(\S+)/.exec(out)?.[1];
  const printedSecret = /API secret:\s+(\S+)/.exec(out)?.[1];
  return {
    pid: child.pid,
    url,
    apiKey: printedKey && printedSecret ? printedKey : KEY.apiKey,
    apiSecret: printedKey && printedSecret ? printedSecret : KEY.apiSecret,
    log: () => log,
    stop: async () => {
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `relais load-test … --json`; returns the parsed result (or null) and appends its stderr to `logFile`. */
function loadTest(args, logFile) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "load-test", ...args, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    child.on("close", (code) => {
      writeFileSync(logFile, `\n$ relais load-test ${args.join(" ")} --json\n${stderr}`, { flag: "a" });
      try {
        resolve({ code, result: JSON.parse(stdout.trim().split("\n").pop()) });
      } catch {
        resolve({ code, result: null, error: stderr.slice(-800) });
      }
    });
  });
}

// ---------- scenarios ----------

function scenarios(o) {
  const list = [];
  for (const n of o.fanout) {
    const a = ["--publishers", "1", "--subscribers", String(n), "--video-only", "--resolution", "720p"];
    list.push({ key: `fanout-${n}`, label: `1 × 720p video → ${n}`, relais: a, floor: a });
  }
  if (o.twoWorkers > 0) {
    // The same room on two media workers: subscribers spread over both, the producer piped once to the second.
    const n = o.twoWorkers;
    const a = ["--publishers", "1", "--subscribers", String(n), "--video-only", "--resolution", "720p"];
    list.push({
      key: `fanout-${n}-2w`,
      label: `1 × 720p video → ${n}, two workers`,
      relais: a,
      targets: ["relais", "relais-ts"],
      env: { RELAIS_MEDIA_WORKERS: "2", RELAIS_MEDIA_SPILL_AFTER_TRANSPORTS: "20" },
    });
  }
  for (const m of o.meetings) {
    list.push({
      key: `meeting-${m}`,
      label: `meeting of ${m} (360p + audio)`,
      relais: ["--publishers", String(m), "--subscribers", "0", "--meeting", "--resolution", "360p"],
      floor: ["--publishers", String(m), "--subscribers", String(m - 1), "--resolution", "360p"],
    });
  }
  return list;
}

/** relais: the native SRTP/sendmmsg accelerator if it built; relais-ts: the pure-TypeScript path (RELAIS_NATIVE=0). */
const TARGETS = ["relais", "relais-ts", "floor-plain", "floor-srtp"];
const targetsOf = (s) => s.targets ?? TARGETS;
const isRelais = (t) => t === "relais" || t === "relais-ts";

async function runOne(o, s, target, logFile, profileDir) {
  const common = ["--room", `bench-${s.key}`, "--warmup", `${o.warmup}s`, "--join-concurrency", "16"];
  if (isRelais(target)) {
    const server = await startServer(profileDir, { ...s.env, ...(target === "relais-ts" ? { RELAIS_NATIVE: "0" } : {}) });
    try {
      return await loadTest(
        [
          ...["--url", server.url, "--api-key", server.apiKey, "--api-secret", server.apiSecret, "--server-pid", String(server.pid)],
          ...["--duration", `${o.duration}s`, ...common, ...s.relais],
        ],
        logFile,
      );
    } finally {
      await server.stop();
    }
  }
  const mode = target === "floor-plain" ? "plain" : "srtp";
  return loadTest(["--floor", mode, "--duration", `${o.floorDuration}s`, ...common, ...s.floor], logFile);
}

/**
 * Past saturation: one worker, a room far bigger than it can serve, and a small
 * "canary" room joining a few seconds later on the same worker. What should
 * happen: video to the slowest subscribers of the big room is shed, the canary
 * (and everyone's audio) keeps flowing, joins still complete.
 */
async function runSaturation(o, logFile) {
  const server = await startServer(null);
  try {
    const auth = ["--url", server.url, "--api-key", server.apiKey, "--api-secret", server.apiSecret];
    const big = loadTest(
      [
        ...auth,
        ...["--server-pid", String(server.pid), "--room", "saturate-big", "--publishers", "1", "--subscribers", String(o.saturate)],
        ...["--resolution", "720p", "--duration", "20s", "--warmup", "2s", "--join-concurrency", "16"],
      ],
      logFile,
    );
    await sleep(8000);
    const canary = loadTest(
      [
        ...auth,
        ...["--room", "saturate-canary", "--publishers", "1", "--subscribers", "2", "--resolution", "360p"],
        ...["--duration", "10s", "--warmup", "1s"],
      ],
      logFile,
    );
    const [b, c] = await Promise.all([big, canary]);
    const log = server.log();
    return {
      big: b.result,
      bigError: b.error,
      canary: c.result,
      canaryError: c.error,
      overloadWarnings: (log.match(/media worker overloaded/g) ?? []).length,
      recoveries: (log.match(/media worker recovered/g) ?? []).length,
    };
  } finally {
    await server.stop();
  }
}

function saturationSection(o, sat) {
  if (!sat) return [];
  const pct = (v) => (v === null || v === undefined ? "–" : `${fmt(v * 100, 2)} %`);
  const line = (name, v, err) =>
    v
      ? row([
          name,
          `${v.subscribersConnected}/${v.subscribers} connected, ${v.subscribersReceiving} receiving`,
          `${fmt(v.packetsPerSecond, 0)} (${fmt(offered(v), 0)})`,
          pct(v.lossRateByKind.audio),
          pct(v.lossRateByKind.video),
          `${fmt(v.latencyMs.p50)} / ${fmt(v.latencyMs.p99)} ms`,
          `${fmt(v.joinTimeMs, 0)} ms`,
        ])
      : row([
          name,
          `failed: ${String(err ?? "")
            .replace(/\s+/g, " ")
            .replace(/\|/g, "/")
            .slice(0, 160)}`,
          "",
          "",
          "",
          "",
          "",
        ]);
  return [
    "",
    "### Past saturation",
    "",
    `One media worker; a room of 1 × 720p audio+video → ${o.saturate} subscribers (far past what one worker serves), and 8 s later a small canary room (1 × 360p audio+video → 2) on the same worker. The worker's overload guard sampled its event-loop utilisation and CPU share every 250 ms; the server logged "overloaded, shedding video" ${sat.overloadWarnings} time(s) and "recovered" ${sat.recoveries} time(s). Loss counts sequence gaps the subscribers saw (a shed video stream resumes on a keyframe without a gap, so shedding is not loss).`,
    "",
    row(["room", "subscribers", "delivered pkt/s (offered)", "audio loss", "video loss", "latency p50 / p99", "join (median)"]),
    row(Array(7).fill("---")),
    line(`big (${o.saturate})`, sat.big, sat.bigError),
    line("canary (2)", sat.canary, sat.canaryError),
  ];
}

/** Two workers against one: µs per packet of each, and the capacity that implies when each worker has a core of its own. */
function twoWorkerSection(o, get, med) {
  if (!(o.twoWorkers > 0)) return [];
  const one = o.fanout.includes(o.twoWorkers) ? { key: `fanout-${o.twoWorkers}` } : null;
  const two = { key: `fanout-${o.twoWorkers}-2w` };
  const L = ["", "### Two media workers", ""];
  L.push(
    row([
      "path",
      "1 worker µs/pkt",
      "2 workers µs/pkt",
      "2 workers delivered pkt/s (offered)",
      "2 workers loss",
      "capacity ratio (2 × 1w ÷ 2w)",
    ]),
  );
  L.push(row(Array(6).fill("---")));
  for (const t of ["relais", "relais-ts"]) {
    const a = one ? med(get(one, t), (v) => v.server?.cpuUsPerPacket) : null;
    const r2 = get(two, t);
    const b = med(r2, (v) => v.server?.cpuUsPerPacket);
    L.push(
      row([
        t === "relais" ? "native" : "TypeScript",
        fmt(a),
        fmt(b),
        `${fmt(
          med(r2, (v) => v.packetsPerSecond),
          0,
        )} (${fmt(med(r2, offered), 0)})`,
        `${fmt(
          med(r2, (v) => v.lossRate * 100),
          3,
        )} %`,
        a && b ? `**${fmt((2 * a) / b, 2)}×**` : "–",
      ]),
    );
  }
  L.push(
    "",
    `With ${o.twoWorkers} subscribers the room spills onto the second worker after 20 transports on the first (RELAIS_MEDIA_SPILL_AFTER_TRANSPORTS=20, so both carry about half) and the producer is piped once to it over loopback. On this 2-core machine the load tester needs a core of its own, so the two workers cannot both be saturated at once here; the capacity ratio is derived from the measured CPU per forwarded packet: one worker saturates at 10⁶ ÷ (µs/pkt) packets per second of its core, two workers with a core each at twice that divided by their own µs/pkt (which includes the pipe).`,
  );
  return L;
}

// ---------- statistics ----------

function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function range(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x));
  return v.length > 1 ? [Math.min(...v), Math.max(...v)] : null;
}

const fmt = (v, d = 1) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));

// ---------- CPU profile ----------

/** Self and inclusive time per function of a .cpuprofile (Chrome DevTools format). */
function analyzeProfile(file) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => {
    const f = n.callFrame;
    const file = f.url ? f.url.replace(/^file:\/\/.*\/dist\//, "").replace(/^.*\/node_modules\//, "") : "";
    return `${f.functionName || "(anonymous)"}${file ? ` ${file}:${f.lineNumber + 1}` : ""}`;
  };
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const n = nodes.get(p.samples[i]);
    const key = name(n);
    total += dt;
    if (n.callFrame.functionName === "(idle)") {
      idle += dt;
      continue;
    }
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set();
    for (let id = n.id; id !== undefined; id = parent.get(id)) {
      const k = name(nodes.get(id));
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  return { busyUs: total - idle, totalUs: total, self, inclusive };
}

/** Where the time goes, by kind of work (self time, so nothing is counted twice). */
function categorize(a) {
  const cats = [
    [
      "SRTP crypto inside node:crypto (a cipher object per packet, update/final/tag)",
      (k) => /node:internal\/crypto\/(cipher|hash|util)|node:crypto:/.test(k),
    ],
    [
      "native addon: SRTP in place and sendmmsg (relais_native.node)",
      (k) => /^(sendBatch|protectRtp|unprotectRtp|protectRtcp|unprotectRtcp)\w* *$/.test(k) || /relais_native/.test(k),
    ],
    ["our SRTP code (media/srtp)", (k) => k.includes("media/srtp/")],
    ["UDP sendmsg (dgram doSend, mostly the syscall)", (k) => /^doSend /.test(k)],
    ["UDP sendmmsg batches (media/net/batch-sender)", (k) => k.includes("media/net/batch-sender")],
    [
      "per-send overhead (dgram.send, IP-literal lookup, process.nextTick)",
      (k) => /node:dgram|node:dns|task_queues|node:net:|^RegExp|validators|^nextTick/.test(k),
    ],
    ["forwarding (media/sfu, media/rtp, media/rtcp, media/net)", (k) => /media\/(sfu|rtp|rtcp|net)\//.test(k)],
    ["Buffer allocation and copies (node:buffer)", (k) => /node:buffer|node:internal\/buffer/.test(k)],
    ["garbage collector", (k) => k.startsWith("(garbage collector)")],
    [
      "DTLS handshakes (werift, tweetnacl; join phase)",
      (k) => /tweetnacl|werift|index\.mjs|internal\/crypto\/(sig|keys|diffiehellman)|asn1/.test(k),
    ],
    ["start-up (module loading)", (k) => /modules\/|lexer|realm:|get_format/.test(k)],
    ["native, not attributed ((program))", (k) => k.startsWith("(program)")],
  ];
  const out = new Map(cats.map(([c]) => [c, 0]));
  out.set("other", 0);
  for (const [k, us] of a.self) {
    const hit = cats.find(([, test]) => test(k));
    const c = hit ? hit[0] : "other";
    out.set(c, out.get(c) + us);
  }
  return out;
}

function profileSection(dir, result) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  if (files.length === 0) return "No CPU profile was written.";
  // CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile: thread 0 is the main thread, the media worker is another.
  const threadOf = (f) => Number(f.split(".")[4]);
  const analyses = files
    .map((f) => ({ f, a: analyzeProfile(path.join(dir, f)) }))
    .sort((x, y) => (threadOf(x.f) === 0) - (threadOf(y.f) === 0) || y.a.busyUs - x.a.busyUs);
  const worker = analyses[0];
  if (threadOf(worker.f) === 0) return "The media worker's CPU profile was not written.";
  const lines = [];
  const pct = (us) => ((us / worker.a.busyUs) * 100).toFixed(1);
  lines.push(
    `Profile of the media worker thread during \`${result.label}\` (node --cpu-prof on the server process, thread ${threadOf(worker.f)}): ${(worker.a.busyUs / 1e6).toFixed(1)} s busy of ${(worker.a.totalUs / 1e6).toFixed(1)} s profiled (join phase included). Shares are of busy time.`,
    "",
    "| kind of work (self time) | share |",
    "|---|---|",
  );
  for (const [c, us] of [...categorize(worker.a)].sort((x, y) => y[1] - x[1])) lines.push(`| ${c} | ${pct(us)} % |`);
  lines.push("", "Top functions by self time:", "", "| function | self |", "|---|---|");
  for (const [k, us] of [...worker.a.self].sort((x, y) => y[1] - x[1]).slice(0, 20)) lines.push(`| \`${k}\` | ${pct(us)} % |`);
  const interesting =
    /^(receiveRtp|forward|rewrite|sendRtp|protectRtp|unprotectRtp|send|sendTo|handlePacket|handleIncomingRtcp|tick) (media)\//;
  const incl = [...worker.a.inclusive]
    .filter(([k]) => interesting.test(k))
    .sort((x, y) => y[1] - x[1])
    .slice(0, 12);
  if (incl.length > 0) {
    lines.push("", "Inclusive time of the forwarding path's steps:", "", "| function | inclusive |", "|---|---|");
    for (const [k, us] of incl) lines.push(`| \`${k}\` | ${pct(us)} % |`);
  }
  const others = analyses.slice(1).filter((x) => x.a.busyUs > 0.02 * worker.a.busyUs);
  for (const o of others) {
    lines.push(
      "",
      `${threadOf(o.f) === 0 ? "The main thread" : `Thread ${threadOf(o.f)}`} was busy ${(o.a.busyUs / 1e6).toFixed(1)} s (mostly start-up and signaling); its top functions:`,
      "",
    );
    for (const [k, us] of [...o.a.self].sort((x, y) => y[1] - x[1]).slice(0, 5))
      lines.push(`- \`${k}\` ${((us / o.a.busyUs) * 100).toFixed(1)} %`);
  }
  return lines.join("\n");
}

// ---------- report ----------

/** One markdown table row. */
const row = (cells) => `| ${cells.join(" | ")} |`;

/** Packets per second the publishers offered times the fan-out: what a lossless, unsaturated SFU would deliver. */
function offered(v) {
  const tracks = v.publishers * ((v.audio ? 1 : 0) + (v.video ? 1 : 0));
  return tracks > 0 && v.durationS > 0 ? (v.packetsSent / v.durationS) * (v.streams / tracks) : null;
}

/** Who was saturated in a scenario's runs. */
function notes(runs) {
  const out = [];
  const n = runs.length;
  const serverSat = runs.filter((v) => (v.server?.cpuPercent ?? 0) >= 90).length;
  const behind = runs.filter((v) => v.pacingSlips > 0 || v.client.eventLoopDelayP99Ms > 50).length;
  const short = runs.filter((v) => offered(v) && v.packetsPerSecond < 0.9 * offered(v)).length;
  if (serverSat) out.push(`server ≥ 90 % CPU in ${serverSat}/${n}`);
  if (behind) out.push(`load tester behind (event-loop p99 > 50 ms or pacing slips) in ${behind}/${n}`);
  if (short) out.push(`delivered < 90 % of offered in ${short}/${n}`);
  return out.join("; ") || "–";
}

function report(o, info, runs, profileText, when, command, saturation) {
  const by = new Map();
  for (const r of runs) {
    const k = `${r.scenario.key}|${r.target}`;
    if (!by.has(k)) by.set(k, []);
    if (r.result) by.get(k).push(r.result);
  }
  const get = (s, t) => by.get(`${s.key}|${t}`) ?? [];
  const med = (list, f) => median(list.map(f));
  /** The median of `f` over the runs, formatted with `digits` decimals and `unit`. */
  const cell = (list, f, digits, unit = "") => `${fmt(med(list, f), digits)}${unit}`;
  const latency = (list) => `${fmt(med(list, (v) => v.latencyMs.p50))} / ${fmt(med(list, (v) => v.latencyMs.p99))} ms`;
  const profile = runs.find((r) => r.result?.srtpProfile)?.result.srtpProfile ?? "?";
  const L = [BEGIN, ""];
  L.push(
    `${when} on ${info.cores} cores (${info.model}), ${info.memGiB} GiB, Linux ${info.kernel}, Node ${info.node}; code: ${info.revision}.${o.note ? ` ${o.note}` : ""}`,
    "",
    "Reproduce with:",
    "",
    "```sh",
    command,
    "```",
    "",
    `${new Set(runs.map((r) => r.round)).size} rounds; each round runs every scenario against Relais, the plain UDP relay and the SRTP relay, in an order rotated per round. Measured window ${o.duration} s for Relais and ${o.floorDuration} s for the floors, after ${o.warmup} s of warm-up once every subscriber receives. Values are medians over rounds; ranges (min–max) in brackets. Relais runs with one media worker (a room lives on one worker); the load tester gets the other core. SRTP: ${profile} everywhere. "Offered" is what the publishers sent times the fan-out; "delivered" what the subscribers received.`,
    "",
    "### Server CPU per forwarded packet",
    "",
    row([
      "scenario",
      "streams",
      "offered pkt/s",
      "delivered pkt/s",
      "Relais µs/pkt (native)",
      "Relais µs/pkt (TypeScript)",
      "plain UDP relay µs/pkt",
      "SRTP relay µs/pkt",
      "native ÷ SRTP relay",
      "TypeScript ÷ SRTP relay",
    ]),
    row(Array(10).fill("---")),
  );
  const scen = scenarios(o);
  const us = (list) => med(list, (v) => v.server?.cpuUsPerPacket);
  const span = (list) => {
    const g = range(list.map((v) => v.server?.cpuUsPerPacket));
    return g ? ` (${fmt(g[0])}–${fmt(g[1])})` : "";
  };
  for (const s of scen) {
    const [r, t, p, x] = TARGETS.map((target) => get(s, target));
    const [ru, tu, pu, xu] = [us(r), us(t), us(p), us(x)];
    L.push(
      row([
        s.label,
        med(r, (v) => v.streams) ?? "–",
        fmt(med(r, offered), 0),
        fmt(
          med(r, (v) => v.packetsPerSecond),
          0,
        ),
        `**${fmt(ru)}**${span(r)}`,
        `**${fmt(tu)}**${span(t)}`,
        fmt(pu) + span(p),
        fmt(xu) + span(x),
        ru && xu ? `${fmt(ru / xu, 2)}×` : "–",
        tu && xu ? `${fmt(tu / xu, 2)}×` : "–",
      ]),
    );
  }
  L.push(
    "",
    "### Relais in detail",
    "",
    row([
      "scenario",
      "path",
      "server CPU",
      "RSS",
      "RSS per stream",
      "loss",
      "NACKs sent",
      "latency p50 / p99",
      "join, last subscriber",
      "load tester CPU",
      "other load on the machine",
      "notes",
    ]),
    row(Array(12).fill("---")),
  );
  for (const s of scen)
    for (const target of ["relais", "relais-ts"]) {
      const r = get(s, target);
      if (r.length === 0) continue;
      const other = med(r, (v) =>
        v.machineBusyPercent === null
          ? null
          : Math.max(0, (v.machineBusyPercent - (v.server?.cpuPercent ?? 0) - v.client.cpuPercent) / 100),
      );
      L.push(
        row([
          s.label,
          target === "relais" ? "native" : "TypeScript",
          cell(r, (v) => v.server?.cpuPercent, 0, " %"),
          cell(r, (v) => v.server?.rssBytes / 2 ** 20, 0, " MB"),
          cell(r, (v) => v.server?.rssPerStreamBytes / 1024, 0, " kB"),
          cell(r, (v) => v.lossRate * 100, 3, " %"),
          cell(r, (v) => v.nacksSent, 0),
          latency(r),
          cell(r, (v) => v.joinTimeMs, 0, " ms"),
          cell(r, (v) => v.client.cpuPercent, 0, " %"),
          `${fmt(other, 2)} cores`,
          notes(r),
        ]),
      );
    }
  const fan = scen
    .filter((s) => s.key.startsWith("fanout-"))
    .map((s) => [med(get(s, "relais"), (v) => v.streams), med(get(s, "relais"), (v) => v.server?.rssBytes)]);
  const slope = linearSlope(fan.filter(([a, b]) => a !== null && b !== null));
  if (slope !== null) {
    L.push(
      "",
      `Marginal server RSS per subscriber stream (least-squares slope of RSS over the fan-out scenarios): **${fmt(slope / 1024, 0)} kB**.`,
    );
  }
  L.push(...twoWorkerSection(o, get, med), ...saturationSection(o, saturation));
  L.push(
    "",
    "### The floor in detail",
    "",
    row(["scenario", "relay", "relay CPU", "relay RSS", "loss", "latency p50 / p99", "load tester CPU"]),
    row(Array(7).fill("---")),
  );
  for (const s of scen) {
    for (const t of ["floor-plain", "floor-srtp"]) {
      const r = get(s, t);
      if (r.length === 0) continue;
      L.push(
        row([
          s.label,
          t === "floor-plain" ? "plain" : "SRTP",
          cell(r, (v) => v.server?.cpuPercent, 0, " %"),
          cell(r, (v) => v.server?.rssBytes / 2 ** 20, 0, " MB"),
          cell(r, (v) => v.lossRate * 100, 3, " %"),
          latency(r),
          cell(r, (v) => v.client.cpuPercent, 0, " %"),
        ]),
      );
    }
  }
  L.push(
    "",
    "<details><summary>Every run</summary>",
    "",
    row([
      "round",
      "scenario",
      "target",
      "µs/pkt",
      "server CPU",
      "pkt/s (offered)",
      "loss",
      "p50 / p99 ms",
      "load tester CPU",
      "machine busy",
      "note",
    ]),
    row(Array(11).fill("---")),
  );
  for (const r of runs) {
    const v = r.result;
    if (!v) {
      const why = String(r.error ?? "")
        .replace(/\s+/g, " ")
        .replace(/\|/g, "/")
        .slice(0, 120);
      L.push(row([r.round, r.scenario.key, r.target, "–", "–", "–", "–", "–", "–", "–", `failed: ${why}`]));
      continue;
    }
    const note = [`${v.subscribersReceiving}/${v.subscribers} receiving`];
    if (v.failures.length) note.push(`${v.failures.length} failures`);
    if (v.pacingSlips) note.push(`${v.pacingSlips} pacing slips`);
    if (r.quietBefore > 0.33) note.push(`machine busy before (${fmt(r.quietBefore, 2)} cores)`);
    L.push(
      row([
        r.round,
        r.scenario.key,
        r.target,
        fmt(v.server?.cpuUsPerPacket),
        `${fmt(v.server?.cpuPercent, 0)} %`,
        `${fmt(v.packetsPerSecond, 0)} (${fmt(offered(v), 0)})`,
        `${fmt(v.lossRate * 100, 3)} %`,
        `${fmt(v.latencyMs.p50)} / ${fmt(v.latencyMs.p99)}`,
        `${fmt(v.client.cpuPercent, 0)} %`,
        `${fmt(v.machineBusyPercent, 0)} %`,
        note.join("; "),
      ]),
    );
  }
  L.push("", "</details>", "");
  if (profileText) L.push("### Where the time goes (generated)", "", profileText, "");
  L.push(END);
  return L.join("\n");
}

function linearSlope(points) {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den > 0 ? num / den : null;
}

function writeDoc(section) {
  let doc;
  try {
    doc = readFileSync(DOC, "utf8");
  } catch {
    doc = `# Benchmarks\n\nGenerated by \`npm run bench\` (scripts/bench.mjs).\n\n${BEGIN}\n${END}\n`;
  }
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  doc = a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, doc);
  // The repository's formatter also formats Markdown (it pads tables): keep `biome check .` clean.
  const biome = path.join(ROOT, "node_modules/.bin/biome");
  const r = spawnSync(biome, ["format", "--write", DOC], { encoding: "utf8" });
  if (r.status !== 0) console.warn(`bench: could not format ${DOC} with biome: ${r.error?.message ?? r.stderr}`);
}

// ---------- main ----------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.analyze) {
    // Re-read the profiles a run left behind (its "cpu-profile" folder).
    console.log(profileSection(o.analyze, { label: "the profiled run" }));
    return;
  }
  const info = machineInfo();
  if (o.from) {
    // Pool the rounds of earlier runs (same machine, same code) into one report.
    const runs = [];
    const stamps = [];
    for (const file of o.from) {
      const data = JSON.parse(readFileSync(file, "utf8"));
      const list = Array.isArray(data) ? data : data.runs;
      if (!Array.isArray(data)) {
        stamps.push(`${data.meta.startedAt.slice(0, 16).replace("T", " ")} UTC (${Math.round(data.meta.elapsedS / 60)} min)`);
        Object.assign(o, {
          duration: data.meta.options.duration,
          floorDuration: data.meta.options.floorDuration,
          warmup: data.meta.options.warmup,
        });
      }
      const offset = runs.reduce((m, r) => Math.max(m, r.round), 0);
      for (const r of list) runs.push({ ...r, round: r.round + offset });
    }
    const profileText = o.profileFrom ? profileSection(o.profileFrom, { label: "1 × 720p video → 200" }) : "";
    const when = `Pooled from ${o.from.length} runs of \`npm run bench\`${stamps.length ? ` started ${stamps.join(", ")}` : ""}`;
    const section = report(o, info, runs, profileText, when, "npm run bench");
    if (o.write) writeDoc(section);
    console.log(o.write ? `wrote ${path.relative(ROOT, DOC)}` : section);
    return;
  }
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const outDir = mkdtempSync(path.join(os.tmpdir(), "relais-bench-results-"));
  const logFile = path.join(outDir, "load-test.log");
  const shown = process.argv.slice(2).filter((a) => a !== "--no-write");
  const command = `npm run bench${shown.length > 0 ? ` -- ${shown.join(" ")}` : ""}`;
  console.log(`relais bench: ${info.cores} × ${info.model}, Node ${info.node}; logs in ${outDir}`);
  // Encode the clips once, before anything is measured.
  for (const res of ["720p", "360p"])
    await loadTest(["--floor", "plain", "--subscribers", "1", "--duration", "1s", "--warmup", "0s", "--resolution", res], logFile);
  const scen = scenarios(o);
  const plan = [];
  for (let round = 1; round <= o.rounds; round++) {
    for (let i = 0; i < scen.length; i++) {
      const s = scen[(i + round - 1) % scen.length];
      const targets = targetsOf(s);
      for (let j = 0; j < targets.length; j++) plan.push({ round, scenario: s, target: targets[(j + i + round - 1) % targets.length] });
    }
  }
  const runs = [];
  let waitLeft = o.waitBudget;
  const quiet = async () => {
    const t = Date.now();
    const busy = await waitForQuiet(Math.min(o.maxWait, waitLeft));
    waitLeft = Math.max(0, waitLeft - (Date.now() - t) / 1000);
    return busy;
  };
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i];
    const quietBefore = await quiet();
    const { result, error } = await runOne(o, p.scenario, p.target, logFile, null);
    runs.push({ ...p, result, error, quietBefore });
    const v = result;
    console.log(
      `[${String(i + 1).padStart(3)}/${plan.length}] round ${p.round} ${p.scenario.key.padEnd(11)} ${p.target.padEnd(11)} ` +
        (v
          ? `${fmt(v.server?.cpuUsPerPacket).padStart(6)} µs/pkt  server ${fmt(v.server?.cpuPercent, 0).padStart(3)} %  ${fmt(v.packetsPerSecond, 0).padStart(6)} pkt/s  loss ${fmt(v.lossRate * 100, 3)} %  p50/p99 ${fmt(v.latencyMs.p50)}/${fmt(v.latencyMs.p99)} ms  join ${fmt(v.joinTimeMs, 0)} ms  client ${fmt(v.client.cpuPercent, 0)} %  machine ${fmt(v.machineBusyPercent, 0)} %`
          : `FAILED ${String(error ?? "").slice(-300)}`),
    );
  }
  const meta = { startedAt, elapsedS: (Date.now() - t0) / 1000, options: o, revision: info.revision };
  writeFileSync(path.join(outDir, "runs.json"), JSON.stringify({ meta, runs }, null, 1));
  let saturation = null;
  if (o.saturate > 0) {
    await quiet();
    saturation = await runSaturation(o, logFile);
    const b = saturation.big;
    const c = saturation.canary;
    console.log(
      `saturation: big ${b ? `${b.subscribersReceiving}/${b.subscribers} receiving, audio loss ${fmt(b.lossRateByKind.audio * 100, 2)} %, video loss ${fmt((b.lossRateByKind.video ?? 0) * 100, 2)} %` : "failed"}; canary ${c ? `loss ${fmt(c.lossRate * 100, 2)} %, p99 ${fmt(c.latencyMs.p99)} ms` : "failed"}; overload warnings ${saturation.overloadWarnings}`,
    );
  }
  writeFileSync(path.join(outDir, "saturation.json"), JSON.stringify(saturation, null, 1));
  let profileText = "";
  if (o.profile) {
    const s = scen.find((x) => x.key === "fanout-200") ?? scen[0];
    const parts = [];
    for (const [target, name] of [
      ["relais", "native path"],
      ["relais-ts", "pure-TypeScript path (RELAIS_NATIVE=0)"],
    ]) {
      const dir = path.join(outDir, `cpu-profile-${target}`);
      mkdirSync(dir, { recursive: true });
      await quiet();
      // A longer window, so the join phase (DTLS handshakes) weighs less in the whole-process profile.
      const { result } = await runOne({ ...o, duration: Math.max(o.duration, 30) }, s, target, logFile, dir);
      console.log(
        `profile run (${s.key}, ${target}): ${result ? `${fmt(result.server?.cpuUsPerPacket)} µs/pkt under the profiler` : "failed"}; profiles in ${dir}`,
      );
      let text = `#### ${name}\n\n${profileSection(dir, { label: s.label })}`;
      if (result)
        text += `\n\n(Under the profiler this run cost ${fmt(result.server?.cpuUsPerPacket)} µs per forwarded packet; the profiler's own overhead is included.)`;
      parts.push(text);
    }
    profileText = parts.join("\n\n");
  }
  const when = `Measured ${startedAt.slice(0, 16).replace("T", " ")} UTC (whole run ${Math.round((Date.now() - t0) / 60000)} min)`;
  const section = report(o, info, runs, profileText, when, command, saturation);
  writeFileSync(path.join(outDir, "section.md"), section);
  if (o.write) {
    writeDoc(section);
    console.log(`wrote ${path.relative(ROOT, DOC)}`);
  }
  console.log(`raw results: ${path.join(outDir, "runs.json")}`);
}

main().catch((err) => {
  console.error(`bench: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
