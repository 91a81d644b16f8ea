import type { ConnectionQualityLevel } from "../../media-channel/messages.js";
import { compactNtpFromUnixMs, rttMs } from "../rtcp/ntp.js";
import type { ReportBlock } from "../rtcp/receiver-report.js";
import { ConnectionQualityTracker, type LinkStats, worstLink } from "./connection-quality.js";
import type { Consumer } from "./consumer.js";
import type { Producer } from "./producer.js";

/** A publisher sends dozens of packets a second: this long without any means its media is gone. */
const PUBLISHER_LOST_AFTER_MS = 4_000;
/** A receive-only peer sends only RTCP (audio receiver reports can be ~7 s apart, RFC 3550 §6.2). */
const SUBSCRIBER_LOST_AFTER_MS = 12_000;
/** A subscriber's receiver report older than this no longer describes the link. */
const REPORT_MAX_AGE_MS = 6_000;

interface RemoteReport {
  fractionLost: number;
  jitterMs: number;
  atMs: number;
}

/** What a quality sample reads from its transport. */
export interface QualitySource {
  readonly connected: boolean;
  readonly packetsReceived: number;
  readonly producers: ReadonlyMap<string, Producer>;
  readonly consumers: ReadonlyMap<string, Consumer>;
}

/**
 * The link quality of one WebRtcTransport, both ways:
 *  - upstream from our reception of its producers (ReceiveStats: RFC 3550 A.3 loss, A.8 jitter);
 *  - downstream from the receiver report blocks (RFC 3550 §6.4.1) its peer sends about our
 *    consumers, and the round-trip time they give against our sender reports (§6.4.1 fig. 2).
 * Sampled once a second by the worker; allocation only per sample and per RTCP report block.
 */
export class TransportQuality {
  readonly tracker = new ConnectionQualityTracker();
  private readonly downstream = new Map<number, RemoteReport>();
  private readonly upstreamPrior = new WeakMap<Producer, { highest: number; received: number }>();
  /** Latest round-trip time in ms, -1 until a report echoed one of our sender reports. */
  rttMs = -1;
  private lastPacketsReceived = -1;
  private lastActivityMs = 0;

  /** A report block from the peer; `consumer` is ours when the block is about one of our streams. */
  onReportBlock(block: ReportBlock, consumer: Consumer | undefined, nowMs: number): void {
    const rtt = rttMs(compactNtpFromUnixMs(Date.now()), block.lastSr, block.delaySinceLastSr);
    if (rtt >= 0) this.rttMs = this.rttMs < 0 ? rtt : this.rttMs + (rtt - this.rttMs) / 4;
    if (!consumer || block.ssrc !== consumer.ssrc) return;
    let r = this.downstream.get(block.ssrc);
    if (!r) {
      r = { fractionLost: 0, jitterMs: 0, atMs: 0 };
      this.downstream.set(block.ssrc, r);
    }
    r.fractionLost = block.fractionLost;
    r.jitterMs = (block.jitter * 1000) / consumer.codec.clockRate;
    r.atMs = nowMs;
  }

  /** One periodic sample: updates and returns the participant's quality label. */
  sample(t: QualitySource, nowMs: number): ConnectionQualityLevel {
    if (!t.connected) return this.tracker.quality;
    if (t.packetsReceived !== this.lastPacketsReceived) {
      this.lastPacketsReceived = t.packetsReceived;
      this.lastActivityMs = nowMs;
    }
    const silentFor = nowMs - this.lastActivityMs;
    const lost =
      (t.producers.size > 0 && silentFor > PUBLISHER_LOST_AFTER_MS) || (t.consumers.size > 0 && silentFor > SUBSCRIBER_LOST_AFTER_MS);
    return this.tracker.update(worstLink(this.upstream(t), this.downstreamStats(t, nowMs)), lost);
  }

  private upstream(t: QualitySource): LinkStats | null {
    let expected = 0;
    let received = 0;
    let jitterMs = 0;
    let measured = false;
    for (const p of t.producers.values()) {
      const s = p.stats;
      if (!s.hasData) continue;
      const highest = s.extendedHighestSequence;
      const prior = this.upstreamPrior.get(p);
      if (prior) {
        expected += highest - prior.highest;
        received += s.received - prior.received;
        jitterMs = Math.max(jitterMs, (s.jitter * 1000) / p.codec.clockRate);
        measured = true;
        prior.highest = highest;
        prior.received = s.received;
      } else {
        this.upstreamPrior.set(p, { highest, received: s.received });
      }
    }
    if (!measured) return null;
    const lossPercent = expected > 0 ? (Math.max(0, expected - received) * 100) / expected : 0;
    return { lossPercent, jitterMs, rttMs: Math.max(0, this.rttMs) };
  }

  private downstreamStats(t: QualitySource, nowMs: number): LinkStats | null {
    let lossPercent = 0;
    let jitterMs = 0;
    let measured = false;
    for (const [ssrc, r] of this.downstream) {
      if (nowMs - r.atMs > REPORT_MAX_AGE_MS || !isOurs(t, ssrc)) {
        this.downstream.delete(ssrc);
        continue;
      }
      lossPercent = Math.max(lossPercent, (r.fractionLost * 100) / 256);
      jitterMs = Math.max(jitterMs, r.jitterMs);
      measured = true;
    }
    return measured ? { lossPercent, jitterMs, rttMs: Math.max(0, this.rttMs) } : null;
  }
}

function isOurs(t: QualitySource, ssrc: number): boolean {
  for (const c of t.consumers.values()) if (c.ssrc === ssrc) return true;
  return false;
}
