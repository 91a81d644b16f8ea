// Synthetic VP8 clips for unit tests: frames whose headers say keyframe or not and,
// for keyframes, the coded size (RFC 6386 §9.1), with some filler so a keyframe
// spans several RTP packets. Not decodable, which nothing here needs.

import type { SimulcastClip, VideoClip } from "./clip.js";

/** A clip of `frames` frames, a keyframe every `gop`, keyframes `keyframeBytes` long. */
export function syntheticClip(width: number, height: number, frames = 60, gop = 30, keyframeBytes = 3000): VideoClip {
  const out: VideoClip = { frames: [], keyframes: [] };
  for (let i = 0; i < frames; i++) {
    const key = i % gop === 0;
    const f = Buffer.alloc(key ? keyframeBytes : 400, i & 0xff);
    // Frame tag: P bit (bit 0) = 0 for a keyframe; show_frame set.
    f[0] = key ? 0x10 : 0x11;
    if (key) {
      f.set([0x9d, 0x01, 0x2a], 3);
      f.writeUInt16LE(width, 6);
      f.writeUInt16LE(height, 8);
    }
    out.frames.push(f);
    out.keyframes.push(key);
  }
  return out;
}

/** Three synthetic layers like the 720p plan (q/h/f). */
export function syntheticSimulcast(): SimulcastClip[] {
  return [
    { layer: { rid: "q", width: 320, height: 180, kbps: 150 }, clip: syntheticClip(320, 180) },
    { layer: { rid: "h", width: 640, height: 360, kbps: 500 }, clip: syntheticClip(640, 360) },
    { layer: { rid: "f", width: 1280, height: 720, kbps: 1700 }, clip: syntheticClip(1280, 720) },
  ];
}
