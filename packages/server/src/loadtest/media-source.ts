import { randomInt } from "node:crypto";
import { writeRtxPacket } from "../media/rtp/packet.js";
import { type AudioClip, VIDEO_FPS, type VideoClip } from "./clip.js";
import { FrameCursor } from "./frame-cursor.js";
import { SendLog } from "./latency.js";
import {
  buildRtp,
  EXT_REPAIRED_RID,
  headerTemplate,
  MAX_RTP_PACKET,
  PT_OPUS,
  PT_RTX,
  PT_VP8,
  ridElementOffset,
  vp8Payloads,
} from "./packetize.js";

const VIDEO_CLOCK = 90_000;
const AUDIO_CLOCK = 48_000;
const AUDIO_FRAME_MS = 20;
/** Sent packets kept for NACKs (RFC 4588 retransmission), like a browser's send history. */
const RTX_HISTORY = 1024;

/** Where a source's packets go: SRTP-protect and send. */
export type PacketSink = (plain: Buffer) => void;

/** libwebrtc's pacer sends video at 2.5 × the target bitrate (kDefaultPaceMultiplier), audio unpaced. */
export const PACING_FACTOR = 2.5;

interface Queued {
  packet: Buffer;
  seq: number;
  timestamp: number;
  frameStart: boolean;
  keyframe: boolean;
}

/**
 * One published track playing a clip in a loop at real pacing: frames are due at
 * the frame rate; their packets are queued and leave at the pacing rate, as a
 * browser's pacer sends them. Timestamps and sequence numbers continue across
 * loops, as a live encoder's would.
 */
export interface MediaSource {
  readonly kind: "audio" | "video";
  readonly mid: string;
  readonly ssrc: number;
  readonly rtxSsrc: number | null;
  readonly log: SendLog;
  readonly periodMs: number;
  /** When the next frame is due (performance.now() clock). */
  nextDueMs: number;
  packetsSent: number;
  octetsSent: number;
  /** RTP timestamp of the last frame sent. */
  lastTimestamp: number;
  /** Bytes per millisecond the pacer lets out (Infinity: unpaced). */
  readonly pacingBytesPerMs: number;
  /** A simulcast stream that dynacast paused: it sends nothing, not even SRs. */
  readonly paused: boolean;
  /** Packetizes the next frame into the send queue. */
  produceFrame(): void;
  /** Whether packets wait in the send queue. */
  readonly queued: boolean;
  /** Sends queued packets while `budget` (bytes) lasts — the last one may overdraw it; returns the bytes sent. */
  drain(sink: PacketSink, budget: number): number;
  /** Answers a NACK for `seq` (an RTX packet when negotiated), or null when it is no longer cached. */
  retransmission(seq: number): Buffer | null;
  /** A PLI/FIR arrived: the next frame sent is a keyframe. */
  requestKeyframe(): void;
  keyframesSent: number;
}

export interface VideoSourceOptions {
  clip: VideoClip;
  mid: string;
  /** The encoder's target bitrate, which sets the pacing rate. */
  kbps: number;
  /** Simulcast: the rid this stream carries in RFC 8852 header extensions. */
  rid?: string;
  /** Simulcast: the frame cursor shared by every layer of the track (default: its own). */
  cursor?: FrameCursor;
}

export class VideoSource implements MediaSource {
  readonly kind = "video";
  readonly ssrc = randomInt(1, 0xffffffff);
  readonly rtxSsrc = randomInt(1, 0xffffffff);
  readonly log: SendLog;
  readonly periodMs = 1000 / VIDEO_FPS;
  readonly mid: string;
  readonly rid: string | null;
  nextDueMs = 0;
  packetsSent = 0;
  octetsSent = 0;
  keyframesSent = 0;
  lastTimestamp: number;
  paused = false;
  private seq = randomInt(0, 0x8000);
  private rtxSeq = randomInt(0, 0x8000);
  private timestamp = randomInt(0, 0x7fffffff);
  private pictureId = randomInt(0, 0x7fff);
  private readonly clip: VideoClip;
  private readonly cursor: FrameCursor;
  private readonly template: Buffer;
  /** RTX copies of a simulcast stream name the rid they repair (RFC 8852 §3.2): the rid element's ID byte to patch, or -1. */
  private readonly ridIdAt: number;
  private readonly history: (Buffer | null)[] = new Array(RTX_HISTORY).fill(null);
  private queue: Queued[] = [];
  private queueHead = 0;
  readonly pacingBytesPerMs: number;

  constructor(o: VideoSourceOptions) {
    this.clip = o.clip;
    this.mid = o.mid;
    this.rid = o.rid ?? null;
    this.cursor = o.cursor ?? FrameCursor.of(o.clip);
    this.pacingBytesPerMs = (PACING_FACTOR * o.kbps * 1000) / 8 / 1000;
    this.template = headerTemplate(PT_VP8, this.ssrc, { mid: o.mid, audioLevel: false, ...(o.rid !== undefined ? { rid: o.rid } : {}) });
    this.ridIdAt = o.rid !== undefined ? ridElementOffset(o.mid) : -1;
    this.log = new SendLog(this.timestamp, VIDEO_CLOCK / VIDEO_FPS);
    this.lastTimestamp = this.timestamp;
  }

  requestKeyframe(): void {
    this.cursor.requestKeyframe();
  }

