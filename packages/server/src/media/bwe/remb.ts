// REMB (draft-alvestrand-rmcat-remb-03), both ways:
// - from subscribers that negotiated goog-remb instead of transport-cc, their receive-side
//   estimate is our send budget toward them (RembEstimate);
// - toward publishers, we announce what our subscribers need of them (publisherRembBps) rather
//   than a fixed cap, so an encoder does not spend uplink on layers nobody watches.

import { readRembBitrate } from "../rtcp/feedback.js";

export interface RembEstimateOptions {
  startBps?: number;
  minBps?: number;
  maxBps?: number;
}

/** A subscriber's REMB as its bandwidth estimate (clamped; the latest value wins, as in libwebrtc). */
export class RembEstimate {
  estimateBps: number;
  /** When the last REMB arrived, NaN before the first. */
  lastUpdateMs = Number.NaN;
  private readonly minBps: number;
  private readonly maxBps: number;

  constructor(o: RembEstimateOptions = {}) {
    this.minBps = o.minBps ?? 30_000;
    this.maxBps = o.maxBps ?? 10_000_000;
    this.estimateBps = o.startBps ?? 300_000;
  }

  /** One RTCP packet (PSFB FMT=15) from the subscriber; returns true if it was a well-formed REMB. */
  onRtcp(buf: Uint8Array, offset: number, length: number, nowMs: number): boolean {
    const bps = readRembBitrate(buf, offset, length);
    if (bps < 0) return false;
    this.estimateBps = Math.min(this.maxBps, Math.max(this.minBps, bps));
    this.lastUpdateMs = nowMs;
    return true;
  }
}

/** What subscribers want of one published video track. */
export interface PublisherTrackDemand {
  /** Bitrate of each layer, lowest first: its configured maxBitrate, or measured if unknown. */
  layerBps: readonly number[];
  /** Highest layer any subscriber wants (max of their allocator targets), -1 if none. */
  maxWantedLayer: number;
  /** Layers are cumulative (SVC: layer i contains the ones below); simulcast layers add up. */
  svc?: boolean;
}

export interface PublisherRembOptions {
  /** Never announce less (keeps the lowest layer alive for new subscribers). Default 150 kbps. */
  minBps?: number;
  /** Never announce more. Default 10 Mbit/s. */
  maxBps?: number;
  /** Margin over the sum so the encoder is not starved by its own rate control. Default 1.15. */
  headroom?: number;
}

/**
 * The bitrate to announce in our REMB to a publisher: per track, the layers up to the highest
 * one wanted (a simulcast encoder sends all lower layers too), times the headroom. Pure.
 */
export function publisherRembBps(tracks: readonly PublisherTrackDemand[], options: PublisherRembOptions = {}): number {
  const minBps = options.minBps ?? 150_000;
  const maxBps = options.maxBps ?? 10_000_000;
  const headroom = options.headroom ?? 1.15;
  let total = 0;
  for (const t of tracks) {
    const top = Math.min(t.maxWantedLayer, t.layerBps.length - 1);
    if (top < 0) {
      total += t.layerBps.length > 0 ? t.layerBps[0] : 0; // nobody watches: the lowest layer only
      continue;
    }
    if (t.svc) total += t.layerBps[top];
    else for (let i = 0; i <= top; i++) total += t.layerBps[i];
  }
  return Math.round(Math.min(maxBps, Math.max(minBps, total * headroom)));
}
