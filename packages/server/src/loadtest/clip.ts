// Test media for publishers: encoded once with the machine's ffmpeg, cached, then only read.
//
// IVF (VP8): 32-byte file header "DKIF", then per frame a 12-byte header
//   | frame size (u32 LE) | presentation timestamp (u64 LE) | frame bytes ... |
// Ogg (Opus, RFC 7845): pages "OggS" with a segment table; a packet ends at the first
//   segment shorter than 255 bytes. Packet 0 is OpusHead, packet 1 OpusTags, then one
//   Opus packet (here 20 ms) each.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type SimulcastLayerPlan, simulcastPlan } from "./simulcast-plan.js";

export type Resolution = "720p" | "360p" | "180p";

/** Encoder settings per resolution: roughly what a browser sends for that size without simulcast. */
export const RESOLUTIONS: Record<Resolution, { width: number; height: number; kbps: number }> = {
  "720p": { width: 1280, height: 720, kbps: 1500 },
  "360p": { width: 640, height: 360, kbps: 600 },
  "180p": { width: 320, height: 180, kbps: 200 },
};

export const VIDEO_FPS = 30;
/** Keyframe interval of the clip, in frames (2 s). */
export const VIDEO_GOP = 60;
export const CLIP_SECONDS = 10;

export interface VideoClip {
  frames: Buffer[];
  /** Index i is true when frames[i] is a keyframe (VP8 frame tag P bit = 0, RFC 6386 §9.1). */
  keyframes: boolean[];
}

export interface AudioClip {
  /** Opus packets of 20 ms each. */
  packets: Buffer[];
}

export function parseIvf(buf: Buffer): VideoClip {
  if (buf.length < 32 || buf.toString("ascii", 0, 4) !== "DKIF") throw new Error("not an IVF file");
  const headerLength = buf.readUInt16LE(6);
  const frames: Buffer[] = [];
  const keyframes: boolean[] = [];
  let o = headerLength;
  while (o + 12 <= buf.length) {
    const size = buf.readUInt32LE(o);
    const start = o + 12;
    if (size === 0 || start + size > buf.length) break;
    const frame = buf.subarray(start, start + size);
    frames.push(frame);
    keyframes.push((frame[0] & 0x01) === 0);
    o = start + size;
  }
  if (frames.length === 0) throw new Error("IVF file holds no frames");
  return { frames, keyframes };
}

