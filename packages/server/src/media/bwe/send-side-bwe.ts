// Send-side bandwidth estimation toward one subscriber (draft-ietf-rmcat-gcc-02 with TWCC
// feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01), the way libwebrtc's GoogCC
// composes it:
//
//   onPacketSent(twSeq, t, size) ──> SendHistory (ring)
//   TWCC feedback ──> per acked packet: AckedBitrateEstimator, ProbeBitrateEstimator,
//                     InterArrival (5 ms groups) ──> TrendlineEstimator ──> OveruseDetector
//                 ──> per feedback: AimdRateControl(usage, acked) = delay-based estimate
//                                   loss settled 50 ms behind ──> LossBasedControl
//   estimateBps = min(delay-based, loss-based)
//
// Pure: the caller passes times; nothing here allocates per packet.

import { newTwccInfo, parseTwcc, TWCC_DELTA_US, TWCC_REFERENCE_TIME_US, type TwccInfo } from "../rtcp/twcc.js";
import { AckedBitrateEstimator } from "./acked-bitrate-estimator.js";
import { AimdRateControl } from "./aimd-rate-control.js";
import { InterArrival, newGroupDelta } from "./inter-arrival.js";
import { LossBasedControl } from "./loss-based-control.js";
import { type BandwidthUsage, USAGE_NORMAL, USAGE_OVERUSING } from "./overuse-detector.js";
import { ProbeBitrateEstimator } from "./probe-bitrate-estimator.js";
import { type ProbeCluster, ProbeController } from "./probe-controller.js";
import { FEEDBACK_LOST, FEEDBACK_NONE, FEEDBACK_RECEIVED, SendHistory } from "./send-history.js";
import { TrendlineEstimator } from "./trendline-estimator.js";

export interface SendSideBweOptions {
  /** Default 300 kbps (libwebrtc's start rate). */
  startBps?: number;
  /**
   * Probe cluster length (default 30 ms). Longer probes cost more padding but are not
   * fooled by a token-bucket shaper whose burst absorbs a short one.
   */
  probeDurationMs?: number;
  /** Default 30 kbps. */
  minBps?: number;
  /** Default 10 Mbit/s. */
  maxBps?: number;
  /** Sent packets remembered, a power of two; default 8192 (several seconds at 10 Mbit/s). */
  historySize?: number;
}

const TICKS_PER_REFERENCE = TWCC_REFERENCE_TIME_US / TWCC_DELTA_US;
const MS_PER_TICK = TWCC_DELTA_US / 1000;
/** A packet reported lost is counted only once feedback covers packets sent this much later. */
const REORDER_WINDOW_MS = 50;
/**
 * A loss report covers at least 20 packets (libwebrtc kLimitNumPackets) and 500 ms, at most 1 s:
 * over fewer packets 5 % random loss often looks like > 10 % and would ratchet the rate down.
 */
const LOSS_MIN_PACKETS = 20;
const LOSS_MIN_INTERVAL_MS = 500;
const LOSS_MAX_INTERVAL_MS = 1000;
const INITIAL_RTT_MS = 100;

// Decoder output, shared: a feedback is processed to completion on one thread.
const scratchInfo = newTwccInfo();
const scratchStatus = new Uint8Array(0x10000);
const scratchDeltas = new Int16Array(0x10000);

export class SendSideBwe {
  private readonly history: SendHistory;
  private readonly interArrival = new InterArrival();
  private readonly trendline = new TrendlineEstimator();
  private readonly aimd: AimdRateControl;
  private readonly lossControl: LossBasedControl;
  private readonly acked = new AckedBitrateEstimator();
  private readonly probeEstimator = new ProbeBitrateEstimator();
  readonly probeController: ProbeController;
  private readonly groupDelta = newGroupDelta();
  private readonly minBps: number;
  private referenceExt = Number.NaN;
  private referenceRaw = 0;
  private settleCursor = -1;
  private settledExpected = 0;
  private settledLost = 0;
  private lastLossReportMs = Number.NaN;
  private latestAckedSendMs = Number.NEGATIVE_INFINITY;
  private rttSampled = false;
  /** Smoothed round trip (send → feedback), ms; includes the receiver's feedback interval. */
  rttMs = INITIAL_RTT_MS;
  /** Loss fraction of the last loss report (0..1). */
  lossFraction = 0;
  /** Detector state after the last feedback. */
  usage: BandwidthUsage = USAGE_NORMAL;
  /** Combined estimate, bps: what the allocator may spend. */
  estimateBps: number;
  /** Feedback packets that could not be parsed. */
  malformedFeedback = 0;

