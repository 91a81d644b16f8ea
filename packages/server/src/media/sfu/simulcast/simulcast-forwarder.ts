import { VideoCodec, type VideoCodecId } from "./codec-keyframe.js";
import { MungeOutcome, RtpMunger } from "./rtp-munger.js";
import { parseVp8Descriptor, Vp8Descriptor } from "./vp8-descriptor.js";
import { Vp8Munger } from "./vp8-munger.js";

/** What `onPacket()` decided. */
export const ForwardDecision = {
  DROP: 0,
  /** Send it: `outSequence`/`outTimestamp` and `rewritePayload()` give the rewritten fields. */
  FORWARD: 1,
  /** Send it; it is the keyframe that made `currentLayer` change. */
  SWITCHED: 2,
} as const;

export interface SimulcastForwarderOptions {
  /** Codec of the track (from videoCodecOf); VP8 gets its payload descriptor rewritten. */
  codec: VideoCodecId | 0;
  clockRate: number;
  /** Number of simulcast layers the track has. */
  layers: number;
  /** Ask the publisher for a keyframe on `layer` (PLI/FIR on that layer's SSRC). Throttled here. */
  requestKeyframe: (layer: number, nowMs: number) => void;
  /** Minimum gap between two requests for the same layer (default 500 ms, as Producer). */
  keyframeRequestIntervalMs?: number;
  /** A layer with no packet for this long is considered stopped (default 1000 ms). */
  liveTimeoutMs?: number;
  /** Outgoing packets remembered for NACKs (default 1024). */
  historySize?: number;
  initialSequence?: number;
  initialTimestamp?: number;
}

/**
 * One consumer's view of a simulcast track: forwards exactly one layer at a time and
 * switches only at a keyframe, keeping sequence numbers, timestamps and VP8 picture ids
 * continuous (RtpMunger, Vp8Munger). Per packet it reads a few header bytes, allocates
 * nothing and calls no closure unless a keyframe request is due.
 *
 *   packet of layer L ──► L = current ─────────────────────────► munge, FORWARD
 *                         L ≠ current, keyframe, L on the way
 *                           from current to target (incl.)  ───► switch, munge, SWITCHED
 *                         otherwise ─────────────────────────► DROP (ask target for a keyframe)
 */
export class SimulcastForwarder {
  /** Layer being forwarded, -1 if none (start, paused). */
  currentLayer = -1;
  /** Layer we want; -1 = paused. */
  targetLayer = -1;
  /** Number of layer switches made. */
  switches = 0;
  readonly munger: RtpMunger;
  private readonly vp8: Vp8Munger | null;
  private readonly descriptor = new Vp8Descriptor();
  private readonly retransmitDescriptor = new Vp8Descriptor();
  private readonly requestKeyframe: (layer: number, nowMs: number) => void;
  private readonly keyframeIntervalMs: number;
  private readonly liveTimeoutMs: number;
  private readonly lastPacketMs: Float64Array;
  private readonly lastKeyframeRequestMs: Float64Array;

  constructor(options: SimulcastForwarderOptions) {
    this.munger = new RtpMunger(options);
    this.vp8 = options.codec === VideoCodec.VP8 ? new Vp8Munger() : null;
    this.requestKeyframe = options.requestKeyframe;
    this.keyframeIntervalMs = options.keyframeRequestIntervalMs ?? 500;
    this.liveTimeoutMs = options.liveTimeoutMs ?? 1000;
    this.lastPacketMs = new Float64Array(options.layers).fill(Number.NEGATIVE_INFINITY);
    this.lastKeyframeRequestMs = new Float64Array(options.layers).fill(Number.NEGATIVE_INFINITY);
  }

  /** Rewritten sequence number of the last forwarded packet. */
  get outSequence(): number {
    return this.munger.outSequence;
  }

  /** Rewritten timestamp of the last forwarded packet. */
  get outTimestamp(): number {
    return this.munger.outTimestamp;
  }

  /** Sets the layer to converge to (-1 pauses at once); requests its keyframe if it is not the current one. */
  setTargetLayer(layer: number, nowMs: number): void {
    if (layer >= this.lastPacketMs.length) layer = this.lastPacketMs.length - 1;
    this.targetLayer = layer;
    if (layer < 0) this.currentLayer = -1;
    else if (layer !== this.currentLayer) this.askKeyframe(layer, nowMs);
  }

