import { type AllocatorTrack, allocate } from "../bwe/allocator.js";
import type { ProbeCluster } from "../bwe/probe-controller.js";
import { RembEstimate } from "../bwe/remb.js";
import { SendSideBwe } from "../bwe/send-side-bwe.js";
import type { Consumer } from "./consumer.js";

/** What the bandwidth manager needs from the transport toward the subscriber. */
export interface BandwidthHost {
  readonly consumers: Map<string, Consumer>;
}

/** Padding bytes per probe packet (RFC 3550 §5.1 allows at most 255). */
const PROBE_PADDING = 255;
/** At most this many probe packets per cluster (≈ 8 kB): a probe is a sample, not a flood. */
const MAX_PROBE_PACKETS = 32;

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
  readonly bwe = new SendSideBwe({ startBps: 1_000_000, maxBps: 20_000_000 });
  private remb: RembEstimate | null = null;
  private feedbackSeen = false;
  private twSeq = 0;
  private probeClusterId = -1;
  private readonly lastOctets = new WeakMap<Consumer, number>();
  private readonly tracks: AllocatorTrack[] = [];
  private readonly trackConsumers: Consumer[] = [];
  private lastAllocationMs = 0;
  /** Probe packets sent since start (exported for tests and stats). */
  probePackets = 0;
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
    if (this.bwe.onTransportFeedbackPacket(buf, offset, length, nowMs)) this.feedbackSeen = true;
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
  allocate(nowMs: number): void {
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
      if (fw !== null && p.bitrate !== null) {
        tracks.push({
          id: c.id,
          kind: "video",
          priority: c.priority,
          layerBps: p.layers.map((_, i) => p.bitrate!.bitrate(i, nowMs)),
          maxLayer: c.desiredLayer,
          currentLayer: fw.currentLayer,
        });
      } else {
        tracks.push({
          id: c.id,
          kind: c.kind,
          priority: c.priority,
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
    const r = allocate(tracks, estimate);
    this.lastAllocatedBps = r.allocatedBps;
    for (let i = 0; i < r.tracks.length; i++) {
      const c = owners[i]!;
      if (c.forwarder !== null) c.bandwidthLayer = r.tracks[i]!.layer;
    }
    if (!this.feedbackSeen) return;
    const probe = this.bwe.takeProbe(nowMs, r.allocatedBps + r.deficitBps);
    if (probe !== null) this.sendProbe(probe);
  }

  /** A burst of padding-only RTX packets (RFC 4588) at the probe's rate: its feedback measures the path. */
  private sendProbe(probe: ProbeCluster): void {
    let via: Consumer | null = null;
    for (const c of this.host.consumers.values()) if (!c.closed && c.kind === "video" && c.canPad) via = c;
    if (via === null) return;
    const packets = Math.min(MAX_PROBE_PACKETS, Math.max(probe.minPackets, Math.ceil(probe.bytes / (PROBE_PADDING + 20))));
    this.probeClusterId = probe.id;
    try {
      for (let i = 0; i < packets; i++) if (via.sendPadding(PROBE_PADDING)) this.probePackets++;
    } finally {
      this.probeClusterId = -1;
    }
  }
}
