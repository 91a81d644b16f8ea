import type { Kysely, Migration, MigrationProvider } from "kysely";

export type Engine = "sqlite" | "postgres";

/**
 * The schema, as ordered migrations written in TypeScript. Both engines run the
 * same migrations with portable types (text, integer, bigint); the one place
 * they differ is how an auto-incrementing key is spelled, so the provider takes
 * the engine. Never edit a migration that has shipped: add the next one.
 */
export function migrationProvider(engine: Engine): MigrationProvider {
  return { getMigrations: async () => migrations(engine) };
}

function migrations(engine: Engine): Record<string, Migration> {
  return {
    "0001_initial": {
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema
          .createTable("api_keys")
          .addColumn("key", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("secret_salt", "text", (c) => c.notNull())
          .addColumn("secret_hash", "text", (c) => c.notNull())
          .addColumn("secret_sealed", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("revoked_at", "bigint")
          .execute();

        await db.schema
          .createTable("rooms")
          .addColumn("name", "text", (c) => c.primaryKey())
          .addColumn("max_participants", "integer", (c) => c.notNull())
          .addColumn("empty_timeout_s", "integer", (c) => c.notNull())
          .addColumn("metadata", "text", (c) => c.notNull())
          .addColumn("residency_policy", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();

        await db.schema
          .createTable("room_sessions")
          .addColumn("sid", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("started_at", "bigint", (c) => c.notNull())
          .addColumn("finished_at", "bigint")
          .execute();
        await db.schema.createIndex("room_sessions_name").on("room_sessions").columns(["name", "started_at"]).execute();

        await db.schema
          .createTable("participant_sessions")
          .addColumn("participant_sid", "text", (c) => c.primaryKey())
          .addColumn("room_sid", "text", (c) => c.notNull())
          .addColumn("room_name", "text", (c) => c.notNull())
          .addColumn("identity", "text", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("joined_at", "bigint", (c) => c.notNull())
          .addColumn("left_at", "bigint")
          .addColumn("reason", "text")
          .execute();
        await db.schema.createIndex("participant_sessions_room").on("participant_sessions").columns(["room_name", "joined_at"]).execute();
        await db.schema
          .createIndex("participant_sessions_identity")
          .on("participant_sessions")
          .columns(["identity", "joined_at"])
          .execute();

        await db.schema
          .createTable("webhook_endpoints")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("url", "text", (c) => c.notNull())
          .addColumn("secret_sealed", "text", (c) => c.notNull())
          .addColumn("previous_secret_sealed", "text")
          .addColumn("previous_secret_until", "bigint")
          .addColumn("events", "text")
          .addColumn("enabled", "integer", (c) => c.notNull())
          .addColumn("failing_since", "bigint")
          .addColumn("disabled_reason", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();

        await db.schema
          .createTable("webhook_endpoint_events")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("endpoint_id", "text", (c) => c.notNull().references("webhook_endpoints.id").onDelete("cascade"))
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("message", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema.createIndex("webhook_endpoint_events_endpoint").on("webhook_endpoint_events").columns(["endpoint_id"]).execute();

        await db.schema
          .createTable("webhook_deliveries")
          .addColumn("seq", engine === "postgres" ? "bigint" : "integer", (c) =>
            engine === "postgres" ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement(),
          )
          .addColumn("id", "text", (c) => c.notNull().unique())
          .addColumn("endpoint_id", "text", (c) => c.notNull().references("webhook_endpoints.id").onDelete("cascade"))
          .addColumn("event_type", "text", (c) => c.notNull())
          .addColumn("room", "text")
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("attempts", "integer", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
          .addColumn("last_error", "text")
          .addColumn("last_status_code", "integer")
          .addColumn("claimed_by", "text")
          .addColumn("claimed_until", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addColumn("delivered_at", "bigint")
          .execute();
        await db.schema.createIndex("webhook_deliveries_due").on("webhook_deliveries").columns(["status", "next_attempt_at"]).execute();
        await db.schema
          .createIndex("webhook_deliveries_order")
          .on("webhook_deliveries")
          .columns(["endpoint_id", "room", "status", "seq"])
          .execute();
      },
    },
  };
}
