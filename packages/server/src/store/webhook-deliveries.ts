import type { WebhookEventType } from "@relais/protocol";
import type { Kysely, Selectable } from "kysely";
import type { Database, WebhookDeliveriesTable } from "./schema.js";
import type { ClaimedDelivery, NewWebhookDelivery, WebhookDelivery, WebhookDeliveryRepository, WebhookDeliveryStatus } from "./types.js";
import type { SqlWebhookEndpointRepository } from "./webhook-endpoints.js";

/** Statuses still in the queue: never tried, or failed and waiting for a retry. */
const QUEUED: WebhookDeliveryStatus[] = ["pending", "failed"];

/**
 * The durable delivery queue and its log. A worker claims a delivery with a
 * lease (`claimed_by`, `claimed_until`) instead of a status: a worker that dies
 * mid-send leaves a lease that expires (or that its successor releases), and
 * the delivery is sent again with the same id — at-least-once.
 */
export class SqlWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly endpoints: SqlWebhookEndpointRepository,
  ) {}

  async enqueue(deliveries: NewWebhookDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const rows = deliveries.map((d) => ({
      id: d.id,
      endpoint_id: d.endpointId,
      event_type: d.eventType,
      room: d.room,
      payload: d.payload,
      attempts: 0,
      status: "pending",
      next_attempt_at: d.createdAt,
      last_error: null,
      last_status_code: null,
      claimed_by: null,
      claimed_until: null,
      created_at: d.createdAt,
      updated_at: d.createdAt,
      delivered_at: null,
    }));
    // One multi-row INSERT: the rows get increasing seq in array order.
    await this.db.insertInto("webhook_deliveries").values(rows).execute();
  }

  async claimDue(o: { now: number; limit: number; leaseMs: number; owner: string }): Promise<ClaimedDelivery[]> {
    const candidates = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .select("d.seq")
      .where("e.enabled", "=", 1)
      .where("d.status", "in", QUEUED)
      .where("d.next_attempt_at", "<=", o.now)
      .where((eb) => eb.or([eb("d.claimed_until", "is", null), eb("d.claimed_until", "<=", o.now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("webhook_deliveries as older")
              .select("older.seq")
              .whereRef("older.endpoint_id", "=", "d.endpoint_id")
              .whereRef("older.room", "=", "d.room")
              .where("older.status", "in", QUEUED)
              .whereRef("older.seq", "<", "d.seq"),
          ),
        ),
      )
      .orderBy("d.seq")
      .limit(o.limit)
      .execute();

    const claimed: number[] = [];
    for (const { seq } of candidates) {
      // Conditional update = compare-and-set: of two workers racing for a row, one wins.
      const r = await this.db
        .updateTable("webhook_deliveries")
        .set({ claimed_by: o.owner, claimed_until: o.now + o.leaseMs })
        .where("seq", "=", seq)
        .where("status", "in", QUEUED)
        .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", o.now)]))
        .executeTakeFirst();
      if (r.numUpdatedRows > 0n) claimed.push(seq);
    }
    if (claimed.length === 0) return [];

    const rows = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .selectAll("d")
      .select(["e.url", "e.secret_sealed", "e.previous_secret_sealed", "e.previous_secret_until"])
      .where("d.seq", "in", claimed)
      .orderBy("d.seq")
      .execute();
    return rows.map((r) => ({
      ...toDelivery(r),
      url: r.url,
      secrets: this.endpoints.openSecrets({ ...r, id: r.endpoint_id }, o.now),
    }));
  }

  async releaseClaims(owner: string): Promise<number> {
    const r = await this.db
      .updateTable("webhook_deliveries")
      .set({ claimed_by: null, claimed_until: null })
      .where("claimed_by", "=", owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async markDelivered(id: string, o: { now: number; statusCode: number }): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set((eb) => ({
        status: "delivered",
        attempts: eb("attempts", "+", 1),
        last_status_code: o.statusCode,
        last_error: null,
        claimed_by: null,
        claimed_until: null,
        delivered_at: o.now,
        updated_at: o.now,
      }))
      .where("id", "=", id)
      .execute();
  }

  async markFailed(id: string, o: { now: number; error: string; statusCode: number | null; retryAt: number | null }): Promise<void> {
    await this.db
      .updateTable("webhook_deliveries")
      .set((eb) => ({
        status: o.retryAt === null ? "dead" : "failed",
        attempts: eb("attempts", "+", 1),
        last_status_code: o.statusCode,
        last_error: o.error.slice(0, 500),
        next_attempt_at: o.retryAt ?? o.now,
        claimed_by: null,
        claimed_until: null,
        updated_at: o.now,
      }))
      .where("id", "=", id)
      // An endpoint disabled meanwhile already made it dead: keep it so.
      .where("status", "in", QUEUED)
      .execute();
  }

  async get(id: string): Promise<WebhookDelivery | null> {
    const row = await this.db.selectFrom("webhook_deliveries").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async prune(o: { before: number }): Promise<number> {
    const r = await this.db
      .deleteFrom("webhook_deliveries")
      .where("status", "in", ["delivered", "dead"])
      .where("updated_at", "<", o.before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async list(o: { endpointId?: string; status?: WebhookDeliveryStatus; limit?: number; before?: string } = {}): Promise<WebhookDelivery[]> {
    let q = this.db.selectFrom("webhook_deliveries").selectAll();
    if (o.endpointId !== undefined) q = q.where("endpoint_id", "=", o.endpointId);
    if (o.status !== undefined) q = q.where("status", "=", o.status);
    if (o.before !== undefined) {
      const before = o.before;
      q = q.where("seq", "<", (eb) => eb.selectFrom("webhook_deliveries").select("seq").where("id", "=", before));
    }
    const rows = await q
      .orderBy("seq", "desc")
      .limit(o.limit ?? 100)
      .execute();
    return rows.map(toDelivery);
  }
}

function toDelivery(r: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventType: r.event_type as WebhookEventType,
    room: r.room,
    payload: r.payload,
    attempts: r.attempts,
    status: r.status as WebhookDeliveryStatus,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    lastStatusCode: r.last_status_code,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: r.delivered_at,
  };
}
