import type { VideoClip } from "./clip.js";

/**
 * Which clip frame an encoder sends next. The layers of one simulcast track share a
 * cursor, as libwebrtc's VP8 simulcast encoder encodes every stream from the same
 * captured frame and answers a keyframe request on any stream with keyframes on all.
 */
export class FrameCursor {
  private frame = 0;
  private keyframeWanted = false;

  constructor(private readonly keyframes: readonly boolean[]) {}

  static of(clip: VideoClip): FrameCursor {
    return new FrameCursor(clip.keyframes);
  }

  /** The next frame to send is a keyframe (a PLI/FIR arrived, or a paused stream resumes). */
  requestKeyframe(): void {
    this.keyframeWanted = true;
  }

  /** Index of the frame to send now; advances. A pending keyframe request jumps to the clip's next keyframe (decodable from there on). */
  next(): number {
    const n = this.keyframes.length;
    if (this.keyframeWanted) {
      this.keyframeWanted = false;
      let i = this.frame;
      while (!this.keyframes[i % n] && i < this.frame + n) i++;
      this.frame = i % n;
    }
    const index = this.frame;
    this.frame = (this.frame + 1) % n;
    return index;
  }
}
