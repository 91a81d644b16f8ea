import { type Static, Type } from "@sinclair/typebox";
import { TrackSource } from "./grants.js";

export const TrackKind = Type.Union([Type.Literal("audio"), Type.Literal("video")]);
export type TrackKind = Static<typeof TrackKind>;

/** A published track as every participant of the room sees it. */
export const TrackInfo = Type.Object({
  sid: Type.String(),
  kind: TrackKind,
  source: TrackSource,
  name: Type.String(),
  muted: Type.Boolean(),
  /** e.g. "video/VP8", "audio/opus"; set once the publisher's offer was negotiated. */
  mimeType: Type.String(),
});
export type TrackInfo = Static<typeof TrackInfo>;

export const ParticipantPermissions = Type.Object({
  canPublish: Type.Boolean(),
  canSubscribe: Type.Boolean(),
  canPublishData: Type.Boolean(),
  admin: Type.Boolean(),
});
export type ParticipantPermissions = Static<typeof ParticipantPermissions>;

export const ParticipantInfo = Type.Object({
  sid: Type.String(),
  identity: Type.String(),
  name: Type.String(),
  metadata: Type.String(),
  joinedAt: Type.Number({ description: "Unix time in milliseconds" }),
  permissions: ParticipantPermissions,
  tracks: Type.Array(TrackInfo),
});
export type ParticipantInfo = Static<typeof ParticipantInfo>;

/**
 * A participant's connection quality, scored by the server from packet loss, jitter and
 * round-trip time both ways (an E-model MOS: excellent ≥ 4.1, good ≥ 3.6, else poor);
 * `lost` when its media stopped arriving; `unknown` before its media connected.
 */
export const ConnectionQuality = Type.Union([
  Type.Literal("excellent"),
  Type.Literal("good"),
  Type.Literal("poor"),
  Type.Literal("lost"),
  Type.Literal("unknown"),
]);
export type ConnectionQuality = Static<typeof ConnectionQuality>;

export const RoomInfo = Type.Object({
  sid: Type.String(),
  name: Type.String(),
  createdAt: Type.Number(),
});
export type RoomInfo = Static<typeof RoomInfo>;

/** ICE servers the client should use. Empty by default: Relais never points clients at a public STUN server. */
export const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export type IceServer = Static<typeof IceServer>;

export const DisconnectReason = Type.Union([
  Type.Literal("client_initiated"),
  Type.Literal("removed"),
  Type.Literal("room_deleted"),
  Type.Literal("duplicate_identity"),
  Type.Literal("server_shutdown"),
  Type.Literal("transport_failure"),
  Type.Literal("signal_timeout"),
]);
export type DisconnectReason = Static<typeof DisconnectReason>;
