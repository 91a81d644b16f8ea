import type { DisconnectReason, WebhookEventType } from "@relais/protocol";
import type { Engine } from "./migrations.js";

/** Durable state of a node: small repositories over one SQL database (SQLite or PostgreSQL). All times are Unix ms. */
export interface Store {
  readonly engine: Engine;
  readonly apiKeys: ApiKeyRepository;
  readonly rooms: RoomRepository;
  readonly sessions: SessionRepository;
  readonly webhooks: { readonly endpoints: WebhookEndpointRepository; readonly deliveries: WebhookDeliveryRepository };
  /** Closes the connection(s); idempotent. */
  close(): Promise<void>;
}

// ── API keys ────────────────────────────────────────────────────────────────

export interface ApiKeyRecord {
  key: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ApiKeyRepository {
  /**
   * Creates a key; the secret is returned here only. `key`, `secret` and
   * `createdAt` may be given to import an existing pair (its age orders `list`).
   */
  create(o: { name: string; key?: string; secret?: string; createdAt?: number }): Promise<{ record: ApiKeyRecord; secret: string }>;
  /** The key when `secret` is its secret and it is not revoked (HTTP Basic); null otherwise. */
  verify(key: string, secret: string): Promise<ApiKeyRecord | null>;
  /** The secret of an active key, to verify an HS256 token whose `iss` is `key`; null when unknown or revoked. */
  secretFor(key: string): Promise<string | null>;
  get(key: string): Promise<ApiKeyRecord | null>;
  /** Oldest first (then by key), revoked keys included. */
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes at once (no cache anywhere); false when unknown or already revoked. */
  revoke(key: string): Promise<boolean>;
}

// ── rooms (configuration) ───────────────────────────────────────────────────

export interface RoomRecord {
  name: string;
  /** 0 = no limit. */
  maxParticipants: number;
  emptyTimeoutS: number;
  metadata: string;
  residencyPolicy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewRoom {
  name: string;
  maxParticipants?: number;
  emptyTimeoutS?: number;
  metadata?: string;
  residencyPolicy?: string | null;
}

export interface RoomPage {
  rooms: RoomRecord[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface RoomRepository {
  /** Throws RelaisError ROOM_ALREADY_EXISTS when the name is taken. */
  create(room: NewRoom): Promise<RoomRecord>;
  get(name: string): Promise<RoomRecord | null>;
  /** Ordered by name; `namePrefix` is an exact, case-sensitive prefix. */
  list(o?: { limit?: number; cursor?: string | null; namePrefix?: string }): Promise<RoomPage>;
  updateMetadata(name: string, metadata: string): Promise<RoomRecord | null>;
  delete(name: string): Promise<boolean>;
}

// ── session history ─────────────────────────────────────────────────────────

export interface RoomSessionRecord {
  sid: string;
  name: string;
  startedAt: number;
  finishedAt: number | null;
}

export interface ParticipantSessionRecord {
  participantSid: string;
  roomSid: string;
  roomName: string;
  identity: string;
  name: string;
  joinedAt: number;
  leftAt: number | null;
  reason: DisconnectReason | null;
}

export interface SessionRepository {
  roomStarted(o: { sid: string; name: string; at: number }): Promise<void>;
  roomFinished(o: { sid: string; at: number }): Promise<void>;
  participantJoined(o: {
    participantSid: string;
    roomSid: string;
    roomName: string;
    identity: string;
    name: string;
    at: number;
  }): Promise<void>;
  participantLeft(o: { participantSid: string; at: number; reason: DisconnectReason }): Promise<void>;
  /** After a crash: ends every session still open (participants with `reason`). Returns how many participant sessions it closed. */
  closeOpen(o: { at: number; reason: DisconnectReason }): Promise<number>;
  listRooms(o?: { name?: string; limit?: number }): Promise<RoomSessionRecord[]>;
  /** Newest first. */
  listParticipants(o?: { roomName?: string; roomSid?: string; identity?: string; limit?: number }): Promise<ParticipantSessionRecord[]>;
}

// ── webhooks ────────────────────────────────────────────────────────────────

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** null = every event type. */
  events: WebhookEventType[] | null;
  enabled: boolean;
  /** Start of the current run of failed attempts; null while healthy. */
  failingSince: number | null;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookEndpointEvent {
  id: string;
  endpointId: string;
  kind: "created" | "disabled" | "enabled" | "secret_rotated";
  message: string;
  createdAt: number;
}

export interface WebhookEndpointRepository {
  /** The `whsec_…` secret is returned here (and by `secrets`), stored sealed. */
  create(o: { url: string; events?: WebhookEventType[] | null; secret?: string }): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  get(id: string): Promise<WebhookEndpoint | null>;
  list(): Promise<WebhookEndpoint[]>;
  /** Enabled endpoints whose filter lets `type` through. */
  listSubscribed(type: WebhookEventType): Promise<WebhookEndpoint[]>;
  update(id: string, o: { url?: string; events?: WebhookEventType[] | null; enabled?: boolean }): Promise<WebhookEndpoint | null>;
  delete(id: string): Promise<boolean>;
  /** Current secret first, then the previous one while its rotation grace lasts. */
  secrets(id: string, now: number): Promise<string[]>;
  /** New secret; the old one keeps signing until `now + graceMs`. */
  rotateSecret(id: string, o: { now: number; graceMs: number }): Promise<string | null>;
  /** Records a failed attempt; returns the start of the failing run. */
  markFailing(id: string, now: number): Promise<number | null>;
  markHealthy(id: string): Promise<void>;
  /** Disables, kills its queued deliveries and records a `disabled` event. */
  disable(id: string, o: { now: number; reason: string }): Promise<void>;
  events(id: string): Promise<WebhookEndpointEvent[]>;
}

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed" | "dead";

export interface WebhookDelivery {
  /** The `webhook-id` header, the same on every attempt. */
  id: string;
  endpointId: string;
  eventType: WebhookEventType;
  room: string | null;
  /** The exact body sent (and signed). */
  payload: string;
  attempts: number;
  status: WebhookDeliveryStatus;
  nextAttemptAt: number;
  lastError: string | null;
  lastStatusCode: number | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export interface NewWebhookDelivery {
  id: string;
  endpointId: string;
  eventType: WebhookEventType;
  room: string | null;
  payload: string;
  createdAt: number;
}

/** A delivery taken by a worker, with what it needs to send it. */
export interface ClaimedDelivery extends WebhookDelivery {
  url: string;
  secrets: string[];
}

export interface WebhookDeliveryRepository {
  /** Queues deliveries due at once; order of the array = delivery order per endpoint and room. */
  enqueue(deliveries: NewWebhookDelivery[]): Promise<void>;
  /**
   * Claims up to `limit` due deliveries of enabled endpoints for `leaseMs`. A
   * delivery is never claimed while an older one of the same endpoint and room
   * is still pending or failed (retrying): per-room order holds.
   */
  claimDue(o: { now: number; limit: number; leaseMs: number; owner: string }): Promise<ClaimedDelivery[]>;
  /** Makes `owner`'s claims due again (a restarted worker resends them: at-least-once, same id). */
  releaseClaims(owner: string): Promise<number>;
  markDelivered(id: string, o: { now: number; statusCode: number }): Promise<void>;
  /** A failed attempt: `retryAt` null makes it dead. */
  markFailed(id: string, o: { now: number; error: string; statusCode: number | null; retryAt: number | null }): Promise<void>;
  get(id: string): Promise<WebhookDelivery | null>;
  /** Retention: deletes delivered and dead deliveries last updated before `before`; returns how many. */
  prune(o: { before: number }): Promise<number>;
  /** The delivery log, newest first; `before` is a delivery id from the previous page. */
  list(o?: { endpointId?: string; status?: WebhookDeliveryStatus; limit?: number; before?: string }): Promise<WebhookDelivery[]>;
}
