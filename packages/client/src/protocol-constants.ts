import type { ResolvedGrants, TrackSource, VideoGrants } from "@relais/protocol";

/*
 * Runtime values of the wire contract that the SDK needs. `@relais/protocol`
 * exports them too, but importing its runtime would pull TypeBox (~45 KiB) into
 * every browser bundle; the SDK imports only its types. protocol-constants.test.ts
 * checks these copies against the protocol package so they cannot drift.
 */

/** WebSocket close codes used by the server (WsCloseCode in the protocol). */
export const WS_CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  AUTH_FAILED: 4001,
  LEFT: 4002,
  PROTOCOL_ERROR: 4003,
  RESUME_FAILED: 4010,
  RATE_LIMITED: 4029,
} as const;

/** Same defaults as the protocol's resolveGrants. */
export function resolveGrants(g: VideoGrants | undefined): ResolvedGrants {
  return {
    join: g?.join ?? true,
    publish: g?.publish ?? true,
    subscribe: g?.subscribe ?? true,
    publishData: g?.publishData ?? true,
    admin: g?.admin ?? false,
    record: g?.record ?? false,
    sources: g?.sources ?? null,
  };
}

export function canPublishSource(g: ResolvedGrants, source: TrackSource): boolean {
  return g.publish && (g.sources === null || g.sources.includes(source));
}