export function parseOggOpus(buf: Buffer): AudioClip {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let o = 0;
  while (o + 27 <= buf.length) {
    if (buf.toString("ascii", o, o + 4) !== "OggS") throw new Error("not an Ogg page");
    const segments = buf[o + 26];
    const table = o + 27;
    let data = table + segments;
    for (let i = 0; i < segments; i++) {
      const len = buf[table + i];
      pending.push(buf.subarray(data, data + len));
      data += len;
      if (len < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    o = data;
  }
  // Drop the OpusHead and OpusTags header packets (RFC 7845 §5).
  const media = packets.filter(
    (p) => !p.subarray(0, 8).equals(Buffer.from("OpusHead")) && !p.subarray(0, 8).equals(Buffer.from("OpusTags")),
  );
  if (media.length === 0) throw new Error("Ogg file holds no Opus packets");
  return { packets: media };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += String(d);
    });
    child.on("error", (e) => reject(new Error(`${cmd}: ${e.message} (install Debian's ffmpeg: apt-get install ffmpeg)`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${err.slice(-400)}`))));
  });
}

/** Where clips are cached: $RELAIS_LOADTEST_CACHE, else <tmpdir>/relais-loadtest. */
export function clipCacheDir(): string {
  return process.env["RELAIS_LOADTEST_CACHE"] || path.join(tmpdir(), "relais-loadtest");
}

/** Encodes `file` with ffmpeg into a temporary name, then renames: a killed encode never leaves half a clip. */
async function cached(file: string, encode: (out: string) => Promise<void>): Promise<Buffer> {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await encode(partial);
    renameSync(partial, file);
  }
  return readFileSync(file);
}

/** What one VP8 clip is encoded at; `name` keys the cache file. */
export interface VideoEncoding {
  name: string;
  width: number;
  height: number;
  kbps: number;
}

/** A 10 s VP8 clip (testsrc2 pattern, keyframe every 2 s, realtime encoder settings), encoded once per encoding. */
export async function loadVideoClipAt(e: VideoEncoding, log: (msg: string) => void): Promise<VideoClip> {
  const file = path.join(clipCacheDir(), `vp8-${e.name}-${e.kbps}k-${CLIP_SECONDS}s.ivf`);
  if (!existsSync(file))
    log(`encoding a ${CLIP_SECONDS} s ${e.width}x${e.height} VP8 test clip once with ffmpeg (cached in ${path.dirname(file)})…`);
  const buf = await cached(file, (out) =>
    run("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-y"],
      ...["-f", "lavfi", "-i", `testsrc2=size=${e.width}x${e.height}:rate=${VIDEO_FPS}`, "-t", String(CLIP_SECONDS)],
      ...["-c:v", "libvpx", "-b:v", `${e.kbps}k`, "-minrate", `${e.kbps}k`, "-maxrate", `${e.kbps}k`, "-bufsize", `${e.kbps / 2}k`],
      ...["-g", String(VIDEO_GOP), "-keyint_min", String(VIDEO_GOP), "-lag-in-frames", "0", "-auto-alt-ref", "0"],
      ...["-deadline", "realtime", "-cpu-used", "8", "-f", "ivf", out],
    ]),
  );
  return parseIvf(buf);
}

/** A 10 s VP8 clip at `resolution` (the single-stream encoding). */
export function loadVideoClip(resolution: Resolution, log: (msg: string) => void): Promise<VideoClip> {
  return loadVideoClipAt({ name: resolution, ...RESOLUTIONS[resolution] }, log);
}

/** A 10 s Opus clip (440 Hz tone, 32 kbit/s, 20 ms frames). */
export async function loadAudioClip(log: (msg: string) => void): Promise<AudioClip> {
  const file = path.join(clipCacheDir(), `opus-32k-20ms-${CLIP_SECONDS}s.ogg`);
  if (!existsSync(file)) log("encoding an Opus test clip once with ffmpeg…");
  const buf = await cached(file, (out) =>
    run("ffmpeg", [
      ...["-hide_banner", "-loglevel", "error", "-y"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", String(CLIP_SECONDS)],
      ...["-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20", "-application", "voip", "-f", "ogg", out],
    ]),
  );
  return parseOggOpus(buf);
}

/** One simulcast layer's clip with what the publisher announces and paces it at. */
export interface SimulcastClip {
  layer: SimulcastLayerPlan;
  clip: VideoClip;
}

/**
 * Every layer of `resolution`'s simulcast, each encoded once at its own size and bitrate.
 * All are cut from the same source at the same GOP, so frame i is a keyframe in every
 * layer or in none: the layers can share one frame cursor (keyframes at the same times).
 */
export async function loadSimulcastClips(resolution: Resolution, log: (msg: string) => void): Promise<SimulcastClip[]> {
  const out: SimulcastClip[] = [];
  for (const layer of simulcastPlan(resolution)) {
    const clip = await loadVideoClipAt({ name: `${layer.width}x${layer.height}`, ...layer }, log);
    out.push({ layer, clip });
  }
  const first = out[0].clip;
  for (const { layer, clip } of out) {
    if (clip.frames.length !== first.frames.length || clip.keyframes.some((k, i) => k !== first.keyframes[i]))
      throw new Error(`simulcast clip ${layer.width}x${layer.height} does not have its keyframes where the others do`);
  }
  return out;
}

/**
 * The clips a run needs: video at `resolution` unless audio-only (with --simulcast one
 * clip per layer, lowest first), audio unless video-only.
 */
export async function loadClips(
  o: { video: boolean; audio: boolean; resolution: Resolution; simulcast: boolean },
  log: (msg: string) => void,
): Promise<{ video: VideoClip | null; simulcast: SimulcastClip[] | null; audio: AudioClip | null }> {
  const simulcast = o.video && o.simulcast ? await loadSimulcastClips(o.resolution, log) : null;
  return {
    video: o.video && !o.simulcast ? await loadVideoClip(o.resolution, log) : null,
    simulcast,
    audio: o.audio ? await loadAudioClip(log) : null,
  };
}
