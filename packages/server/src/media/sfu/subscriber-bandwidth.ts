import { type AllocatorTrack, allocate } from "../bwe/allocator.js";
import type { ProbeCluster } from "../bwe/probe-controller.js";
import { RembEstimate } from "../bwe/remb.js";
import { SendSideBwe } from "../bwe/send-side-bwe.js";
import type { Consumer } from "./consumer.js";

/** What the bandwidth manager needs from the transport toward the subscriber. */
export interface BandwidthHost {
  readonly consumers: Map<string, Consumer>;
}

const NO_SPEAKERS: ReadonlySet<string> = new Set();
const DROP_REACT_RATIO = 0.85;

/** Padding bytes per probe packet (RFC 3550 §5.1 allows at most 255). */
const PROBE_PADDING = 255;
/** At most this many probe packets per cluster (≈ 35 kB): a probe is a sample, not a flood. */
const MAX_PROBE_PACKETS = 128;
/** An upgrade the estimate takes back within this long failed: that layer waits out a back-off. */
const UPGRADE_TRIAL_MS = 3000;
const UPGRADE_BACKOFF_MS = 10_000;
const MAX_UPGRADE_BACKOFF_MS = 30_000;

/** Per simulcast consumer: the last upgrade on trial, and the layer held back after a failed one. */
class UpgradeState {
  trialLayer = -1;
  trialSinceMs = 0;
  blockedLayer = Number.MAX_SAFE_INTEGER;
  blockedUntilMs = 0;
  backoffMs = UPGRADE_BACKOFF_MS;
}

/** Probe packets go out in slices this far apart: the estimator needs a measurable send interval. */
const PROBE_SLICE_MS = 5;

/**
 * Congestion control toward one subscriber: every packet we send carries our
 * transport-wide sequence number; the subscriber's transport-cc feedback feeds a
 * GCC-style send-side estimator (or its REMB, when it negotiated no
 * transport-cc). Every 250 ms the estimate is shared across its streams — audio
 * first, then video by priority — which caps each simulcast consumer's layer;
 * when the streams want more than the estimate, a padding probe finds out
 * whether the path has it.
 */
export class SubscriberBandwidth {
  // 250 ms probes: long enough that a shaper's burst allowance cannot make one look much faster than the path.
  readonly bwe = new SendSideBwe({ startBps: 1_000_000, maxBps: 20_000_000, probeDurationMs: 250 });
  private remb: RembEstimate | null = null;
  private feedbackSeen = false;
  private twSeq = 0;
  private probeClusterId = -1;
  private readonly lastOctets = new WeakMap<Consumer, number>();
  private readonly tracks: AllocatorTrack[] = [];
  private readonly trackConsumers: Consumer[] = [];
  private readonly upgrades = new WeakMap<Consumer, UpgradeState>();
  private lastSpeakers: ReadonlySet<string> = NO_SPEAKERS;
  /** The estimate the last allocation used; a feedback that drops it by 15 % re-allocates at once. */
  private lastAllocationEstimate = 0;
  private lastAllocationMs = 0;
  /** Probe packets sent since start (exported for tests and stats). */
  probePackets = 0;
  private probing = false;
  private closed = false;
  lastAllocatedBps = 0;

  constructor(private readonly host: BandwidthHost) {}

  nextSequence(): number {
    const s = this.twSeq;
    this.twSeq = (s + 1) & 0xffff;
    return s;
  }

  onPacketSent(twSeq: number, nowMs: number, size: number): void {
    this.bwe.onPacketSent(twSeq, nowMs, size, this.probeClusterId);
  }

  onTransportFeedback(buf: Buffer, offset: number, length: number, nowMs: number): void {
    if (!this.bwe.onTransportFeedbackPacket(buf, offset, length, nowMs)) return;
    this.feedbackSeen = true;
    // Congestion: act on this feedback, not at the next 250 ms tick — every frame of a layer the
    // path cannot carry is lost in its queue, so the switch down is what ends the stall.
    if (this.lastAllocationEstimate > 0 && this.bwe.estimateBps < DROP_REACT_RATIO * this.lastAllocationEstimate) {
      this.allocate(nowMs, this.lastSpeakers);
      for (const c of this.host.consumers.values()) if (c.forwarder !== null && !c.closed) c.updateLayer(nowMs);
    }
  }

  onRemb(buf: Buffer, offset: number, length: number, nowMs: number): void {
    this.remb ??= new RembEstimate();
    this.remb.onRtcp(buf, offset, length, nowMs);
  }

  /** bps the subscriber's path carries, as far as we know (Infinity before any feedback). */
  get estimateBps(): number {
    if (this.feedbackSeen) return this.bwe.estimateBps;
    return this.remb?.estimateBps ?? Number.POSITIVE_INFINITY;
  }

