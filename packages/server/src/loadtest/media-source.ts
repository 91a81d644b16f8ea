import { randomInt } from "node:crypto";
import { writeRtxPacket } from "../media/rtp/packet.js";
import { type AudioClip, VIDEO_FPS, type VideoClip } from "./clip.js";
import { SendLog } from "./latency.js";
import { buildRtp, headerTemplate, MAX_RTP_PACKET, PT_OPUS, PT_RTX, PT_VP8, vp8Payloads } from "./packetize.js";

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

export class VideoSource implements MediaSource {
  readonly kind = "video";
  readonly ssrc = randomInt(1, 0xffffffff);
  readonly rtxSsrc = randomInt(1, 0xffffffff);
  readonly log: SendLog;
  readonly periodMs = 1000 / VIDEO_FPS;
  nextDueMs = 0;
  packetsSent = 0;
  octetsSent = 0;
  keyframesSent = 0;
  lastTimestamp: number;
  private seq = randomInt(0, 0x8000);
  private rtxSeq = randomInt(0, 0x8000);
  private timestamp = randomInt(0, 0x7fffffff);
  private pictureId = randomInt(0, 0x7fff);
  private frame = 0;
  private keyframeWanted = false;
  private readonly template: Buffer;
  private readonly history: (Buffer | null)[] = new Array(RTX_HISTORY).fill(null);
  private queue: Queued[] = [];
  private queueHead = 0;
  readonly pacingBytesPerMs: number;

  /** `kbps`: the encoder's target bitrate, which sets the pacing rate. */
  constructor(
    private readonly clip: VideoClip,
    readonly mid: string,
    kbps: number,
  ) {
    this.pacingBytesPerMs = (PACING_FACTOR * kbps * 1000) / 8 / 1000;
    this.template = headerTemplate(PT_VP8, this.ssrc, mid, false);
    this.log = new SendLog(this.timestamp, VIDEO_CLOCK / VIDEO_FPS);
    this.lastTimestamp = this.timestamp;
  }

  requestKeyframe(): void {
    this.keyframeWanted = true;
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
    const clip = this.clip;
    if (this.keyframeWanted) {
      // An encoder answers a PLI with a keyframe; we jump to the clip's next one (decodable from there on).
      this.keyframeWanted = false;
      let i = this.frame;
      while (!clip.keyframes[i % clip.frames.length] && i < this.frame + clip.frames.length) i++;
      this.frame = i % clip.frames.length;
    }
    const index = this.frame;
    this.frame = (this.frame + 1) % clip.frames.length;
    if (clip.keyframes[index]) this.keyframesSent++;
    const ts = this.timestamp;
    const parts = vp8Payloads(clip.frames[index], this.pictureId, MAX_RTP_PACKET - this.template.length);
    for (let i = 0; i < parts.length; i++) {
      const seq = this.seq;
      this.seq = (this.seq + 1) & 0xffff;
      const p = parts[i];
      const packet = buildRtp(this.template, i === parts.length - 1, seq, ts, [p.descriptor, p.data]);
      this.history[seq % RTX_HISTORY] = packet;
      this.queue.push({ packet, seq, timestamp: ts, frameStart: i === 0 });
    }
    this.lastTimestamp = ts;
    this.timestamp = (this.timestamp + VIDEO_CLOCK / VIDEO_FPS) >>> 0;
    this.pictureId = (this.pictureId + 1) & 0x7fff;
  }

  retransmission(seq: number): Buffer | null {
    const original = this.history[seq % RTX_HISTORY];
    if (!original || original.readUInt16BE(2) !== seq) return null;
    const out = Buffer.allocUnsafe(original.length + 2);
    const n = writeRtxPacket(out, 0, original, original.length, PT_RTX, this.rtxSsrc, this.rtxSeq);
    this.rtxSeq = (this.rtxSeq + 1) & 0xffff;
    return n > 0 ? out : null;
  }
}

export class AudioSource implements MediaSource {
  readonly kind = "audio";
  readonly ssrc = randomInt(1, 0xffffffff);
  readonly rtxSsrc = null;
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
  private readonly template: Buffer;
  private pending: Queued | null = null;
  readonly pacingBytesPerMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clip: AudioClip,
    readonly mid: string,
  ) {
    this.template = headerTemplate(PT_OPUS, this.ssrc, mid, true);
    this.log = new SendLog(this.timestamp, (AUDIO_CLOCK * AUDIO_FRAME_MS) / 1000);
    this.lastTimestamp = this.timestamp;
  }

  requestKeyframe(): void {}

  get queued(): boolean {
    return this.pending !== null;
  }

  drain(sink: PacketSink): number {
    const e = this.pending;
    if (e === null) return 0;
    this.pending = null;
    this.log.record(e.seq, e.timestamp, performance.now(), true);
    this.packetsSent++;
    this.octetsSent += e.packet.length - this.template.length;
    sink(e.packet);
    return e.packet.length;
  }

  produceFrame(): void {
    const payload = this.clip.packets[this.index];
    this.index = (this.index + 1) % this.clip.packets.length;
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    const ts = this.timestamp;
    // RFC 7587 §4.2: the marker bit flags the first packet of a talkspurt; we never stop talking.
    const packet = buildRtp(this.template, this.packetsSent === 0, seq, ts, [payload]);
    this.pending = { packet, seq, timestamp: ts, frameStart: true };
    this.lastTimestamp = ts;
    this.timestamp = (this.timestamp + (AUDIO_CLOCK * AUDIO_FRAME_MS) / 1000) >>> 0;
  }

  retransmission(): Buffer | null {
    return null; // Opus is not retransmitted (no nack feedback for audio)
  }
}

export const CLOCK_RATE = { audio: AUDIO_CLOCK, video: VIDEO_CLOCK } as const;
