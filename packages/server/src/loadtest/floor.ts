// `relais load-test --floor plain|srtp`: the same publishers and the same
// receive-side checks as a Relais run, through the floor relay (floor-relay.ts)
// instead of a node. Each sink receives every publisher's tracks, so
// `--publishers N --subscribers N-1` carries a meeting's packet rate.

import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { rtpHeaderLength } from "../media/rtp/packet.js";
import { SrtpProfile } from "../media/srtp/profiles.js";
import { SrtpSession } from "../media/srtp/session.js";
import { loadClips, RESOLUTIONS } from "./clip.js";
import type { FloorKey, FloorRelayConfig } from "./floor-relay.js";
import { LatencyHistogram } from "./latency.js";
import { measureWindow, type Population, startProgress } from "./measure.js";
import { AudioSource, type MediaSource, VideoSource } from "./media-source.js";
import type { LoadTestOptions } from "./options.js";
import { Pacer } from "./pacer.js";
import { sampleProcess } from "./proc-stats.js";
import { ReceiveStream } from "./receive-stream.js";
import type { LoadTestResult } from "./result.js";

/** The profile Relais negotiates with browsers and with our lean client (its first preference). */
const FLOOR_PROFILE = SrtpProfile.AEAD_AES_128_GCM;

function newKey(): FloorKey {
  return { key: randomBytes(16).toString("hex"), salt: randomBytes(12).toString("hex") };
}

function sessionOf(k: FloorKey): SrtpSession {
  const key = Buffer.from(k.key, "hex");
  const salt = Buffer.from(k.salt, "hex");
  return new SrtpSession({
    profile: FLOOR_PROFILE,
    localMasterKey: key,
    localMasterSalt: salt,
    remoteMasterKey: key,
    remoteMasterSalt: salt,
  });
}

async function udpSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  s.on("error", () => {});
  return s;
}

interface Sink {
  socket: dgram.Socket;
  key: FloorKey;
  streams: ReceiveStream[];
  srtpFailures: number;
}

export async function runFloor(o: LoadTestOptions, log: (m: string) => void): Promise<LoadTestResult> {
  const mode = o.floor!;
  const clips = await loadClips(o, log);
  const latency = new LatencyHistogram();
  const pacer = new Pacer();
  const publishers: { socket: dgram.Socket; key: FloorKey; sources: MediaSource[] }[] = [];
  for (let i = 0; i < o.publishers; i++) {
    const sources: MediaSource[] = [];
    if (clips.audio) sources.push(new AudioSource(clips.audio, "a0"));
    if (clips.video) sources.push(new VideoSource({ clip: clips.video, mid: "v0", kbps: RESOLUTIONS[o.resolution].kbps }));
    publishers.push({ socket: await udpSocket(), key: newKey(), sources });
  }
  const sinks: Sink[] = [];
  for (let i = 0; i < o.subscribers; i++) {
    const sink: Sink = { socket: await udpSocket(), key: newKey(), streams: [], srtpFailures: 0 };
    const bySsrc = new Map<number, ReceiveStream>();
    for (const p of publishers)
      for (const s of p.sources) {
        const stream = new ReceiveStream({ kind: s.kind, ssrc: s.ssrc, rtxSsrc: null, source: s.log, layers: null, latency, nack: null });
        sink.streams.push(stream);
        bySsrc.set(s.ssrc, stream);
      }
    const srtp = mode === "srtp" ? sessionOf(sink.key) : null;
    sink.socket.on("message", (msg) => {
      const plain = srtp === null ? msg : srtp.unprotectRtp(msg);
      if (plain === null) {
        sink.srtpFailures++;
        return;
      }
      const stream = bySsrc.get(plain.readUInt32BE(8));
      const at = rtpHeaderLength(plain, plain.length);
      if (stream === undefined || at < 0) return;
      stream.receive(plain, (plain[2] << 8) | plain[3], at, plain.length, performance.now(), false);
    });
    sinks.push(sink);
  }
  const config: FloorRelayConfig = {
    mode,
    profile: FLOOR_PROFILE,
    publishers: publishers.map((p) => ({ port: p.socket.address().port, key: p.key })),
    sinks: sinks.map((s) => ({ port: s.socket.address().port, key: s.key })),
  };
  // Default V8 flags, like the Relais node it stands in for (the load tester runs with a small young generation).
  const child = fork(new URL("./floor-relay.js", import.meta.url), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
  const relayPort = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve(m.port));
    child.once("exit", (code) => reject(new Error(`floor relay exited with ${code}`)));
    child.send(config);
  });
  const pid = child.pid!;
  const serverBefore = sampleProcess(pid);
  const streams = sinks.flatMap((s) => s.streams);
  const pop: Population = {
    streams: () => streams,
    packetsSent: () => publishers.reduce((n, p) => n + p.sources.reduce((m, s) => m + s.packetsSent, 0), 0),
    nacks: () => ({ sent: 0, packets: 0 }),
    keyframeRequests: () => 0,
    injectedDrops: () => 0,
    srtpFailures: () => sinks.reduce((n, s) => n + s.srtpFailures, 0),
    layerPausedMs: () => 0,
    status: () => `floor ${mode}: ${publishers.length} publishers → ${sinks.length} sinks`,
  };
  let phase = "start";
  const progress = startProgress(pop, latency, () => phase, log);
  const start = performance.now();
  try {
    for (const p of publishers) {
      const srtp = mode === "srtp" ? sessionOf(p.key) : null;
      for (const s of p.sources) {
        pacer.add(s, (plain) => p.socket.send(srtp === null ? plain : srtp.protectRtp(plain), relayPort, "127.0.0.1"));
      }
    }
    pacer.start();
    while (performance.now() - start < 10_000 && streams.some((s) => s.firstPacketMs < 0)) await new Promise((r) => setTimeout(r, 50));
    const joinPhaseS = (performance.now() - start) / 1000;
    phase = "warmup";
    await new Promise((r) => setTimeout(r, o.warmupS * 1000));
    phase = "measure";
    const ready = sinks.filter((s) => s.streams.every((x) => x.firstPacketMs >= 0)).length;
    return await measureWindow(
      o,
      pop,
      {
        target: mode === "plain" ? "floor-plain" : "floor-srtp",
        publishersConnected: publishers.length,
        subscribers: sinks.length,
        subscribersConnected: sinks.length,
        subscribersReceiving: ready,
        joinTimesMs: [],
        lastJoinTimeMs: null,
        joinPhaseS,
        failures: [],
        serverPid: pid,
        serverBefore,
        srtpProfile: mode === "srtp" ? "AEAD_AES_128_GCM" : null,
      },
      latency,
      pacer,
    );
  } finally {
    pacer.stop();
    progress.stop();
    child.kill();
    for (const p of publishers) p.socket.close();
    for (const s of sinks) s.socket.close();
  }
}
