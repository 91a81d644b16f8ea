// Which simulcast layers a publisher sends for each --resolution, lowest first, with the
// target bitrates libwebrtc uses for those sizes (its simulcast table: 150 k at 180p,
// 500 k at 360p, about 1.7 M at 720p). Rids follow the q/h/f naming LiveKit and our SDK use.

import type { Resolution } from "./clip.js";

/** One simulcast stream (RFC 8853 rid) of a published track. */
export interface SimulcastLayerPlan {
  rid: string;
  width: number;
  height: number;
  kbps: number;
}

const Q = { rid: "q", width: 320, height: 180, kbps: 150 };
const H = { rid: "h", width: 640, height: 360, kbps: 500 };
const F = { rid: "f", width: 1280, height: 720, kbps: 1700 };

const PLANS: Record<Resolution, SimulcastLayerPlan[] | null> = {
  "720p": [Q, H, F],
  "360p": [Q, H],
  // A browser does not simulcast below 360p: a single 180p stream has nothing to drop to.
  "180p": null,
};

/** The layers for `resolution`, lowest first; null if that size is not simulcast. */
export function simulcastPlanOrNull(resolution: Resolution): SimulcastLayerPlan[] | null {
  const plan = PLANS[resolution];
  return plan ? plan.map((l) => ({ ...l })) : null;
}

/** The layers for `resolution`, lowest first (throws for a size that is not simulcast). */
export function simulcastPlan(resolution: Resolution): SimulcastLayerPlan[] {
  const plan = simulcastPlanOrNull(resolution);
  if (plan === null) throw new Error(`no simulcast at ${resolution}`);
  return plan;
}