  constructor(options: SendSideBweOptions = {}) {
    const startBps = options.startBps ?? 300_000;
    this.minBps = options.minBps ?? 30_000;
    const maxBps = options.maxBps ?? 10_000_000;
    const limits = { startBps, minBps: this.minBps, maxBps };
    this.history = new SendHistory(options.historySize ?? 8192);
    this.aimd = new AimdRateControl(limits);
    this.lossControl = new LossBasedControl(limits);
    this.probeController = new ProbeController({ maxBps, durationMs: options.probeDurationMs ?? 30 });
    this.estimateBps = startBps;
  }

  get delayBasedBps(): number {
    return this.aimd.estimateBps;
  }

  get lossBasedBps(): number {
    return this.lossControl.estimateBps;
  }

  /** Acknowledged (received) bitrate, bps, NaN until known. */
  get ackedBps(): number {
    return this.acked.bps;
  }

  /** Per sent packet that carries transport-wide sequence number `twSeq`; `probeClusterId` -1 for media. */
  onPacketSent(twSeq: number, sendMs: number, size: number, probeClusterId = -1): void {
    const ext = this.history.add(twSeq, sendMs, size, probeClusterId);
    if (this.settleCursor < 0) this.settleCursor = ext;
    if (probeClusterId >= 0) this.probeEstimator.onSent(probeClusterId);
  }

  /** Parses one RTPFB FMT=15 packet and ingests it. Returns false if malformed. */
  onTransportFeedbackPacket(buf: Uint8Array, offset: number, length: number, nowMs: number): boolean {
    if (parseTwcc(buf, offset, length, scratchInfo, scratchStatus, scratchDeltas) < 0) {
      this.malformedFeedback++;
      return false;
    }
    this.onTransportFeedback(scratchInfo, scratchStatus, scratchDeltas, nowMs);
    return true;
  }

