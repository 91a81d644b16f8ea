import type { LatencyHistogram } from "./latency.js";
import type { ProcessSample } from "./proc-stats.js";
import { cpuBetween } from "./proc-stats.js";
import type { ReceiveStream } from "./receive-stream.js";

/** The one JSON object `relais load-test --json` prints. Counts cover the measured window only. */
export interface LoadTestResult {
  target: "relais" | "floor-plain" | "floor-srtp";
  room: string;
  resolution: string;
  audio: boolean;
  video: boolean;
  meeting: boolean;
  publishers: number;
  publishersConnected: number;
  /** Participants that subscribe (in a meeting: every publisher, plus pure subscribers). */
  subscribers: number;
  /** Of those, the ones whose ICE + DTLS completed. */
  subscribersConnected: number;
  /** Of those, the ones that received a first packet on every subscribed stream before the window. */
  subscribersReceiving: number;
  /** Forwarded streams (one per subscriber per track). */
  streams: number;
  durationS: number;
  packetsSent: number;
  packetsReceived: number;
  packetsPerSecond: number;
  bitrateMbps: number;
  lossRate: number;
  /** The same per kind: Opus is not NACKed, so audio shows raw loss; video what NACK/RTX did not recover. */
  lossRateByKind: { audio: number | null; video: number | null };
  packetsLost: number;
  nacksSent: number;
  nackedPackets: number;
  retransmissionsReceived: number;
  duplicates: number;
  keyframes: number;
  keyframeRequestsReceived: number;
  srtpFailures: number;
  /** Packets subscribers dropped on purpose (--drop-rate) before counting: lossRate is what NACK/RTX did not recover. */
  injectedDrops: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null; samples: number };
  latencyMisses: number;
  /** Join → first packet on every stream: the subscriber that started last, then the median and worst. */
  joinTimeMs: number | null;
  joinTimeMsP50: number | null;
  joinTimeMsMax: number | null;
  /** Seconds from the first join to every subscriber receiving. */
  joinPhaseS: number;
  pacingSlips: number;
  failures: string[];
  /** The load tester's own cost; a busy event loop delays receptions and inflates the latency figures. */
  client: { cpuPercent: number; cpuUsPerPacket: number; rssBytes: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number };
  /** CPU busy on the whole machine during the window, in % of one core (200 = both cores of a 2-core box): noise from other processes shows here. */
  machineBusyPercent: number | null;
  /** The SRTP protection profile negotiated (e.g. AEAD_AES_128_GCM). */
  srtpProfile: string | null;
  /**
   * --simulcast only. `layersReceived`: subscriber streams by the width of the last keyframe
   * they got in the window (a stream with no keyframe in the window is not counted).
   * `switches`: layer changes subscribers saw. `layerPausedMs`: layer-milliseconds the
   * publishers' layers spent paused by dynacast in the window.
   */
  simulcast?: SimulcastResult;
  /** The measured server (--server-pid, or the floor relay), from /proc. */
  server: null | {
    pid: number;
    cpuPercent: number;
    cpuUsPerPacket: number;
    rssBytes: number;
    rssBeforeBytes: number;
    rssPerStreamBytes: number;
    threadsCpuPercent: Record<string, number>;
  };
}

export interface SimulcastResult {
  layersReceived: Record<string, number>;
  switches: number;
  layerPausedMs: number;
}

/** Counters of one stream at the start of the window. */
export interface StreamSnapshot {
  expected: number;
  received: number;
  packets: number;
  octets: number;
  keyframes: number;
  retransmissions: number;
  duplicates: number;
  latencyMisses: number;
  switches: number;
}

export function snapshot(s: ReceiveStream): StreamSnapshot {
  return {
    expected: s.expected,
    received: s.received,
    packets: s.packets,
    octets: s.octets,
    keyframes: s.keyframes,
    retransmissions: s.retransmissions,
    duplicates: s.duplicates,
    latencyMisses: s.latencyMisses,
    switches: s.switches,
  };
}

/** The simulcast part of the result: what layer each video stream ended the window on, switches, dynacast pauses. */
export function simulcastSummary(
  streams: ReceiveStream[],
  start: Map<ReceiveStream, StreamSnapshot>,
  layerPausedMs: number,
): SimulcastResult {
  const layersReceived: Record<string, number> = {};
  let switches = 0;
  for (const s of streams) {
    const a = start.get(s);
    if (a === undefined || s.kind !== "video") continue;
    switches += s.switches - a.switches;
    if (s.keyframes > a.keyframes && s.layerWidth > 0) layersReceived[s.layerWidth] = (layersReceived[s.layerWidth] ?? 0) + 1;
  }
  return { layersReceived, switches, layerPausedMs: Math.round(layerPausedMs) };
}

/** Sums what every stream did since its snapshot. */
export function windowTotals(streams: ReceiveStream[], start: Map<ReceiveStream, StreamSnapshot>) {
  const t = { expected: 0, received: 0, packets: 0, octets: 0, keyframes: 0, retransmissions: 0, duplicates: 0, latencyMisses: 0 };
  const byKind = { audio: { expected: 0, received: 0 }, video: { expected: 0, received: 0 } };
  for (const s of streams) {
    const a = start.get(s);
    if (a === undefined) continue; // created after the window started: not measured
    t.expected += s.expected - a.expected;
    t.received += s.received - a.received;
    byKind[s.kind].expected += s.expected - a.expected;
    byKind[s.kind].received += s.received - a.received;
    t.packets += s.packets - a.packets;
    t.octets += s.octets - a.octets;
    t.keyframes += s.keyframes - a.keyframes;
    t.retransmissions += s.retransmissions - a.retransmissions;
    t.duplicates += s.duplicates - a.duplicates;
    t.latencyMisses += s.latencyMisses - a.latencyMisses;
  }
  return { ...t, byKind };
}

