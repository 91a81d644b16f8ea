// Delay-based rate controller (draft-ietf-rmcat-gcc-02 §5.5; libwebrtc AimdRateControl):
//
//   signal \ state   Hold        Increase     Decrease
//   over-use         Decrease    Decrease     Decrease
//   normal           Increase    Increase     Hold
//   under-use        Hold        Hold         Hold
//
// Increase: ×1.08 per second far from the link capacity, about one packet per response time
// near it. Decrease: to β = 0.85 × the acknowledged bitrate. Never more than 1.5 × acked.

import { LinkCapacityEstimator } from "./link-capacity-estimator.js";
import { type BandwidthUsage, USAGE_NORMAL, USAGE_OVERUSING } from "./overuse-detector.js";

const BETA = 0.85;
const MULTIPLICATIVE_RATE_PER_SECOND = 1.08;
const MIN_ADDITIVE_BPS_PER_SECOND = 4000;
const ASSUMED_FPS = 30;
const MTU_BITS = 1200 * 8;
const MAX_UPDATE_GAP_MS = 1000;

const HOLD = 0;
const INCREASE = 1;
const DECREASE = 2;
type RateControlState = typeof HOLD | typeof INCREASE | typeof DECREASE;

export interface AimdRateControlOptions {
  startBps: number;
  minBps: number;
  maxBps: number;
}

export class AimdRateControl {
  readonly linkCapacity = new LinkCapacityEstimator();
  private state: RateControlState = HOLD;
  private lastUpdateMs = Number.NaN;
  /** Current delay-based estimate, bps. */
  estimateBps: number;
  /** Whether an over-use has happened yet (before that, start-up probing owns the ramp). */
  hadOveruse = false;

  constructor(private readonly o: AimdRateControlOptions) {
    this.estimateBps = o.startBps;
  }

  /** One detector verdict with the acknowledged bitrate (NaN if unknown) and round-trip time. */
  update(usage: BandwidthUsage, ackedBps: number, rttMs: number, nowMs: number): number {
    this.transition(usage);
    const dtMs = Number.isNaN(this.lastUpdateMs) ? 0 : Math.min(Math.max(nowMs - this.lastUpdateMs, 0), MAX_UPDATE_GAP_MS);
    this.lastUpdateMs = nowMs;
    let next = this.estimateBps;
    if (this.state === INCREASE) {
      if (!Number.isNaN(ackedBps) && ackedBps > this.linkCapacity.upperBoundBps) this.linkCapacity.reset();
      const increase = this.linkCapacity.known ? this.additiveIncrease(dtMs, rttMs) : this.multiplicativeIncrease(dtMs);
      next += increase;
      // Do not run ahead of what the path demonstrably carries (libwebrtc: 1.5 × throughput + 10 kbps).
      if (!Number.isNaN(ackedBps)) next = Math.max(Math.min(next, 1.5 * ackedBps + 10_000), Math.min(this.estimateBps, next));
    } else if (this.state === DECREASE) {
      if (!Number.isNaN(ackedBps)) {
        let decreased = BETA * ackedBps;
        if (decreased > this.estimateBps && this.linkCapacity.known) decreased = BETA * this.linkCapacity.estimateBps;
        if (decreased < this.estimateBps) next = decreased;
        if (ackedBps < this.linkCapacity.lowerBoundBps) this.linkCapacity.reset();
        this.linkCapacity.onOveruse(ackedBps);
      } else {
        next = BETA * this.estimateBps;
      }
      this.hadOveruse = true;
      this.state = HOLD; // one decrease per over-use episode
    }
    this.estimateBps = Math.min(this.o.maxBps, Math.max(this.o.minBps, next));
    return this.estimateBps;
  }

  /** Jumps to a measured rate (a probe result); the caller decides when that is an improvement. */
  setEstimate(bps: number, nowMs: number): void {
    this.estimateBps = Math.min(this.o.maxBps, Math.max(this.o.minBps, bps));
    this.lastUpdateMs = nowMs;
  }

  private transition(usage: BandwidthUsage): void {
    if (usage === USAGE_OVERUSING) this.state = DECREASE;
    else if (usage === USAGE_NORMAL) {
      if (this.state === HOLD) this.state = INCREASE;
      else if (this.state === DECREASE) this.state = HOLD;
    } else this.state = HOLD;
  }

  private multiplicativeIncrease(dtMs: number): number {
    const alpha = MULTIPLICATIVE_RATE_PER_SECOND ** Math.min(dtMs / 1000, 1);
    return Math.max(this.estimateBps * (alpha - 1), dtMs > 0 ? 1000 : 0);
  }

  /** About one average packet per response time (RTT + 100 ms), gcc-02 §5.5. */
  private additiveIncrease(dtMs: number, rttMs: number): number {
    const bitsPerFrame = this.estimateBps / ASSUMED_FPS;
    const packetsPerFrame = Math.ceil(bitsPerFrame / MTU_BITS);
    const packetBits = bitsPerFrame / packetsPerFrame;
    const responseS = (rttMs + 100) / 1000;
    const perSecond = Math.max(MIN_ADDITIVE_BPS_PER_SECOND, packetBits / responseS);
    return (perSecond * dtMs) / 1000;
  }
}
