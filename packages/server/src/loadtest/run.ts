import { randomBytes } from "node:crypto";
import type { ParticipantInfo } from "@relais/protocol";
import { createAccessToken } from "../auth/access-token.js";
import { fingerprintOf } from "../media/dtls/dtls-session.js";
import { SrtpProfile } from "../media/srtp/profiles.js";
import { createDtlsCertificate } from "../media-control/certificate.js";
import { loadClips, RESOLUTIONS } from "./clip.js";
import { LatencyHistogram } from "./latency.js";
import { measureWindow, type Population, type RunFacts, startProgress } from "./measure.js";
import { AudioSource, VideoSource } from "./media-source.js";
import type { LoadTestOptions } from "./options.js";
import { Pacer } from "./pacer.js";
import { LoadParticipant, type ParticipantContext, type PublishedTrack, type WantedTrack } from "./participant.js";
import { sampleProcess } from "./proc-stats.js";
import type { LoadTestResult } from "./result.js";
import { SimulcastVideo } from "./simulcast-source.js";
import { reportedSize } from "./subscriber-sizes.js";

/** Seconds to wait, after the last join, for every subscriber's first packets. */
const READY_TIMEOUT_S = 20;
/** --subscriber-sizes rotate: every subscriber moves to the next layer this often. */
const ROTATE_INTERVAL_MS = 2000;

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function withConcurrency<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

