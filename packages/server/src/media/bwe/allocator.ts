// Shares one subscriber's bandwidth estimate among the tracks it receives (in the manner of
// LiveKit's StreamAllocator, simplified and pure):
//
//   1. audio: always allowed, reserved first (even past the estimate)
//   2. video, in priority order (screen share, active speaker, others; then input order):
//        pass 1: the lowest available layer each, or paused if it does not fit
//        pass 2: upgrade each, in the same order, to the highest wanted layer that fits
//   3. deficit = what the wanted layers would cost beyond the allocation → drives probing
//
// Hysteresis: moving a track above the layer it is on (or resuming it) needs its new cost plus
// `upgradeMargin` of it to fit; staying needs only the cost. An estimate wobbling by a few
// percent around a layer's price therefore does not make the layer flap. A track being
// forwarded is paused only when the budget falls below `keepLowestFraction` of its lowest
// layer: a paused video is a frozen tile, while the estimate right after a probe or a loss
// burst often undershoots the path for a second or two.

export type TrackPriority = "screen" | "speaker" | "normal";

export interface AllocatorTrack {
  id: string;
  kind: "audio" | "video";
  /** Video only; default "normal". */
  priority?: TrackPriority;
  /** Measured bitrate of each layer at the producer, lowest first; 0 when not available. Audio: one entry. */
  layerBps: readonly number[];
  /** Highest layer worth sending for the rendered size; -1 when not rendered or muted (paused). */
  maxLayer: number;
  /** Layer forwarded now, -1 when paused: the reference for hysteresis. */
  currentLayer: number;
}

export interface TrackAllocation {
  id: string;
  /** Target layer, -1 = paused. */
  layer: number;
  bps: number;
  /** The layer it would get with unlimited bandwidth (-1 if none wanted or available). */
  wantedLayer: number;
}

export interface AllocationResult {
  /** One per input track, in input order. */
  tracks: TrackAllocation[];
  allocatedBps: number;
  /** How much more the wanted layers need: probe for estimate + deficit. */
  deficitBps: number;
}

export interface AllocatorOptions {
  /** Fraction of a layer's cost that must fit on top of it to move up to it. Default 0.1. */
  upgradeMargin?: number;
  /** A forwarded video keeps its lowest layer while the budget covers this fraction of it. Default 0.5. */
  keepLowestFraction?: number;
}

const PRIORITY_RANK: Record<TrackPriority, number> = { screen: 0, speaker: 1, normal: 2 };

/** Deterministic: the same input gives the same output. */
export function allocate(tracks: readonly AllocatorTrack[], estimateBps: number, options: AllocatorOptions = {}): AllocationResult {
  const margin = options.upgradeMargin ?? 0.1;
  const keepLowest = options.keepLowestFraction ?? 0.5;
  const result: TrackAllocation[] = tracks.map((t) => ({ id: t.id, layer: -1, bps: 0, wantedLayer: wantedLayerOf(t) }));
  let budget = estimateBps;
  let allocated = 0;
  for (let i = 0; i < tracks.length; i++) {
    const t = tracks[i];
    const r = result[i];
    if (t.kind !== "audio" || r.wantedLayer < 0) continue;
    r.layer = r.wantedLayer;
    r.bps = t.layerBps[r.layer];
    budget -= r.bps;
    allocated += r.bps;
  }
  const video = tracks
    .map((_t, i) => i)
    .filter((i) => tracks[i].kind === "video" && result[i].wantedLayer >= 0)
    .sort((a, b) => rank(tracks[a]) - rank(tracks[b]) || a - b);
  const cost = (t: AllocatorTrack, layer: number, from: number): number => {
    const extra = t.layerBps[layer] - (from >= 0 ? t.layerBps[from] : 0);
    return layer > t.currentLayer ? extra + margin * t.layerBps[layer] : extra;
  };
  for (const i of video) {
    const t = tracks[i];
    const lowest = lowestLayerOf(t, result[i].wantedLayer);
    const needed = t.currentLayer >= 0 ? keepLowest * t.layerBps[lowest] : cost(t, lowest, -1);
    if (budget >= needed) {
      result[i].layer = lowest;
      result[i].bps = t.layerBps[lowest];
      budget -= result[i].bps;
    }
  }
  for (const i of video) {
    const t = tracks[i];
    const r = result[i];
    if (r.layer < 0) continue;
    for (let layer = r.wantedLayer; layer > r.layer; layer--) {
      if (!(t.layerBps[layer] > 0) || budget < cost(t, layer, r.layer)) continue;
      budget -= t.layerBps[layer] - r.bps;
      r.layer = layer;
      r.bps = t.layerBps[layer];
      break;
    }
  }
  let deficit = 0;
  for (const i of video) {
    const r = result[i];
    allocated += r.bps;
    deficit += tracks[i].layerBps[r.wantedLayer] - r.bps;
  }
  return { tracks: result, allocatedBps: allocated, deficitBps: deficit };
}

function rank(t: AllocatorTrack): number {
  return PRIORITY_RANK[t.priority ?? "normal"];
}

/** Highest layer <= maxLayer with a bitrate, or -1. */
function wantedLayerOf(t: AllocatorTrack): number {
  for (let l = Math.min(t.maxLayer, t.layerBps.length - 1); l >= 0; l--) if (t.layerBps[l] > 0) return l;
  return -1;
}

function lowestLayerOf(t: AllocatorTrack, wanted: number): number {
  for (let l = 0; l < wanted; l++) if (t.layerBps[l] > 0) return l;
  return wanted;
}