  /** Every ~250 ms: allocate the estimate across the subscriber's streams; probe for more when they want it. */
  allocate(nowMs: number, speakerProducers: ReadonlySet<string> = NO_SPEAKERS): void {
    this.lastSpeakers = speakerProducers;
    const dt = nowMs - this.lastAllocationMs;
    this.lastAllocationMs = nowMs;
    const tracks = this.tracks;
    const owners = this.trackConsumers;
    tracks.length = 0;
    owners.length = 0;
    for (const c of this.host.consumers.values()) {
      if (c.closed) continue;
      const before = this.lastOctets.get(c) ?? c.octetsSent;
      this.lastOctets.set(c, c.octetsSent);
      const sentBps = dt > 0 ? ((c.octetsSent - before) * 8000) / dt : 0;
      const p = c.producer;
      const fw = c.forwarder;
      const priority = c.priority === "normal" && speakerProducers.has(p.id) ? "speaker" : c.priority;
      if (fw !== null && p.bitrate !== null) {
        tracks.push({
          id: c.id,
          kind: "video",
          priority,
          layerBps: p.layers.map((_, i) => p.bitrate!.bitrate(i, nowMs)),
          maxLayer: c.desiredLayer,
          currentLayer: fw.currentLayer,
        });
      } else {
        tracks.push({
          id: c.id,
          kind: c.kind,
          priority,
          layerBps: [sentBps],
          maxLayer: c.hidden || c.paused ? -1 : 0,
          currentLayer: 0,
        });
      }
      owners.push(c);
    }
    const estimate = this.estimateBps;
    if (tracks.length === 0) return;
    if (!Number.isFinite(estimate)) {
      for (const c of owners) c.bandwidthLayer = Number.MAX_SAFE_INTEGER;
      return;
    }
    this.lastAllocationEstimate = estimate;
    const r = allocate(tracks, estimate);
    this.lastAllocatedBps = r.allocatedBps;
    for (let i = 0; i < r.tracks.length; i++) {
      const c = owners[i]!;
      if (c.forwarder !== null) c.bandwidthLayer = this.guardUpgrade(c, r.tracks[i]!.layer, nowMs);
    }
    if (!this.feedbackSeen) return;
    const probe = this.bwe.takeProbe(nowMs, r.allocatedBps + r.deficitBps);
    if (probe !== null) this.sendProbe(probe);
  }

  /**
   * Upgrades are trials: a probe can look faster than the path (a shaper's burst
   * allowance), so a layer granted and taken back within UPGRADE_TRIAL_MS is not
   * granted again before a back-off (10 s, doubling to 30 s) — no flapping into
   * congestion every few seconds. Upgrades go one layer at a time; downgrades apply at once.
   */
  private guardUpgrade(c: Consumer, granted: number, nowMs: number): number {
    let u = this.upgrades.get(c);
    if (u === undefined) {
      u = new UpgradeState();
      this.upgrades.set(c, u);
    }
    const previous = c.bandwidthLayer === Number.MAX_SAFE_INTEGER ? granted : c.bandwidthLayer;
    if (u.trialLayer >= 0) {
      if (granted < u.trialLayer && nowMs - u.trialSinceMs < UPGRADE_TRIAL_MS) {
        u.blockedLayer = u.trialLayer;
        u.blockedUntilMs = nowMs + u.backoffMs;
        u.backoffMs = Math.min(MAX_UPGRADE_BACKOFF_MS, u.backoffMs * 2);
        u.trialLayer = -1;
      } else if (nowMs - u.trialSinceMs >= UPGRADE_TRIAL_MS) {
        if (granted >= u.trialLayer) u.backoffMs = UPGRADE_BACKOFF_MS; // it held
        u.trialLayer = -1;
      }
    }
    if (nowMs < u.blockedUntilMs && granted >= u.blockedLayer) granted = u.blockedLayer - 1;
    // Up one layer at a time: each step is a trial the path has to pass before the next.
    if (previous >= 0 && granted > previous + 1) granted = previous + 1;
    if (granted > previous && previous >= 0 && u.trialLayer < 0) {
      u.trialLayer = granted;
      u.trialSinceMs = nowMs;
    }
    return granted;
  }

  /**
   * Padding-only RTX packets (RFC 4588) at the probe's rate, paced in slices over
   * its duration (a burst would have no send interval to measure): the
   * subscriber's feedback then tells whether the path carries that rate.
   */
  private sendProbe(probe: ProbeCluster): void {
    if (this.probing) return;
    const packets = Math.min(MAX_PROBE_PACKETS, Math.max(probe.minPackets, Math.ceil(probe.bytes / (PROBE_PADDING + 20))));
    const slices = Math.max(2, Math.round(probe.durationMs / PROBE_SLICE_MS) + 1);
    const perSlice = Math.ceil(packets / slices);
    const id = probe.id;
    let left = packets;
    this.probing = true;
    const slice = (): void => {
      let via: Consumer | null = null;
      for (const c of this.host.consumers.values()) if (!c.closed && c.kind === "video" && c.canPad) via = c;
      if (via === null || this.closed) {
        this.probing = false;
        return;
      }
      this.probeClusterId = id;
      try {
        for (let i = 0; i < perSlice && left > 0; i++, left--) if (via.sendPadding(PROBE_PADDING)) this.probePackets++;
      } finally {
        this.probeClusterId = -1;
      }
      if (left > 0) setTimeout(slice, PROBE_SLICE_MS);
      else this.probing = false;
    };
    slice();
  }

  /** The transport closed: no more probe slices. */
  close(): void {
    this.closed = true;
  }
}
