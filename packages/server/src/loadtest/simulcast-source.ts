// A simulcast video track (RFC 8853): one VideoSource per layer, each with its own SSRC,
// RTX SSRC, sequence numbers and timestamps, all fed from one frame cursor so they
// carry the same picture at the same time and have their keyframes together. The pacer
// drives the track as one source: libwebrtc paces every stream of a connection through
// one pacer at 2.5 × the total target bitrate.
//
// Dynacast: the SFU says which layers anyone watches (subscribedQualityUpdate); a layer
// nobody watches stops sending (RTCRtpSender encodings[i].active = false), and resumes
// with a keyframe when it is wanted again, as libwebrtc's encoder does for a stream
// that becomes active.

import type { SimulcastLayer } from "@relais/protocol";
import type { SimulcastClip } from "./clip.js";
import { FrameCursor } from "./frame-cursor.js";
import { PACING_FACTOR, type PacketSink, VideoSource } from "./media-source.js";
import type { PacedSource } from "./pacer.js";

export class SimulcastVideo implements PacedSource {
  readonly kind = "video";
  /** Lowest quality first, as announced in the publication's `layers`. */
  readonly layers: VideoSource[];
  /** The publication request's `layers`: rid and size of each stream. */
  readonly announced: SimulcastLayer[];
  readonly periodMs: number;
  readonly pacingBytesPerMs: number;
  nextDueMs = 0;
  /** Times a paused layer was resumed. */
  resumes = 0;
  private readonly cursor: FrameCursor;
  private readonly pausedSinceMs: Float64Array;
  private pausedTotalMs = 0;

  constructor(
    clips: SimulcastClip[],
    readonly mid: string,
  ) {
    this.cursor = FrameCursor.of(clips[0].clip);
    this.layers = clips.map((c) => new VideoSource({ clip: c.clip, mid, kbps: c.layer.kbps, rid: c.layer.rid, cursor: this.cursor }));
    this.announced = clips.map((c) => ({ rid: c.layer.rid, width: c.layer.width, height: c.layer.height }));
    this.periodMs = this.layers[0].periodMs;
    const kbps = clips.reduce((n, c) => n + c.layer.kbps, 0);
    this.pacingBytesPerMs = (PACING_FACTOR * kbps * 1000) / 8 / 1000;
    this.pausedSinceMs = new Float64Array(clips.length).fill(-1);
  }

  get rids(): string[] {
    return this.announced.map((l) => l.rid);
  }

  produceFrame(): void {
    const index = this.cursor.next();
    for (const l of this.layers) {
      if (l.paused) l.skipFrame();
      else l.packetize(index);
      // The pacer advances our nextDueMs after this call; the layers' SRs extrapolate from theirs.
      l.nextDueMs = this.nextDueMs + this.periodMs;
    }
  }

  get queued(): boolean {
    for (const l of this.layers) if (l.queued) return true;
    return false;
  }

  /** Lowest layer first: within one frame time that is the order the layers were packetized in. */
  drain(sink: PacketSink, budget: number): number {
    let sent = 0;
    for (const l of this.layers) {
      if (sent >= budget) break;
      if (l.queued) sent += l.drain(sink, budget - sent);
    }
    return sent;
  }

  /** Dynacast (subscribedQualityUpdate): pause the layers marked inactive, resume the active ones with a keyframe. Unknown rids are ignored. */
  setActive(layers: readonly { rid: string; active: boolean }[], nowMs: number): void {
    let resumed = false;
    for (const u of layers) {
      const i = this.layers.findIndex((l) => l.rid === u.rid);
      if (i < 0) continue;
      const l = this.layers[i];
      if (!u.active && !l.paused) {
        l.paused = true;
        this.pausedSinceMs[i] = nowMs;
      } else if (u.active && l.paused) {
        l.paused = false;
        this.pausedTotalMs += nowMs - this.pausedSinceMs[i];
        this.pausedSinceMs[i] = -1;
        this.resumes++;
        resumed = true;
      }
    }
    if (resumed) this.cursor.requestKeyframe();
  }

  /** Layer-milliseconds spent paused so far (a layer paused for 1 s and another for 2 s: 3000). */
  pausedMs(nowMs: number): number {
    let total = this.pausedTotalMs;
    for (const since of this.pausedSinceMs) if (since >= 0) total += nowMs - since;
    return total;
  }
}