  /**
   * Decides for one packet of `layer`: `payloadOffset`/`payloadEnd` delimit its payload
   * (padding excluded); `isKeyframe` is codec-keyframe's verdict, computed once per packet
   * by the producer for all its consumers.
   */
  onPacket(layer: number, packet: Uint8Array, payloadOffset: number, payloadEnd: number, isKeyframe: boolean, nowMs: number): number {
    if (layer < 0 || layer >= this.lastPacketMs.length) return ForwardDecision.DROP;
    this.lastPacketMs[layer] = nowMs;
    const target = this.targetLayer;
    if (target < 0) return ForwardDecision.DROP;
    const seq = (packet[2] << 8) | packet[3];
    const ts = ((packet[4] << 24) | (packet[5] << 16) | (packet[6] << 8) | packet[7]) >>> 0;
    let switched = false;
    if (layer !== this.currentLayer) {
      if (!isKeyframe || !this.isOnTheWay(layer)) {
        if (layer === target) this.askKeyframe(layer, nowMs);
        return ForwardDecision.DROP;
      }
      if (this.vp8 !== null && !parseVp8Descriptor(packet, payloadOffset, payloadEnd, this.descriptor)) return ForwardDecision.DROP;
      this.munger.switchSource(layer, seq, ts, nowMs);
      this.vp8?.switchSource(this.descriptor, this.munger.epoch);
      this.currentLayer = layer;
      this.switches++;
      switched = true;
    } else if (payloadOffset >= payloadEnd) {
      this.munger.skip(seq); // padding-only probe: the publisher's BWE business, not the subscriber's
      return ForwardDecision.DROP;
    } else if (this.vp8 !== null && !parseVp8Descriptor(packet, payloadOffset, payloadEnd, this.descriptor)) {
      return ForwardDecision.DROP;
    }
    const outcome = this.munger.map(seq, ts, nowMs);
    if (outcome < 0) return ForwardDecision.DROP;
    this.vp8?.munge(this.descriptor, outcome === MungeOutcome.NEWEST);
    return switched ? ForwardDecision.SWITCHED : ForwardDecision.FORWARD;
  }

  /**
   * Writes the codec fields of the last forwarded packet (VP8 PictureID, TL0PICIDX, KEYIDX)
   * into the consumer's copy of its payload, which starts at `payloadOffset` of `out`.
   * Never touch the producer's buffer: it is cached and shared by every consumer.
   */
  rewritePayload(out: Uint8Array, payloadOffset: number): void {
    this.vp8?.write(out, payloadOffset, this.descriptor);
  }

  /**
   * For a subscriber NACK of our `outSeq`: on true, fetch packet `munger.lookupSequence` from
   * layer `munger.lookupLayer`'s cache, send it with sequence `outSeq` and timestamp
   * (its timestamp + `munger.lookupTimestampOffset`) >>> 0, then call rewriteRetransmissionPayload().
   */
  prepareRetransmission(outSeq: number): boolean {
    return this.munger.lookup(outSeq);
  }

  /** Rewrites the copied payload of a retransmission prepared above; false if it cannot be (drop it). */
  rewriteRetransmissionPayload(out: Uint8Array, payloadOffset: number, payloadEnd: number): boolean {
    if (this.vp8 === null) return true;
    const d = this.retransmitDescriptor;
    if (!parseVp8Descriptor(out, payloadOffset, payloadEnd, d)) return false;
    if (!this.vp8.mungeForEpoch(d, this.munger.lookupEpoch)) return false;
    this.vp8.write(out, payloadOffset, d);
    return true;
  }

  /** Packets of `layer` arrived within the live timeout. */
  isLive(layer: number, nowMs: number): boolean {
    return layer >= 0 && layer < this.lastPacketMs.length && nowMs - this.lastPacketMs[layer] <= this.liveTimeoutMs;
  }

  /**
   * Periodic work (every ~100–500 ms): if the target layer stopped, fall back to the best
   * live layer (highest below it, else lowest above); keep asking for the target's keyframe.
   */
  tick(nowMs: number): void {
    const target = this.targetLayer;
    if (target < 0) return;
    if (!this.isLive(target, nowMs)) {
      let fallback = -1;
      for (let i = target - 1; i >= 0 && fallback < 0; i--) if (this.isLive(i, nowMs)) fallback = i;
      for (let i = target + 1; i < this.lastPacketMs.length && fallback < 0; i++) if (this.isLive(i, nowMs)) fallback = i;
      if (fallback < 0) return;
      this.targetLayer = fallback;
    }
    if (this.targetLayer !== this.currentLayer) this.askKeyframe(this.targetLayer, nowMs);
  }

  /** May a keyframe of `layer` become current: between current (excluded) and target (included)? */
  private isOnTheWay(layer: number): boolean {
    const current = this.currentLayer;
    const target = this.targetLayer;
    if (current < 0 || !this.isLive(current, this.lastPacketMs[layer])) return layer <= target;
    return target > current ? layer > current && layer <= target : layer < current && layer >= target;
  }

  private askKeyframe(layer: number, nowMs: number): void {
    if (nowMs - this.lastKeyframeRequestMs[layer] < this.keyframeIntervalMs) return;
    this.lastKeyframeRequestMs[layer] = nowMs;
    this.requestKeyframe(layer, nowMs);
  }
}