/** A load test against a Relais node: publishers first, then subscribers, then the measured window. */
export async function runAgainstRelais(o: LoadTestOptions, log: (m: string) => void): Promise<LoadTestResult> {
  const clips = await loadClips(o, log);
  const certificate = await createDtlsCertificate();
  const latency = new LatencyHistogram();
  const ctx: ParticipantContext = {
    url: o.url,
    room: o.room,
    certificate,
    fingerprint: fingerprintOf(Buffer.from(certificate.der)),
    latency,
    dropRate: o.dropRate,
  };
  const runId = randomBytes(3).toString("hex");
  const token = (identity: string, publish: boolean, subscribe: boolean) =>
    createAccessToken({
      apiKey: o.apiKey,
      apiSecret: o.apiSecret,
      room: o.room,
      identity,
      grants: { join: true, publish, subscribe },
      ttlS: Math.min(30 * 86400, o.durationS + o.warmupS + 3600),
    });
  const pacer = new Pacer();
  const sized: { s: LoadParticipant; index: number; wanted: WantedTrack[] }[] = [];
  /** Reports a rendered size for every simulcast track (--subscriber-sizes mixed|auto|rotate); `step` moves rotate on. */
  const reportSizes = async (s: LoadParticipant, index: number, wanted: WantedTrack[], step: number) => {
    const videos = wanted.filter((t) => t.kind === "video").length;
    for (const t of wanted) {
      const size = t.layers ? reportedSize(o.subscriberSizes, index, t.layers, videos, step) : null;
      if (size) await s.setTrackSize(t.trackSid, size.width, size.height);
    }
  };
  const subscribeAndSize = async (s: LoadParticipant, index: number, wanted: WantedTrack[]) => {
    await s.subscribe(wanted);
    sized.push({ s, index, wanted });
    await reportSizes(s, index, wanted, 0);
  };
  let rotation: NodeJS.Timeout | null = null;
  const publishers: LoadParticipant[] = [];
  const subscribers: LoadParticipant[] = [];
  const failures: string[] = [];
  const fail = (who: string, err: unknown) => {
    if (failures.length < 20) failures.push(`${who}: ${(err as Error).message}`);
  };
  let phase = "join";
  const wantedSubscribers = o.subscribers + (o.meeting ? o.publishers : 0);
  const pop: Population = {
    streams: () => subscribers.flatMap((s) => s.streams),
    packetsSent: () => publishers.reduce((n, p) => n + p.sources.reduce((m, s) => m + s.packetsSent, 0), 0),
    nacks: () => ({
      sent: subscribers.reduce((n, s) => n + s.nacksSent, 0),
      packets: subscribers.reduce((n, s) => n + s.nackedPackets, 0),
    }),
    keyframeRequests: () => publishers.reduce((n, p) => n + p.keyframeRequestsReceived, 0),
    injectedDrops: () => subscribers.reduce((n, s) => n + s.injectedDrops, 0),
    srtpFailures: () => [...new Set([...publishers, ...subscribers])].reduce((n, p) => n + p.srtpFailures, 0),
    layerPausedMs: (now) => publishers.reduce((n, p) => n + p.layerPausedMs(now), 0),
    status: () =>
      `publishers ${publishers.filter((p) => p.connected).length}/${o.publishers}, subscribers ${subscribers.filter((s) => s.connected).length}/${wantedSubscribers} (${subscribers.filter((s) => s.readyMs >= 0).length} receiving)`,
  };
  const serverBefore = o.serverPid !== null ? sampleProcess(o.serverPid) : null;
  if (o.serverPid !== null && serverBefore === null) throw new Error(`--server-pid ${o.serverPid}: no such process (or no /proc)`);
  const progress = startProgress(pop, latency, () => phase, log);
  pacer.start();
  const joinStart = performance.now();
  try {
    // 1. Publishers join and publish; their media flows from the moment DTLS is up.
    const tracks: WantedTrack[] = [];
    const trackOwner = new Map<string, LoadParticipant>();
    await withConcurrency(
      Array.from({ length: o.publishers }, (_, i) => i),
      o.joinConcurrency,
      async (i) => {
        const p = await LoadParticipant.create(ctx, `lt-${runId}-pub-${i}`, o.meeting);
        publishers.push(p);
        pacer.addTickable(p);
        try {
          await p.join(await token(p.identity, true, o.meeting), () => {});
          const published: PublishedTrack[] = [];
          if (clips.audio) published.push(new AudioSource(clips.audio, "a0"));
          if (clips.video) published.push(new VideoSource({ clip: clips.video, mid: "v0", kbps: RESOLUTIONS[o.resolution].kbps }));
          if (clips.simulcast) published.push(new SimulcastVideo(clips.simulcast, "v0"));
          await p.publish(published);
          for (const t of published) {
            pacer.add(t, (plain) => p.sendRtp(plain));
            const trackSid = p.trackSids.get(t)!;
            tracks.push(
              t instanceof SimulcastVideo
                ? { trackSid, kind: "video", log: null, layers: t.layers.map((l, k) => ({ ...t.announced[k], log: l.log })) }
                : { trackSid, kind: t.kind, log: t.log },
            );
            trackOwner.set(trackSid, p);
          }
        } catch (err) {
          fail(p.identity, err);
        }
      },
    );
    // 2. In a meeting, every publisher subscribes to everyone else's tracks.
    if (o.meeting) {
      await withConcurrency(publishers, o.joinConcurrency, async (p, i) => {
        if (!p.connected) return;
        subscribers.push(p);
        p.joinStartMs = performance.now();
        try {
          await subscribeAndSize(
            p,
            i,
            tracks.filter((t) => trackOwner.get(t.trackSid) !== p),
          );
        } catch (err) {
          fail(p.identity, err);
        }
      });
    }
    // 3. Pure subscribers: every track of our publishers.
    await withConcurrency(
      Array.from({ length: o.subscribers }, (_, i) => i),
      o.joinConcurrency,
      async (i) => {
        const s = await LoadParticipant.create(ctx, `lt-${runId}-sub-${i}`, true);
        subscribers.push(s);
        pacer.addTickable(s);
        try {
          const joined = await s.join(await token(s.identity, false, true), () => {});
          const present = new Set(joined.participants.flatMap((x: ParticipantInfo) => x.tracks.map((t) => t.sid)));
          await subscribeAndSize(
            s,
            i,
            tracks.filter((t) => present.has(t.trackSid)),
          );
        } catch (err) {
          fail(s.identity, err);
        }
      },
    );
    // 4. Wait for first packets everywhere (or give up on the stragglers).
    const deadline = performance.now() + READY_TIMEOUT_S * 1000;
    while (performance.now() < deadline && subscribers.some((s) => s.connected && s.readyMs < 0)) await sleep(100);
    const joinPhaseS = (performance.now() - joinStart) / 1000;
    phase = "warmup";
    await sleep(o.warmupS * 1000);
    const ready = subscribers.filter((s) => s.readyMs >= 0);
    const last = subscribers.length > 0 ? subscribers[subscribers.length - 1] : null;
    const facts: RunFacts = {
      target: "relais",
      publishersConnected: publishers.filter((p) => p.connected).length,
      subscribers: wantedSubscribers,
      subscribersConnected: subscribers.filter((s) => s.connected).length,
      subscribersReceiving: ready.length,
      joinTimesMs: ready.map((s) => s.readyMs - s.joinStartMs),
      lastJoinTimeMs: last && last.readyMs >= 0 ? last.readyMs - last.joinStartMs : null,
      joinPhaseS,
      failures,
      serverPid: o.serverPid,
      serverBefore,
      srtpProfile: profileName(publishers.find((p) => p.connected)?.srtpProfile ?? null),
    };
    for (const s of subscribers) if (s.connected && s.readyMs < 0) fail(s.identity, new Error("connected but no media on every stream"));
    if (o.subscriberSizes === "rotate") {
      let step = 0;
      rotation = setInterval(() => {
        step++;
        for (const x of sized) reportSizes(x.s, x.index, x.wanted, step).catch((err) => fail(x.s.identity, err));
      }, ROTATE_INTERVAL_MS);
    }
    phase = "measure";
    return await measureWindow(o, pop, facts, latency, pacer);
  } finally {
    if (rotation) clearInterval(rotation);
    phase = "leave";
    pacer.stop();
    progress.stop();
    await withConcurrency([...new Set([...subscribers, ...publishers])], 32, (p) => p.leave());
  }
}

function profileName(id: number | null): string | null {
  if (id === null) return null;
  return Object.entries(SrtpProfile).find(([, v]) => v === id)?.[0] ?? String(id);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
