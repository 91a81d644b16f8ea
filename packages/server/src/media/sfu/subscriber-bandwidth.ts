import { type AllocatorTrack, allocate } from "../bwe/allocator.js";
import { BweTraceWriter } from "../bwe/bwe-trace.js";
import type { ProbeCluster } from "../bwe/probe-controller.js";
import { RembEstimate } from "../bwe/remb.js";
import { SendSideBwe } from "../bwe/send-side-bwe.js";
import type { Consumer } from "./consumer.js";
import { UpgradeTrial } from "./upgrade-trial.js";

/** What the bandwidth manager needs from the transport toward the subscriber. */
export interface BandwidthHost {
  readonly consumers: Map<string, Consumer>;
  /** Names the congestion-control trace file (RELAIS_BWE_TRACE_DIR). */
  readonly id?: string;
}

const NO_SPEAKERS: ReadonlySet<string> = new Set();
const DROP_REACT_RATIO = 0.85;

/** Padding bytes per probe packet (RFC 3550 §5.1 allows at most 255). */
const PROBE_PADDING = 255;
/** At most this many probe packets per cluster (≈ 35 kB): a probe is a sample, not a flood. */
const MAX_PROBE_PACKETS = 128;
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
  private readonly upgrades = new WeakMap<Consumer, UpgradeTrial>();
  private lastSpeakers: ReadonlySet<string> = NO_SPEAKERS;
  /** The estimate the last allocation used; a feedback that drops it by 15 % re-allocates at once. */
  private lastAllocationEstimate = 0;
  private lastAllocationMs = 0;
  /** Probe packets sent since start (exported for tests and stats). */
  probePackets = 0;
  private probing = false;
  private closed = false;
  lastAllocatedBps = 0;

  /** Null unless RELAIS_BWE_TRACE_DIR is set (bwe/bwe-trace.ts). */
  private readonly trace: BweTraceWriter | null;

  constructor(private readonly host: BandwidthHost) {
    this.trace = BweTraceWriter.open(host.id ?? "subscriber");
  }

  nextSequence(): number {
    const s = this.twSeq;
    this.twSeq = (s + 1) & 0xffff;
    return s;
  }

  onPacketSent(twSeq: number, nowMs: number, size: number): void {
    if (this.trace !== null) this.trace.sent(nowMs, twSeq, size, this.probeClusterId);
    this.bwe.onPacketSent(twSeq, nowMs, size, this.probeClusterId);
  }

  onTransportFeedback(buf: Buffer, offset: number, length: number, nowMs: number): void {
    if (this.trace !== null) this.trace.feedback(nowMs, buf, offset, length);
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
    if (this.trace !== null) this.trace.estimate(nowMs, estimate);
    const r = allocate(tracks, estimate);
    this.lastAllocatedBps = r.allocatedBps;
    for (let i = 0; i < r.tracks.length; i++) {
      const c = owners[i]!;
      if (c.forwarder !== null) c.bandwidthLayer = this.guardUpgrade(c, r.tracks[i]!.layer, r.tracks[i]!.wantedLayer, estimate, nowMs);
    }
    if (!this.feedbackSeen) return;
    const probe = this.bwe.takeProbe(nowMs, r.allocatedBps + r.deficitBps);
    if (probe !== null) this.sendProbe(probe);
  }

  /** See UpgradeTrial: an upgrade the estimate takes back soon waits out a back-off. */
  private guardUpgrade(c: Consumer, granted: number, wanted: number, estimateBps: number, nowMs: number): number {
    let u = this.upgrades.get(c);
    if (u === undefined) {
      u = new UpgradeTrial();
      this.upgrades.set(c, u);
    }
    const previous = c.bandwidthLayer === Number.MAX_SAFE_INTEGER ? granted : c.bandwidthLayer;
    return u.guard(previous, granted, wanted, estimateBps, nowMs);
  }

  /**
   * A probe cluster at the probe's rate: every packet sent during its window counts
   * toward it — media and retransmissions too (libwebrtc's pacer does the same) —
   * and padding-only RTX packets (RFC 4588), paced in slices over the window (a burst
   * would have no send interval to measure), fill in the rest. So the path sees the
   * target rate, not the target plus the media: a probe into a bottleneck overfills
   * its queue by no more than it has to.
   */
  private sendProbe(probe: ProbeCluster): void {
    if (this.probing) return;
    const mediaBytes = (this.lastAllocatedBps * probe.durationMs) / 8000;
    const paddingBytes = Math.max(probe.minPackets * (PROBE_PADDING + 20), probe.bytes - mediaBytes);
    const packets = Math.min(MAX_PROBE_PACKETS, Math.ceil(paddingBytes / (PROBE_PADDING + 20)));
    const slices = Math.max(2, Math.round(probe.durationMs / PROBE_SLICE_MS) + 1);
    const perSlice = Math.ceil(packets / slices);
    const id = probe.id;
    let left = packets;
    this.probing = true;
    this.probeClusterId = id;
    const end = (): void => {
      this.probing = false;
      this.probeClusterId = -1;
    };
    const slice = (): void => {
      let via: Consumer | null = null;
      for (const c of this.host.consumers.values()) if (!c.closed && c.kind === "video" && c.canPad) via = c;
      if (via === null || this.closed) {
        end();
        return;
      }
      for (let i = 0; i < perSlice && left > 0; i++, left--) if (via.sendPadding(PROBE_PADDING)) this.probePackets++;
      if (left > 0) setTimeout(slice, PROBE_SLICE_MS);
      else end();
    };
    slice();
  }

  /** The transport closed: no more probe slices. */
  close(): void {
    this.closed = true;
    void this.trace?.close();
  }
}
