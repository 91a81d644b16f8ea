// What size a load-test subscriber says it renders a simulcast track at (adaptive
// stream's trackSettings), which decides the layer the SFU forwards to it.

import type { SubscriberSizes } from "./options.js";

export interface Size {
  width: number;
  height: number;
}

/** The window an `auto` subscriber lays its videos out in, as a grid of equal tiles. */
export const AUTO_VIEWPORT: Size = { width: 1280, height: 720 };

/**
 * The size subscriber `index` reports for each simulcast track, or null to report none
 * (the SFU then forwards the top layer).
 *   top:   null.
 *   mixed: layer `index mod layers` exactly, so a fan-out spreads evenly over all layers.
 *   rotate: like mixed, moved on by `step` (the load tester steps every 2 s): every
 *          subscriber switches layer, up and down, during the window.
 *   auto:  one tile of a grid of `videoTracks` tiles in AUTO_VIEWPORT (columns = ⌈√n⌉),
 *          what a meeting UI with adaptive stream reports.
 */
export function reportedSize(mode: SubscriberSizes, index: number, layers: readonly Size[], videoTracks: number, step = 0): Size | null {
  if (mode === "top" || layers.length === 0) return null;
  if (mode === "mixed" || mode === "rotate") {
    const l = layers[(index + (mode === "rotate" ? step : 0)) % layers.length];
    return { width: l.width, height: l.height };
  }
  const n = Math.max(1, videoTracks);
  const columns = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / columns);
  return { width: Math.floor(AUTO_VIEWPORT.width / columns), height: Math.floor(AUTO_VIEWPORT.height / rows) };
}