  get queued(): boolean {
    return this.queueHead < this.queue.length;
  }

  drain(sink: PacketSink, budget: number): number {
    let sent = 0;
    const q = this.queue;
    while (this.queueHead < q.length && sent < budget) {
      const e = q[this.queueHead++];
      this.log.record(e.seq, e.timestamp, performance.now(), e.frameStart);
      if (e.keyframe) this.log.recordKeyframe(e.seq, e.timestamp);
      this.packetsSent++;
      this.octetsSent += e.packet.length - this.template.length;
      sent += e.packet.length;
      sink(e.packet);
    }
    if (this.queueHead === q.length) {
      this.queue = [];
      this.queueHead = 0;
    }
    return sent;
  }

  produceFrame(): void {
    this.packetize(this.cursor.next());
  }

  /** Packetizes clip frame `index` into the send queue (a simulcast track calls this per layer with one shared index). */
  packetize(index: number): void {
    const clip = this.clip;
    const keyframe = clip.keyframes[index];
    if (keyframe) this.keyframesSent++;
    const ts = this.timestamp;
    const parts = vp8Payloads(clip.frames[index], this.pictureId, MAX_RTP_PACKET - this.template.length);
    for (let i = 0; i < parts.length; i++) {
      const seq = this.seq;
      this.seq = (this.seq + 1) & 0xffff;
      const p = parts[i];
      const packet = buildRtp(this.template, i === parts.length - 1, seq, ts, [p.descriptor, p.data]);
      this.history[seq % RTX_HISTORY] = packet;
      this.queue.push({ packet, seq, timestamp: ts, frameStart: i === 0, keyframe: keyframe && i === 0 });
    }
    this.lastTimestamp = ts;
    this.advanceTimestamp();
    this.pictureId = (this.pictureId + 1) & 0x7fff;
  }

  /** A frame time passes without this stream sending (dynacast paused it): its clock runs on, its sequence numbers do not. */
  skipFrame(): void {
    this.advanceTimestamp();
  }

  private advanceTimestamp(): void {
    this.timestamp = (this.timestamp + VIDEO_CLOCK / VIDEO_FPS) >>> 0;
  }

  retransmission(seq: number): Buffer | null {
    const original = this.history[seq % RTX_HISTORY];
    if (!original || original.readUInt16BE(2) !== seq) return null;
    const out = Buffer.allocUnsafe(original.length + 2);
    const n = writeRtxPacket(out, 0, original, original.length, PT_RTX, this.rtxSsrc, this.rtxSeq);
    this.rtxSeq = (this.rtxSeq + 1) & 0xffff;
    if (n <= 0) return null;
    // Same length, other ID: the rid element becomes a repaired-rid one (RFC 8852 §3.2).
    if (this.ridIdAt >= 0) out[this.ridIdAt] = (EXT_REPAIRED_RID << 4) | (out[this.ridIdAt] & 0x0f);
    return out;
  }
}

export class AudioSource implements MediaSource {
  readonly kind = "audio";
  readonly ssrc = randomInt(1, 0xffffffff);
  readonly rtxSsrc = null;
  readonly paused = false;
  readonly log: SendLog;
  readonly periodMs = AUDIO_FRAME_MS;
  nextDueMs = 0;
  packetsSent = 0;
  octetsSent = 0;
  keyframesSent = 0;
  lastTimestamp: number;
  private seq = randomInt(0, 0x8000);
  private timestamp = randomInt(0, 0x7fffffff);
  private index = 0;
  private talking = false;
  private readonly template: Buffer;
  /** Frames produced but not sent: more than one when the timer ran late (sent late, never dropped, as a browser would). */
  private readonly pending: Queued[] = [];
  readonly pacingBytesPerMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clip: AudioClip,
    readonly mid: string,
  ) {
    this.template = headerTemplate(PT_OPUS, this.ssrc, { mid, audioLevel: true });
    this.log = new SendLog(this.timestamp, (AUDIO_CLOCK * AUDIO_FRAME_MS) / 1000);
    this.lastTimestamp = this.timestamp;
  }

  requestKeyframe(): void {}

  get queued(): boolean {
    return this.pending.length > 0;
  }

  drain(sink: PacketSink): number {
    let sent = 0;
    for (const e of this.pending) {
      this.log.record(e.seq, e.timestamp, performance.now(), true);
      this.packetsSent++;
      this.octetsSent += e.packet.length - this.template.length;
      sink(e.packet);
      sent += e.packet.length;
    }
    this.pending.length = 0;
    return sent;
  }

  produceFrame(): void {
    const payload = this.clip.packets[this.index];
    this.index = (this.index + 1) % this.clip.packets.length;
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    const ts = this.timestamp;
    // RFC 7587 §4.2: the marker bit flags the first packet of a talkspurt; we never stop talking.
    const packet = buildRtp(this.template, !this.talking, seq, ts, [payload]);
    this.talking = true;
    this.pending.push({ packet, seq, timestamp: ts, frameStart: true, keyframe: false });
    this.lastTimestamp = ts;
    this.timestamp = (this.timestamp + (AUDIO_CLOCK * AUDIO_FRAME_MS) / 1000) >>> 0;
  }

  retransmission(): Buffer | null {
    return null; // Opus is not retransmitted (no nack feedback for audio)
  }
}

export const CLOCK_RATE = { audio: AUDIO_CLOCK, video: VIDEO_CLOCK } as const;
