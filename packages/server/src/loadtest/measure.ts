import { availableParallelism } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { LatencyHistogram } from "./latency.js";
import type { LoadTestOptions } from "./options.js";
import type { Pacer } from "./pacer.js";
import { type ProcessSample, sampleMachine, sampleProcess } from "./proc-stats.js";
import type { ReceiveStream } from "./receive-stream.js";
import {
  type LoadTestResult,
  latencySummary,
  round,
  type StreamSnapshot,
  serverSummary,
  simulcastSummary,
  snapshot,
  windowTotals,
} from "./result.js";

/** What the measuring loop needs to know about the peers of a run, whatever they talk to. */
export interface Population {
  streams(): ReceiveStream[];
  packetsSent(): number;
  nacks(): { sent: number; packets: number };
  keyframeRequests(): number;
  injectedDrops(): number;
  srtpFailures(): number;
  /** Layer-milliseconds simulcast layers have been paused by dynacast so far (0 without simulcast). */
  layerPausedMs(nowMs: number): number;
  /** e.g. "publishers 1/1, subscribers 398/400" for the progress line. */
  status(): string;
}

/** Facts established before the window, for the result. */
export interface RunFacts {
  target: LoadTestResult["target"];
  publishersConnected: number;
  subscribers: number;
  subscribersConnected: number;
  subscribersReceiving: number;
  joinTimesMs: number[];
  lastJoinTimeMs: number | null;
  joinPhaseS: number;
  failures: string[];
  serverPid: number | null;
  serverBefore: ProcessSample | null;
  srtpProfile: string | null;
}

/** Prints a progress line to stderr every second until `stop()`; `phase` names what is happening. */
export function startProgress(
  pop: Population,
  latency: LatencyHistogram,
  phase: () => string,
  log: (line: string) => void,
): { stop: () => void } {
  const t0 = performance.now();
  let lastPackets = count(pop);
  let lastAt = t0;
  let lastExpected = 0;
  let lastReceived = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const packets = count(pop);
    let expected = 0;
    let received = 0;
    for (const s of pop.streams()) {
      expected += s.expected;
      received += s.received;
    }
    const de = expected - lastExpected;
    const loss = de > 0 ? Math.max(0, de - (received - lastReceived)) / de : 0;
    const rate = ((packets - lastPackets) * 1000) / (now - lastAt);
    const lat = latency.takeRecent();
    const latText = lat ? `latency mean ${lat.meanMs.toFixed(1)} / max ${lat.maxMs.toFixed(1)} ms` : "latency –";
    log(
      `[${((now - t0) / 1000).toFixed(0).padStart(4)} s] ${phase().padEnd(8)} ${pop.status()} | ${Math.round(rate)} pkt/s | loss ${(loss * 100).toFixed(2)} % | NACKs ${pop.nacks().sent} | ${latText}`,
    );
    lastPackets = packets;
    lastAt = now;
    lastExpected = expected;
    lastReceived = received;
  }, 1000);
  return { stop: () => clearInterval(timer) };
}

function count(pop: Population): number {
  let n = 0;
  for (const s of pop.streams()) n += s.packets;
  return n;
}

/** Measures one window of `o.durationS` seconds and builds the result. */
export async function measureWindow(
  o: LoadTestOptions,
  pop: Population,
  facts: RunFacts,
  latency: LatencyHistogram,
  pacer: Pacer,
): Promise<LoadTestResult> {
  const streams = pop.streams();
  const start = new Map<ReceiveStream, StreamSnapshot>();
  for (const s of streams) start.set(s, snapshot(s));
  const sent0 = pop.packetsSent();
  const nacks0 = pop.nacks();
  const kfr0 = pop.keyframeRequests();
  const srtp0 = pop.srtpFailures();
  const drops0 = pop.injectedDrops();
  const slips0 = pacer.slips;
  latency.reset();
  const serverStart = facts.serverPid !== null ? sampleProcess(facts.serverPid) : null;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const machine0 = sampleMachine();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const paused0 = pop.layerPausedMs(t0);
  await new Promise((r) => setTimeout(r, o.durationS * 1000));
  const t1 = performance.now();
  const wallMs = t1 - t0;
  const paused = pop.layerPausedMs(t1) - paused0;
  loopDelay.disable();
  const cpu = process.cpuUsage(cpu0);
  const machine1 = sampleMachine();
  const serverEnd = facts.serverPid !== null ? sampleProcess(facts.serverPid) : null;
  const t = windowTotals(streams, start);
  const nacks = pop.nacks();
  const lost = Math.max(0, t.expected - t.received);
  const clientCpuUs = cpu.user + cpu.system;
  return {
    target: facts.target,
    room: o.room,
    resolution: o.resolution,
    audio: o.audio,
    video: o.video,
    meeting: o.meeting,
    publishers: o.publishers,
    publishersConnected: facts.publishersConnected,
    subscribers: facts.subscribers,
    subscribersConnected: facts.subscribersConnected,
    subscribersReceiving: facts.subscribersReceiving,
    streams: streams.length,
    durationS: round(wallMs / 1000, 2),
    packetsSent: pop.packetsSent() - sent0,
    packetsReceived: t.packets,
    packetsPerSecond: round((t.packets * 1000) / wallMs, 1),
    bitrateMbps: round((t.octets * 8) / (wallMs * 1000), 2),
    lossRate: t.expected > 0 ? round(lost / t.expected, 6) : 0,
    lossRateByKind: { audio: kindLoss(t.byKind.audio), video: kindLoss(t.byKind.video) },
    packetsLost: lost,
    nacksSent: nacks.sent - nacks0.sent,
    nackedPackets: nacks.packets - nacks0.packets,
    retransmissionsReceived: t.retransmissions,
    duplicates: t.duplicates,
    keyframes: t.keyframes,
    keyframeRequestsReceived: pop.keyframeRequests() - kfr0,
    srtpFailures: pop.srtpFailures() - srtp0,
    injectedDrops: pop.injectedDrops() - drops0,
    latencyMs: latencySummary(latency),
    latencyMisses: t.latencyMisses,
    joinTimeMs: facts.lastJoinTimeMs === null ? null : round(facts.lastJoinTimeMs, 1),
    joinTimeMsP50: median(facts.joinTimesMs),
    joinTimeMsMax: facts.joinTimesMs.length > 0 ? round(Math.max(...facts.joinTimesMs), 1) : null,
    joinPhaseS: round(facts.joinPhaseS, 2),
    pacingSlips: pacer.slips - slips0,
    failures: facts.failures,
    client: {
      cpuPercent: round((clientCpuUs / 1000 / wallMs) * 100, 1),
      cpuUsPerPacket: t.packets > 0 ? round(clientCpuUs / t.packets, 2) : 0,
      rssBytes: process.memoryUsage().rss,
      eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
      eventLoopDelayMaxMs: round(loopDelay.max / 1e6, 1),
    },
    machineBusyPercent:
      machine0 && machine1 && machine1.total > machine0.total
        ? round(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100 * availableParallelism(), 1)
        : null,
    srtpProfile: facts.srtpProfile,
    ...(o.simulcast ? { simulcast: simulcastSummary(streams, start, paused) } : {}),
    server:
      facts.serverPid !== null
        ? serverSummary(facts.serverPid, facts.serverBefore, serverStart, serverEnd, t.packets, streams.length)
        : null,
  };
}

function kindLoss(k: { expected: number; received: number }): number | null {
  return k.expected > 0 ? round(Math.max(0, k.expected - k.received) / k.expected, 6) : null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return round(s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, 1);
}
