import type { Generated } from "kysely";

/**
 * Table shapes as Kysely sees them. Portable across SQLite and PostgreSQL:
 * times are `bigint` Unix milliseconds (int8 is parsed to a JS number on
 * PostgreSQL, see open-store.ts), booleans are integers 0/1 (SQLite has no
 * boolean, and better-sqlite3 refuses to bind JS booleans), JSON is `text`.
 */
export interface Database {
  api_keys: ApiKeysTable;
  rooms: RoomsTable;
  room_sessions: RoomSessionsTable;
  participant_sessions: ParticipantSessionsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_endpoint_events: WebhookEndpointEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export interface ApiKeysTable {
  key: string;
  name: string;
  /** base64 salt and HMAC-SHA256(salt, secret): checks HTTP Basic credentials. */
  secret_salt: string;
  secret_hash: string;
  /** The secret sealed with the node key: needed to verify HS256 tokens signed with it. */
  secret_sealed: string;
  created_at: number;
  revoked_at: number | null;
}

export interface RoomsTable {
  name: string;
  max_participants: number;
  empty_timeout_s: number;
  metadata: string;
  residency_policy: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoomSessionsTable {
  sid: string;
  name: string;
  started_at: number;
  finished_at: number | null;
}

export interface ParticipantSessionsTable {
  participant_sid: string;
  room_sid: string;
  room_name: string;
  identity: string;
  name: string;
  joined_at: number;
  left_at: number | null;
  reason: string | null;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  secret_sealed: string;
  /** Kept during a rotation so receivers can switch secrets without downtime. */
  previous_secret_sealed: string | null;
  previous_secret_until: number | null;
  /** JSON array of event types; null means every event. */
  events: string | null;
  enabled: number;
  failing_since: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookEndpointEventsTable {
  id: string;
  endpoint_id: string;
  kind: string;
  message: string;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  /** Insertion order: per endpoint and room, a delivery waits for every lower seq. */
  seq: Generated<number>;
  /** The `webhook-id` header, stable across retries. */
  id: string;
  endpoint_id: string;
  event_type: string;
  room: string | null;
  payload: string;
  attempts: number;
  status: string;
  next_attempt_at: number;
  last_error: string | null;
  last_status_code: number | null;
  claimed_by: string | null;
  claimed_until: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}
