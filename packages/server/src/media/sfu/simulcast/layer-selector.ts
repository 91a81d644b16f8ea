/**
 * Chooses which simulcast layer (spatial, index 0 = lowest resolution) a consumer should
 * receive. Pure decision logic; called when an input changes or on a periodic tick, not
 * per packet.
 *
 *   1. paused (maxLayer -1)                 → -1
 *   2. cap      = min(maxLayer, top layer)     hard limit from the subscription
 *   3. wanted   = smallest layer that covers the rendered size × devicePixelRatio (soft)
 *   4. ideal    = highest live layer ≤ wanted, else the lowest live layer ≤ cap
 *   5. bandwidth: highest live layer ≤ ideal whose bitrate fits availableBps; a layer above
 *      the current one must fit with headroom. None fits → the lowest live layer.
 *   6. hysteresis: down is immediate; up (when bandwidth is constrained) only after the
 *      higher layer has qualified continuously for upswitchHoldMs.
 */
export interface SimulcastLayerState {
  width: number;
  height: number;
  /** Measured bitrate (bps); 0 = not measured yet, assumed to fit. */
  bitrateBps: number;
  /** Packets received recently. */
  live: boolean;
}

export interface LayerSelectionInput {
  /** Index = spatial layer, lowest resolution first. */
  layers: readonly SimulcastLayerState[];
  /** Rendered size of the subscriber's video element in CSS pixels; 0 = unknown (no size limit). */
  viewportWidth: number;
  viewportHeight: number;
  devicePixelRatio: number;
  /** Bandwidth the allocator grants this track (bps); Infinity = unconstrained. */
  availableBps: number;
  /** Highest layer the subscription allows; -1 = paused. */
  maxLayer: number;
  nowMs: number;
}

export interface LayerSelectorOptions {
  /** A layer this much smaller than the rendered size still counts as covering it (default 0.15). */
  sizeTolerance?: number;
  /** How the element scales the video (CSS object-fit); default "contain". */
  fit?: "contain" | "cover";
  /** A higher layer must fit in available / headroom before switching up (default 1.2). */
  upswitchHeadroom?: number;
  /** ...continuously for this long when bandwidth is constrained (default 1000 ms). */
  upswitchHoldMs?: number;
}

/**
 * Smallest layer whose resolution covers a `viewportWidth`×`viewportHeight` element at
 * `devicePixelRatio` (within `tolerance`), or the top layer if none does or the size is unknown.
 * With "contain" the video is scaled by min(vw/w, vh/h), with "cover" by max; the layer
 * covers it if that scale × dpr × (1 − tolerance) ≤ 1 (no upscaling beyond the tolerance).
 */
export function layerForViewport(
  layers: readonly SimulcastLayerState[],
  viewportWidth: number,
  viewportHeight: number,
  devicePixelRatio: number,
  tolerance: number,
  fit: "contain" | "cover",
): number {
  const top = layers.length - 1;
  if (!(viewportWidth > 0 && viewportHeight > 0)) return top;
  const dpr = devicePixelRatio > 0 ? devicePixelRatio : 1;
  for (let i = 0; i < top; i++) {
    const l = layers[i];
    if (!(l.width > 0 && l.height > 0)) continue;
    const sx = viewportWidth / l.width;
    const sy = viewportHeight / l.height;
    const scale = fit === "cover" ? Math.max(sx, sy) : Math.min(sx, sy);
    if (scale * dpr * (1 - tolerance) <= 1) return i;
  }
  return top;
}

export class LayerSelector {
  /** Result of the last `select()`: target layer, -1 = paused or nothing live. */
  targetLayer = -1;
  /** The target differs from the layer being forwarded: the forwarder must wait for (and request) its keyframe. */
  keyframeNeeded = false;
  private readonly tolerance: number;
  private readonly fit: "contain" | "cover";
  private readonly headroom: number;
  private readonly holdMs: number;
  private upCandidate = -1;
  private upCandidateSinceMs = 0;

  constructor(options: LayerSelectorOptions = {}) {
    this.tolerance = options.sizeTolerance ?? 0.15;
    this.fit = options.fit ?? "contain";
    this.headroom = options.upswitchHeadroom ?? 1.2;
    this.holdMs = options.upswitchHoldMs ?? 1000;
  }

  /** Recomputes the target given the layer `currentLayer` being forwarded (-1 if none). */
  select(input: LayerSelectionInput, currentLayer: number): number {
    const target = this.compute(input, currentLayer);
    this.targetLayer = target;
    this.keyframeNeeded = target >= 0 && target !== currentLayer;
    return target;
  }

  private compute(input: LayerSelectionInput, currentLayer: number): number {
    const layers = input.layers;
    const cap = Math.min(input.maxLayer, layers.length - 1);
    if (cap < 0) return this.settle(-1);
    const wanted = Math.min(
      cap,
      layerForViewport(layers, input.viewportWidth, input.viewportHeight, input.devicePixelRatio, this.tolerance, this.fit),
    );
    let ideal = -1;
    for (let i = wanted; i >= 0 && ideal < 0; i--) if (layers[i].live) ideal = i;
    for (let i = wanted + 1; i <= cap && ideal < 0; i++) if (layers[i].live) ideal = i;
    if (ideal < 0) return this.settle(-1);

    // The layer we are committed to: the pending target, else what is forwarded.
    const reference = this.targetLayer >= 0 && layers[this.targetLayer]?.live ? this.targetLayer : currentLayer;
    const referenceLive = reference >= 0 && reference < layers.length && layers[reference].live;
    let chosen = -1;
    let lowestLive = -1;
    for (let i = ideal; i >= 0; i--) {
      const l = layers[i];
      if (!l.live) continue;
      lowestLive = i;
      const need = referenceLive && i > reference ? l.bitrateBps * this.headroom : l.bitrateBps;
      if (chosen < 0 && need <= input.availableBps) chosen = i;
    }
    if (chosen < 0) chosen = lowestLive;

    if (!referenceLive || chosen <= reference) return this.settle(chosen);
    if (!Number.isFinite(input.availableBps) || this.holdMs <= 0) return this.settle(chosen);
    // Up-switch under a bandwidth constraint: only once it has qualified for holdMs.
    if (this.upCandidate !== chosen) {
      // A lower candidate than the pending one keeps the timer (it qualified for at least as long).
      if (this.upCandidate < 0 || chosen > this.upCandidate) this.upCandidateSinceMs = input.nowMs;
      this.upCandidate = chosen;
    }
    if (input.nowMs - this.upCandidateSinceMs >= this.holdMs) return this.settle(chosen);
    return reference;
  }

  /** A final decision other than "wait to go up": the up-switch timer restarts. */
  private settle(layer: number): number {
    this.upCandidate = -1;
    return layer;
  }
}
