/** What a subscriber asks the server for one remote video track (the `trackSettings` request). */
export interface TrackSettings {
  /** Device pixels; 0 = no limit (the server forwards the top simulcast stream). */
  width: number;
  height: number;
  /** Shown nowhere: the server forwards nothing. */
  disabled: boolean;
}

/** How one element shows the video, as its layout reports it. */
export interface ElementBox {
  /** CSS pixels of the element's content box. */
  width: number;
  height: number;
  /** The video's intrinsic size (0 before the first frame). */
  videoWidth: number;
  videoHeight: number;
  /** CSS object-fit of the element. */
  objectFit: string;
  /** In the viewport (IntersectionObserver), and the document visible. */
  visible: boolean;
}

/**
 * CSS size at which the video's pixels are drawn in `box`. With `object-fit: cover` the
 * video overflows the box (and is cropped), so its drawn size is larger than the box; the
 * server treats the size it gets as a box the video is fit into ("contain"), so cover is
 * turned into the equivalent contain box here.
 */
export function drawnVideoSize(box: ElementBox): { width: number; height: number } {
  const { width, height, videoWidth, videoHeight } = box;
  if (box.objectFit !== "cover" || !(videoWidth > 0 && videoHeight > 0 && width > 0 && height > 0)) return { width, height };
  const scale = Math.max(width / videoWidth, height / videoHeight);
  return { width: videoWidth * scale, height: videoHeight * scale };
}

/**
 * Adaptive stream: the settings for a track shown in `boxes`. The largest visible
 * rendering decides (width and height maxed separately), times `devicePixelRatio`;
 * no visible rendering → disabled. `manual` values (setVideoDimensions / setEnabled)
 * override what the elements say.
 */
export function desiredTrackSettings(
  boxes: readonly ElementBox[],
  devicePixelRatio: number,
  manual: { size?: { width: number; height: number }; enabled?: boolean } = {},
): TrackSettings {
  const dpr = devicePixelRatio > 0 ? devicePixelRatio : 1;
  let width = 0;
  let height = 0;
  let visible = false;
  for (const box of boxes) {
    if (!box.visible || !(box.width > 0 && box.height > 0)) continue;
    visible = true;
    const drawn = drawnVideoSize(box);
    width = Math.max(width, drawn.width);
    height = Math.max(height, drawn.height);
  }
  const enabled = manual.enabled ?? visible;
  const size = manual.size ?? { width: Math.round(width * dpr), height: Math.round(height * dpr) };
  return { width: clampDimension(size.width), height: clampDimension(size.height), disabled: !enabled };
}

/** The protocol bounds (0..16384 integers). */
function clampDimension(value: number): number {
  return Number.isFinite(value) ? Math.min(16_384, Math.max(0, Math.round(value))) : 0;
}
