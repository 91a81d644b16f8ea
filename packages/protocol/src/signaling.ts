/**
 * Signaling over WebSocket (`/v1/rtc`). JSON text frames; each is one variant of
 * `ClientMessage` or `ServerMessage`. Every client request carries `id`; the
 * server's reply to it carries `requestId` with the same value.
 *
 *   client                                  server
 *   join{token} ───────────────────────────▶ verify token, add participant
 *               ◀─────────────────────────── joined{participants, resumeKey}
 *   offer{sdp, publications, subscriptions}▶ negotiate (server always answers)
 *               ◀─────────────────────────── answer{sdp, publications, subscriptions}
 *               ◀─────────────────────────── participantJoined / trackPublished / …
 *
 * The client always makes the offer (it adds a recvonly transceiver per track it
 * subscribes to), so there is never glare. After a dropped socket the client
 * sends `join` again with `resume`; the media session keeps running meanwhile.
 */
import { type Static, Type } from "@sinclair/typebox";
import { TrackSource } from "./grants.js";
import { ConnectionQuality, DisconnectReason, IceServer, ParticipantInfo, RoomInfo, TrackInfo, TrackKind } from "./models.js";

export const PROTOCOL_VERSION = 1;

const RequestId = Type.Integer({ minimum: 0 });
const Sid = Type.String({ minLength: 1, maxLength: 64 });
const Mid = Type.String({ minLength: 1, maxLength: 32 });

// ---------- client → server ----------

