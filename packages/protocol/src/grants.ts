import { type Static, Type } from "@sinclair/typebox";

export const TrackSource = Type.Union([
  Type.Literal("camera"),
  Type.Literal("microphone"),
  Type.Literal("screen_share"),
  Type.Literal("screen_share_audio"),
]);
export type TrackSource = Static<typeof TrackSource>;

/** What an access token allows. Absent booleans mean: join/publish/subscribe/publishData true, admin/record false. */
export const VideoGrants = Type.Object(
  {
    join: Type.Optional(Type.Boolean()),
    publish: Type.Optional(Type.Boolean()),
    subscribe: Type.Optional(Type.Boolean()),
    publishData: Type.Optional(Type.Boolean()),
    admin: Type.Optional(Type.Boolean()),
    record: Type.Optional(Type.Boolean()),
    sources: Type.Optional(Type.Array(TrackSource)),
  },
  { additionalProperties: false },
);
export type VideoGrants = Static<typeof VideoGrants>;

/** Claims of a Relais access token (JWT, HS256 with the API secret; `iss` is the API key). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  name?: string;
  room: string;
  grants: VideoGrants;
  metadata?: string;
  exp: number;
  nbf?: number;
  iat?: number;
  jti?: string;
}

export interface ResolvedGrants {
  join: boolean;
  publish: boolean;
  subscribe: boolean;
  publishData: boolean;
  admin: boolean;
  record: boolean;
  sources: TrackSource[] | null;
}

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