  /** Ingests decoded feedback (parseTwcc's output) and updates the estimate. */
  onTransportFeedback(info: TwccInfo, status: Uint8Array, deltas: Int16Array, nowMs: number): void {
    const history = this.history;
    if (history.highest < 0) return;
    let ticks = this.unwrapReference(info.referenceTime) * TICKS_PER_REFERENCE;
    let sawOveruse = false;
    let ackedAny = false;
    let probeBps = Number.NaN;
    let probeId = -1;
    let newestSendMs = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < info.statusCount; i++) {
      const received = status[i] !== 0;
      if (received) ticks += deltas[i];
      const slot = history.slotOf((info.baseSeq + i) & 0xffff);
      if (slot < 0) continue;
      const state = history.feedback[slot];
      if (!received) {
        if (state === FEEDBACK_NONE) history.feedback[slot] = FEEDBACK_LOST;
        continue;
      }
      if (state === FEEDBACK_RECEIVED) continue; // repeated report
      history.feedback[slot] = FEEDBACK_RECEIVED;
      ackedAny = true;
      const sendMs = history.sendMs[slot];
      const size = history.size[slot];
      const arrivalMs = ticks * MS_PER_TICK;
      if (sendMs > newestSendMs) newestSendMs = sendMs;
      this.acked.update(arrivalMs, size);
      const cluster = history.probeCluster[slot];
      if (cluster >= 0) {
        const r = this.probeEstimator.onAcked(cluster, sendMs, arrivalMs, size);
        if (!Number.isNaN(r) && (Number.isNaN(probeBps) || r > probeBps)) {
          probeBps = r;
          probeId = cluster;
        }
      }
      const d = this.groupDelta;
      if (this.interArrival.add(sendMs, arrivalMs, size, d)) {
        if (this.trendline.update(d.arrivalDeltaMs, d.sendDeltaMs, d.arrivalMs) === USAGE_OVERUSING) sawOveruse = true;
      }
    }
    if (!ackedAny) return;
    if (newestSendMs > this.latestAckedSendMs) {
      this.latestAckedSendMs = newestSendMs;
      const sample = Math.max(0, nowMs - newestSendMs);
      this.rttMs = this.rttSampled ? 0.875 * this.rttMs + 0.125 * sample : sample;
      this.rttSampled = true;
    }
    this.usage = sawOveruse ? USAGE_OVERUSING : this.trendline.detector.state;
    const delayBased = this.aimd.update(this.usage, this.acked.bps, this.rttMs, nowMs);
    if (!Number.isNaN(probeBps)) {
      this.probeController.onProbeResult(probeId, probeBps);
      if (this.usage !== USAGE_OVERUSING) {
        if (probeBps > delayBased) this.aimd.setEstimate(probeBps, nowMs);
        // The probe got through at this rate: lift a loss-based estimate held by random loss.
        if (this.lossFraction <= 0.1 && probeBps > this.lossControl.estimateBps)
          this.lossControl.reset(Math.min(probeBps, this.aimd.estimateBps));
      }
    }
    this.settleLoss(nowMs);
    this.estimateBps = Math.max(this.minBps, Math.min(this.aimd.estimateBps, this.lossControl.estimateBps));
  }

  /** Asks the probe controller whether to send a probe cluster now (see ProbeController.process). */
  takeProbe(nowMs: number, wantedBps: number): ProbeCluster | null {
    return this.probeController.process(nowMs, this.estimateBps, wantedBps);
  }

  /** Unwraps the 24-bit reference time (64 ms units, §3.1) across feedback packets. */
  private unwrapReference(raw: number): number {
    if (Number.isNaN(this.referenceExt)) this.referenceExt = raw;
    else {
      let diff = (raw - this.referenceRaw) & 0xffffff;
      if (diff >= 0x800000) diff -= 0x1000000;
      this.referenceExt += diff;
    }
    this.referenceRaw = raw;
    return this.referenceExt;
  }

  /** Counts received/lost for packets sent before the newest acked one minus the reorder window. */
  private settleLoss(nowMs: number): void {
    const history = this.history;
    const limit = this.latestAckedSendMs - REORDER_WINDOW_MS;
    let cursor = Math.max(this.settleCursor, history.highest - history.capacity + 1);
    for (; cursor <= history.highest; cursor++) {
      const slot = history.slotOfExtended(cursor);
      if (slot < 0) continue;
      if (history.sendMs[slot] > limit) break;
      const state = history.feedback[slot];
      if (state === FEEDBACK_RECEIVED) this.settledExpected++;
      else if (state === FEEDBACK_LOST) {
        this.settledExpected++;
        this.settledLost++;
      }
    }
    this.settleCursor = cursor;
    if (Number.isNaN(this.lastLossReportMs)) this.lastLossReportMs = nowMs;
    const elapsed = nowMs - this.lastLossReportMs;
    const enough =
      (this.settledExpected >= LOSS_MIN_PACKETS && elapsed >= LOSS_MIN_INTERVAL_MS) ||
      (this.settledExpected > 0 && elapsed >= LOSS_MAX_INTERVAL_MS);
    if (enough) {
      this.lossFraction = this.settledLost / this.settledExpected;
      this.lossControl.update(this.lossFraction, this.aimd.estimateBps, this.rttMs, nowMs);
      this.settledExpected = 0;
      this.settledLost = 0;
      this.lastLossReportMs = nowMs;
    } else {
      this.lossControl.cap(this.aimd.estimateBps);
    }
  }
}