export const JoinRequest = Type.Object(
  {
    type: Type.Literal("join"),
    id: RequestId,
    token: Type.String({ minLength: 1, maxLength: 8192 }),
    /** The room the client means to join (e.g. from the join link's path); refused with TOKEN_WRONG_ROOM when the token is for another. */
    room: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Display name, used when the token carries none (e.g. a shared room link without an identity). */
    name: Type.Optional(Type.String({ maxLength: 128 })),
    resume: Type.Optional(
      Type.Object({ participantSid: Sid, resumeKey: Type.String({ maxLength: 128 }) }, { additionalProperties: false }),
    ),
    client: Type.Optional(
      Type.Object({ sdk: Type.String({ maxLength: 64 }), version: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

/** One simulcast stream of a published video track (RFC 8853), as the SDK encodes it. */
export const SimulcastLayer = Type.Object(
  {
    rid: Type.String({ pattern: "^[A-Za-z0-9_-]{1,16}$" }),
    width: Type.Integer({ minimum: 1, maximum: 16384 }),
    height: Type.Integer({ minimum: 1, maximum: 16384 }),
    maxBitrate: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
  },
  { additionalProperties: false },
);
export type SimulcastLayer = Static<typeof SimulcastLayer>;

/** A track the client sends on transceiver `mid`. */
export const PublicationRequest = Type.Object(
  {
    mid: Mid,
    kind: TrackKind,
    source: TrackSource,
    name: Type.Optional(Type.String({ maxLength: 256 })),
    muted: Type.Optional(Type.Boolean()),
    /** Simulcast: the streams (rids) of the m-section, lowest quality first. */
    layers: Type.Optional(Type.Array(SimulcastLayer, { minItems: 1, maxItems: 4 })),
  },
  { additionalProperties: false },
);
export type PublicationRequest = Static<typeof PublicationRequest>;

/** A remote track the client wants to receive on its recvonly transceiver `mid`. */
export const SubscriptionRequest = Type.Object({ mid: Mid, trackSid: Sid }, { additionalProperties: false });
export type SubscriptionRequest = Static<typeof SubscriptionRequest>;

export const OfferRequest = Type.Object(
  {
    type: Type.Literal("offer"),
    id: RequestId,
    sdp: Type.String({ minLength: 1, maxLength: 262144 }),
    publications: Type.Array(PublicationRequest, { maxItems: 32 }),
    subscriptions: Type.Array(SubscriptionRequest, { maxItems: 512 }),
  },
  { additionalProperties: false },
);

export const UnpublishRequest = Type.Object(
  { type: Type.Literal("unpublish"), id: RequestId, trackSid: Sid },
  { additionalProperties: false },
);
export const MuteRequest = Type.Object(
  { type: Type.Literal("mute"), id: RequestId, trackSid: Sid, muted: Type.Boolean() },
  { additionalProperties: false },
);
/**
 * Adaptive stream: how large the subscriber renders a remote video track (CSS px ×
 * devicePixelRatio), or that it renders it nowhere (`disabled`). The server forwards
 * the smallest simulcast layer that covers the size.
 */
export const TrackSettingsRequest = Type.Object(
  {
    type: Type.Literal("trackSettings"),
    id: RequestId,
    trackSid: Sid,
    width: Type.Integer({ minimum: 0, maximum: 16384 }),
    height: Type.Integer({ minimum: 0, maximum: 16384 }),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const LeaveRequest = Type.Object({ type: Type.Literal("leave"), id: RequestId }, { additionalProperties: false });
export const PingRequest = Type.Object({ type: Type.Literal("ping"), id: RequestId }, { additionalProperties: false });

export const ClientMessage = Type.Union([
  JoinRequest,
  OfferRequest,
  UnpublishRequest,
  MuteRequest,
  TrackSettingsRequest,
  LeaveRequest,
  PingRequest,
]);
export type ClientMessage = Static<typeof ClientMessage>;
export type ClientMessageType = ClientMessage["type"];
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;
export const CLIENT_MESSAGE_SCHEMAS = {
  join: JoinRequest,
  offer: OfferRequest,
  unpublish: UnpublishRequest,
  mute: MuteRequest,
  trackSettings: TrackSettingsRequest,
  leave: LeaveRequest,
  ping: PingRequest,
} as const;

// ---------- server → client ----------

export const JoinedResponse = Type.Object({
  type: Type.Literal("joined"),
  requestId: RequestId,
  protocol: Type.Integer(),
  room: RoomInfo,
  participant: ParticipantInfo,
  participants: Type.Array(ParticipantInfo),
  resumeKey: Type.String(),
  resumed: Type.Boolean(),
  iceServers: Type.Array(IceServer),
  /** Seconds the server keeps a participant whose socket dropped, waiting for a resume. */
  resumeWindowS: Type.Number(),
});

export const PublicationResult = Type.Object({ mid: Mid, trackSid: Sid });
export const SubscriptionResult = Type.Object({
  mid: Mid,
  trackSid: Sid,
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
});

export const AnswerResponse = Type.Object({
  type: Type.Literal("answer"),
  requestId: RequestId,
  sdp: Type.String(),
  publications: Type.Array(PublicationResult),
  subscriptions: Type.Array(SubscriptionResult),
});

export const AckResponse = Type.Object({ type: Type.Literal("ack"), requestId: RequestId });
export const PongResponse = Type.Object({ type: Type.Literal("pong"), requestId: RequestId, serverTime: Type.Number() });

/** A failed request (with `requestId`) or a session-level error (without). */
export const ErrorMessage = Type.Object({
  type: Type.Literal("error"),
  requestId: Type.Optional(RequestId),
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const ParticipantJoinedEvent = Type.Object({ type: Type.Literal("participantJoined"), participant: ParticipantInfo });
export const ParticipantLeftEvent = Type.Object({
  type: Type.Literal("participantLeft"),
  participantSid: Sid,
  identity: Type.String(),
});
export const ParticipantUpdatedEvent = Type.Object({ type: Type.Literal("participantUpdated"), participant: ParticipantInfo });
export const TrackPublishedEvent = Type.Object({ type: Type.Literal("trackPublished"), participantSid: Sid, track: TrackInfo });
export const TrackUnpublishedEvent = Type.Object({ type: Type.Literal("trackUnpublished"), participantSid: Sid, trackSid: Sid });
export const TrackMutedEvent = Type.Object({
  type: Type.Literal("trackMuted"),
  participantSid: Sid,
  trackSid: Sid,
  muted: Type.Boolean(),
  /** Set when a moderator (REST API) changed it; the publisher cannot unmute a moderator's mute unless it is an admin. */
  byModerator: Type.Optional(Type.Boolean()),
});
/** A speaking participant and its smoothed audio level (linear, 0 silence .. 1 full scale). */
export const SpeakerInfo = Type.Object({ participantSid: Sid, identity: Type.String(), level: Type.Number({ minimum: 0, maximum: 1 }) });
export type SpeakerInfo = Static<typeof SpeakerInfo>;
/** The active speakers changed: who speaks, the dominant speaker first, then the loudest. Empty = nobody speaks. */
export const SpeakersChangedEvent = Type.Object({ type: Type.Literal("speakersChanged"), speakers: Type.Array(SpeakerInfo) });
export const ConnectionQualityInfo = Type.Object({
  participantSid: Sid,
  identity: Type.String(),
  quality: ConnectionQuality,
  /** Mean opinion score, 1..4.5 (0 when lost or unknown). */
  score: Type.Number(),
});
export type ConnectionQualityInfo = Static<typeof ConnectionQualityInfo>;
/** Participants whose connection quality changed (after `joined`: everyone's current one). */
export const ConnectionQualityChangedEvent = Type.Object({
  type: Type.Literal("connectionQualityChanged"),
  updates: Type.Array(ConnectionQualityInfo),
});
/** The server ends the session; the client must not resume. */
/**
 * Dynacast: which simulcast streams of the client's own track someone watches. The SDK
 * stops encoding the inactive ones (RTCRtpSender encodings[i].active) until they are needed.
 */
export const SubscribedQualityUpdateEvent = Type.Object({
  type: Type.Literal("subscribedQualityUpdate"),
  trackSid: Sid,
  layers: Type.Array(Type.Object({ rid: Type.String(), active: Type.Boolean() })),
});
export const LeaveEvent = Type.Object({ type: Type.Literal("leave"), reason: DisconnectReason });

export const ServerMessage = Type.Union([
  JoinedResponse,
  AnswerResponse,
  AckResponse,
  PongResponse,
  ErrorMessage,
  ParticipantJoinedEvent,
  ParticipantLeftEvent,
  ParticipantUpdatedEvent,
  TrackPublishedEvent,
  TrackUnpublishedEvent,
  TrackMutedEvent,
  SpeakersChangedEvent,
  ConnectionQualityChangedEvent,
  SubscribedQualityUpdateEvent,
  LeaveEvent,
]);
export type ServerMessage = Static<typeof ServerMessage>;
export type ServerMessageType = ServerMessage["type"];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

/** WebSocket close codes used by the server (4000–4999 are application codes). */
export const WsCloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  AUTH_FAILED: 4001,
  LEFT: 4002,
  PROTOCOL_ERROR: 4003,
  RESUME_FAILED: 4010,
  RATE_LIMITED: 4029,
} as const;
