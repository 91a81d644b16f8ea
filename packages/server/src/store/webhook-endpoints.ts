import { randomBytes } from "node:crypto";
import type { WebhookEventType } from "@relais/protocol";
import type { Kysely, Selectable } from "kysely";
import { newSid } from "../shared/ids.js";
import type { Database, WebhookEndpointsTable } from "./schema.js";
import type { SecretBox } from "./secret-box.js";
import type { WebhookEndpoint, WebhookEndpointEvent, WebhookEndpointRepository } from "./types.js";

/** Webhook endpoints, their sealed signing secrets and their event log (created, disabled, …). */
export class SqlWebhookEndpointRepository implements WebhookEndpointRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async create(o: {
    url: string;
    events?: WebhookEventType[] | null;
    secret?: string;
  }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const id = newSid("WH");
    const secret = o.secret ?? newWebhookSecret();
    const now = Date.now();
    const row: Selectable<WebhookEndpointsTable> = {
      id,
      url: o.url,
      secret_sealed: this.box.seal(secret, context(id)),
      previous_secret_sealed: null,
      previous_secret_until: null,
      events: o.events ? JSON.stringify(o.events) : null,
      enabled: 1,
      failing_since: null,
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto("webhook_endpoints").values(row).execute();
      await tx
        .insertInto("webhook_endpoint_events")
        .values(logRow(id, "created", o.url, now))
        .execute();
    });
    return { endpoint: toEndpoint(row), secret };
  }

  async get(id: string): Promise<WebhookEndpoint | null> {
    const row = await this.db.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  async list(): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom("webhook_endpoints").selectAll().orderBy("created_at").orderBy("id").execute();
    return rows.map(toEndpoint);
  }

  async listSubscribed(type: WebhookEventType): Promise<WebhookEndpoint[]> {
    const rows = await this.db
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("enabled", "=", 1)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toEndpoint).filter((e) => e.events === null || e.events.includes(type));
  }

  async update(id: string, o: { url?: string; events?: WebhookEventType[] | null; enabled?: boolean }): Promise<WebhookEndpoint | null> {
    const now = Date.now();
    const set: Partial<Selectable<WebhookEndpointsTable>> = { updated_at: now };
    if (o.url !== undefined) set.url = o.url;
    if (o.events !== undefined) set.events = o.events ? JSON.stringify(o.events) : null;
    if (o.enabled !== undefined) {
      set.enabled = o.enabled ? 1 : 0;
      if (o.enabled) Object.assign(set, { failing_since: null, disabled_reason: null });
    }
    await this.db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom("webhook_endpoints").select("enabled").where("id", "=", id).executeTakeFirst();
      await tx.updateTable("webhook_endpoints").set(set).where("id", "=", id).execute();
      if (before && o.enabled !== undefined && before.enabled !== set.enabled) {
        const kind = o.enabled ? "enabled" : "disabled";
        await tx
          .insertInto("webhook_endpoint_events")
          .values(logRow(id, kind, `${kind} by an operator`, now))
          .execute();
      }
    });
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom("webhook_endpoints").where("id", "=", id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async secrets(id: string, now: number): Promise<string[]> {
    const row = await this.db.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? this.openSecrets(row, now) : [];
  }

  /** Used by the delivery repository, which reads endpoint rows in its claim. */
  openSecrets(
    row: Pick<WebhookEndpointsTable, "id" | "secret_sealed" | "previous_secret_sealed" | "previous_secret_until">,
    now: number,
  ): string[] {
    const out = [this.box.open(row.secret_sealed, context(row.id))];
    if (row.previous_secret_sealed && row.previous_secret_until !== null && row.previous_secret_until > now) {
      out.push(this.box.open(row.previous_secret_sealed, context(row.id)));
    }
    return out;
  }

  async rotateSecret(id: string, o: { now: number; graceMs: number }): Promise<string | null> {
    const secret = newWebhookSecret();
    const done = await this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom("webhook_endpoints").select("secret_sealed").where("id", "=", id).executeTakeFirst();
      if (!row) return false;
      await tx
        .updateTable("webhook_endpoints")
        .set({
          secret_sealed: this.box.seal(secret, context(id)),
          previous_secret_sealed: row.secret_sealed,
          previous_secret_until: o.now + o.graceMs,
          updated_at: o.now,
        })
        .where("id", "=", id)
        .execute();
      await tx
        .insertInto("webhook_endpoint_events")
        .values(logRow(id, "secret_rotated", `previous secret valid ${o.graceMs} ms`, o.now))
        .execute();
      return true;
    });
    return done ? secret : null;
  }

  async markFailing(id: string, now: number): Promise<number | null> {
    await this.db
      .updateTable("webhook_endpoints")
      .set({ failing_since: now })
      .where("id", "=", id)
      .where("failing_since", "is", null)
      .execute();
    const row = await this.db.selectFrom("webhook_endpoints").select("failing_since").where("id", "=", id).executeTakeFirst();
    return row?.failing_since ?? null;
  }

  async markHealthy(id: string): Promise<void> {
    await this.db
      .updateTable("webhook_endpoints")
      .set({ failing_since: null })
      .where("id", "=", id)
      .where("failing_since", "is not", null)
      .execute();
  }

  async disable(id: string, o: { now: number; reason: string }): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable("webhook_endpoints")
        .set({ enabled: 0, disabled_reason: o.reason, updated_at: o.now })
        .where("id", "=", id)
        .where("enabled", "=", 1)
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) return;
      await tx
        .updateTable("webhook_deliveries")
        .set({ status: "dead", last_error: `endpoint disabled: ${o.reason}`, claimed_by: null, claimed_until: null, updated_at: o.now })
        .where("endpoint_id", "=", id)
        .where("status", "in", ["pending", "failed"])
        .execute();
      await tx
        .insertInto("webhook_endpoint_events")
        .values(logRow(id, "disabled", o.reason, o.now))
        .execute();
    });
  }

  async events(id: string): Promise<WebhookEndpointEvent[]> {
    const rows = await this.db
      .selectFrom("webhook_endpoint_events")
      .selectAll()
      .where("endpoint_id", "=", id)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      kind: r.kind as WebhookEndpointEvent["kind"],
      message: r.message,
      createdAt: r.created_at,
    }));
  }
}

/** A Standard Webhooks symmetric secret: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

function context(endpointId: string): string {
  return `webhook_endpoint:${endpointId}`;
}

function logRow(endpointId: string, kind: WebhookEndpointEvent["kind"], message: string, at: number) {
  return { id: newSid("WE"), endpoint_id: endpointId, kind, message, created_at: at };
}

export function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events === null ? null : (JSON.parse(row.events) as WebhookEventType[]),
    enabled: row.enabled === 1,
    failingSince: row.failing_since,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