export function latencySummary(h: LatencyHistogram): LoadTestResult["latencyMs"] {
  return { p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99), max: h.count > 0 ? h.maxMs : null, samples: h.count };
}

export function serverSummary(
  pid: number,
  before: ProcessSample | null,
  start: ProcessSample | null,
  end: ProcessSample | null,
  packets: number,
  streams: number,
): LoadTestResult["server"] {
  if (start === null || end === null) return null;
  const used = cpuBetween(start, end);
  const threadsCpuPercent: Record<string, number> = {};
  for (const [name, us] of Object.entries(used.threads)) threadsCpuPercent[name] = round((us / 1000 / used.wallMs) * 100, 1);
  const rssBefore = before?.rssBytes ?? 0;
  return {
    pid,
    cpuPercent: round((used.cpuUs / 1000 / used.wallMs) * 100, 1),
    cpuUsPerPacket: packets > 0 ? round(used.cpuUs / packets, 2) : 0,
    rssBytes: end.rssBytes,
    rssBeforeBytes: rssBefore,
    rssPerStreamBytes: streams > 0 && rssBefore > 0 ? Math.round((end.rssBytes - rssBefore) / streams) : 0,
    threadsCpuPercent,
  };
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const pct = (v: number | null) => (v === null ? "–" : `${(v * 100).toFixed(3)} %`);
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
const ms = (v: number | null) => (v === null ? "–" : `${v.toFixed(2)} ms`);

/** The human summary printed at the end of a run (stderr when --json is given). */
export function formatSummary(r: LoadTestResult): string {
  const rows: [string, string][] = [
    ["target", r.target],
    [
      "publishers",
      `${r.publishersConnected}/${r.publishers} connected (${[r.video ? `video ${r.resolution}` : "", r.audio ? "audio" : ""].filter(Boolean).join(" + ")})`,
    ],
    [
      "subscribers",
      `${r.subscribersConnected}/${r.subscribers} connected, ${r.subscribersReceiving} receiving, ${r.streams} streams${r.meeting ? " (meeting)" : ""}`,
    ],
    ["measured window", `${r.durationS.toFixed(1)} s`],
    ["packets received", `${r.packetsReceived} (${Math.round(r.packetsPerSecond)} pkt/s, ${r.bitrateMbps.toFixed(1)} Mbit/s)`],
    [
      "loss",
      `${(r.lossRate * 100).toFixed(3)} % (audio ${pct(r.lossRateByKind.audio)}, video ${pct(r.lossRateByKind.video)}; ${r.packetsLost} lost${r.injectedDrops ? ` after ${r.injectedDrops} dropped on purpose` : ""}; ${r.nacksSent} NACKs for ${r.nackedPackets} packets, ${r.retransmissionsReceived} retransmissions)`,
    ],
    ["keyframes seen", `${r.keyframes} (publishers got ${r.keyframeRequestsReceived} keyframe requests)`],
    ["SRTP auth failures", String(r.srtpFailures)],
    [
      "added latency",
      `p50 ${ms(r.latencyMs.p50)}, p95 ${ms(r.latencyMs.p95)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)} (${r.latencyMs.samples} samples)`,
    ],
    [
      "join time",
      `last ${ms(r.joinTimeMs)}, p50 ${ms(r.joinTimeMsP50)}, max ${ms(r.joinTimeMsMax)}; all receiving after ${r.joinPhaseS.toFixed(1)} s`,
    ],
    [
      "load tester",
      `${r.client.cpuPercent.toFixed(0)} % CPU, ${r.client.cpuUsPerPacket.toFixed(1)} µs/packet, RSS ${mb(r.client.rssBytes)}, event loop delay p99 ${r.client.eventLoopDelayP99Ms} ms${r.pacingSlips ? `, ${r.pacingSlips} pacing slips` : ""}`,
    ],
  ];
  if (r.simulcast) {
    const layers = Object.entries(r.simulcast.layersReceived)
      .map(([w, n]) => `${w} px wide: ${n}`)
      .join(", ");
    rows.push([
      "simulcast",
      `streams by layer ${layers || "–"}; ${r.simulcast.switches} switches; layers paused ${(r.simulcast.layerPausedMs / 1000).toFixed(1)} s (dynacast)`,
    ]);
  }
  if (r.server) {
    const s = r.server;
    rows.push(
      [
        "server CPU",
        `${s.cpuPercent.toFixed(1)} % (main thread ${s.threadsCpuPercent["main"]} %, other threads ${s.threadsCpuPercent["others"]} %): ${s.cpuUsPerPacket.toFixed(2)} µs per forwarded packet`,
      ],
      ["server RSS", `${mb(s.rssBytes)} (${mb(s.rssBeforeBytes)} before; ${(s.rssPerStreamBytes / 1024).toFixed(1)} kB per stream)`],
    );
  }
  if (r.failures.length > 0) rows.push(["failures", r.failures.slice(0, 5).join("; ")]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}
