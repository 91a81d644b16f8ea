/**
 * WebhookDispatcher: room events in, signed HTTP POSTs out, through a durable queue.
 *
 *   const webhooks = new WebhookDispatcher({ store, log });   // fetch, clock, retrySchedule… optional
 *   await webhooks.start();          // releases this node's stale claims, starts the worker loop
 *   webhooks.emit({ type: "participant_joined", room: { sid, name }, participant: { sid, identity, name } });
 *   await webhooks.close();          // stops the loop; the queue stays in the store
 *
 * - `emit(event)` is synchronous and never throws: it fills in `id` and
 *   `createdAt` and queues one delivery per enabled endpoint subscribed to the
 *   type. Persistence runs in the background, in emit order; errors are logged.
 * - The worker claims due deliveries (store lease), POSTs the stored body with
 *   Standard Webhooks headers (`webhook-id` = the delivery id, the same on
 *   every retry), `content-type: application/json`, a 10 s timeout, no redirects.
 * - 2xx = delivered. Anything else is retried (retry.ts: backoff with full
 *   jitter for ≥ 24 h), then dead. 410 Gone disables the endpoint at once; an
 *   endpoint failing without a single success for `disableAfterMs` is disabled.
 *   Both leave a `disabled` entry in the endpoint's event log.
 * - Per endpoint and room, a delivery waits until the previous one is delivered
 *   or dead (the store's claim enforces it).
 * - At-least-once: every state is in the store. A delivery in flight when the
 *   process stopped is claimed by `owner`; `start()` releases those claims
 *   (other nodes' claims expire with their lease), and it is sent again.
 */
import type { WebhookEvent } from "@relais/protocol";
import type { Logger } from "pino";
import { newSid } from "../shared/ids.js";
import type { ClaimedDelivery, Store } from "../store/types.js";
import { DEFAULT_MAX_RETRY_AGE_MS, DEFAULT_RETRY_SCHEDULE_MS, nextAttemptAt, parseRetryAfter, type RetryPolicy } from "./retry.js";
import { signatureHeaders } from "./signing.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A domain event as the rooms layer produces it; `id` and `createdAt` default to a new id and the clock. */
export type WebhookEventInput = DistributiveOmit<WebhookEvent, "id" | "createdAt"> & { id?: string; createdAt?: number };

export interface WebhookClock {
  /** Unix milliseconds. */
  now(): number;
}

export interface WebhookDispatcherOptions {
  store: Pick<Store, "webhooks">;
  log: Logger;
  fetch?: typeof fetch;
  clock?: WebhookClock;
  /** Source of jitter, [0, 1). */
  random?: () => number;
  /** Backoff caps after the 1st, 2nd, … failure; the last repeats (default 5 s, 30 s, 2 m, 10 m, 1 h, 3 h, 6 h). */
  retrySchedule?: readonly number[];
  /** A delivery failing when older than this is dead (default 24 h). */
  maxRetryAgeMs?: number;
  /** An endpoint failing continuously for this long is disabled (default 72 h). */
  disableAfterMs?: number;
  requestTimeoutMs?: number;
  /** How often the worker looks for due retries when nothing wakes it (default 1 s). */
  pollIntervalMs?: number;
  /** Deliveries sent concurrently per pass (default 16). */
  batchSize?: number;
  /** How long a claim protects a delivery in flight from other workers (default 60 s). */
  leaseMs?: number;
  /** Names this node's claims; stable across restarts (default "local"). */
  owner?: string;
}

type State = "idle" | "running" | "closed";

export class WebhookDispatcher {
  private readonly store: Pick<Store, "webhooks">;
  private readonly log: Logger;
  private readonly fetch: typeof fetch;
  private readonly clock: WebhookClock;
  private readonly random: () => number;
  private readonly policy: RetryPolicy;
  private readonly disableAfterMs: number;
  private readonly requestTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly owner: string;

  private state: State = "idle";
  private queued: Promise<void> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private wakeAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | null = null;
  /** Aborts requests in flight on close(); their claims are released at the next start(). */
  private readonly abort = new AbortController();

  constructor(o: WebhookDispatcherOptions) {
    this.store = o.store;
    this.log = o.log;
    this.fetch = o.fetch ?? globalThis.fetch;
    this.clock = o.clock ?? { now: Date.now };
    this.random = o.random ?? Math.random;
    this.policy = { scheduleMs: o.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS, maxAgeMs: o.maxRetryAgeMs ?? DEFAULT_MAX_RETRY_AGE_MS };
    this.disableAfterMs = o.disableAfterMs ?? 72 * 3600_000;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 10_000;
    this.pollIntervalMs = o.pollIntervalMs ?? 1000;
    this.batchSize = o.batchSize ?? 16;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.owner = o.owner ?? "local";
  }

  emit(input: WebhookEventInput): void {
    if (this.state === "closed" || this.closing) {
      this.log.warn({ type: input.type, room: input.room.name }, "webhook event after close: dropped");
      return;
    }
    const event = { ...input, id: input.id ?? newSid("EV", 16), createdAt: input.createdAt ?? this.clock.now() } as WebhookEvent;
    this.queued = this.queued
      .then(() => this.enqueue(event))
      .catch((err: unknown) => this.log.error({ err, type: event.type, eventId: event.id }, "webhook event not queued"));
  }

  /** Resolves once every event emitted so far is in the store. */
  flush(): Promise<void> {
    return this.queued;
  }

  async start(): Promise<void> {
    if (this.state !== "idle") return;
    this.state = "running";
    const released = await this.store.webhooks.deliveries.releaseClaims(this.owner);
    if (released > 0) this.log.info({ released }, "webhook deliveries in flight at the last stop are due again");
    this.wake();
  }

  /**
   * One pass: claims what is due now and sends it. The worker loop calls it;
   * tests with an injected clock call it directly. Returns how many were sent.
   */
  async runDue(): Promise<number> {
    const batch = await this.store.webhooks.deliveries.claimDue({
      now: this.clock.now(),
      limit: this.batchSize,
      leaseMs: this.leaseMs,
      owner: this.owner,
    });
    await Promise.all(
      batch.map((d) =>
        this.deliver(d).catch((err: unknown) => this.log.error({ err, deliveryId: d.id }, "webhook delivery bookkeeping failed")),
      ),
    );
    return batch.length;
  }

  /** Stops the worker; queued deliveries stay in the store. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queued;
      this.state = "closed";
      clearTimeout(this.timer);
      this.abort.abort();
      await this.loop;
    })();
    return this.closing;
  }

  private async enqueue(event: WebhookEvent): Promise<void> {
    const endpoints = await this.store.webhooks.endpoints.listSubscribed(event.type);
    if (endpoints.length === 0) return;
    const payload = JSON.stringify(event);
    const createdAt = this.clock.now();
    await this.store.webhooks.deliveries.enqueue(
      endpoints.map((e) => ({ id: newSid("msg", 20), endpointId: e.id, eventType: event.type, room: event.room.name, payload, createdAt })),
    );
    this.wake();
  }

  private wake(): void {
    if (this.state !== "running") return;
    if (this.loop) {
      this.wakeAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.loop = this.drain().finally(() => {
      this.loop = null;
      if (this.state !== "running") return;
      if (this.wakeAgain) this.wake();
      else this.timer = setTimeout(() => this.wake(), this.pollIntervalMs).unref();
    });
  }

  private async drain(): Promise<void> {
    let sent: number;
    do {
      this.wakeAgain = false;
      try {
        sent = await this.runDue();
      } catch (err) {
        this.log.error({ err }, "webhook worker pass failed");
        return;
      }
    } while (sent > 0 && this.state === "running");
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const timestamp = Math.floor(this.clock.now() / 1000);
    const headers = {
      "content-type": "application/json",
      "user-agent": "Relais-Webhooks/1",
      ...signatureHeaders({ id: d.id, timestamp, body: d.payload, secrets: d.secrets }),
    };
    let statusCode: number | null = null;
    let error: string;
    let retryAfterMs: number | null = null;
    // Our own (ref'd) timer rather than AbortSignal.timeout, whose unref'd timer
    // lets a process with nothing else to do exit with the request pending.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException("request timed out", "TimeoutError")), this.requestTimeoutMs);
    try {
      const res = await this.fetch(d.url, {
        method: "POST",
        headers,
        body: d.payload,
        redirect: "manual",
        signal: AbortSignal.any([timeout.signal, this.abort.signal]),
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => {});
      if (statusCode >= 200 && statusCode < 300) {
        await this.store.webhooks.deliveries.markDelivered(d.id, { now: this.clock.now(), statusCode });
        await this.store.webhooks.endpoints.markHealthy(d.endpointId);
        return;
      }
      error = `HTTP ${statusCode}`;
      retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.clock.now());
    } catch (err) {
      // Closing: leave the claim; the next start() makes the delivery due again.
      if (this.abort.signal.aborted) return;
      error = describeFetchError(err, this.requestTimeoutMs);
    } finally {
      clearTimeout(timer);
    }
    await this.recordFailure(d, { statusCode, error, retryAfterMs });
  }

  private async recordFailure(
    d: ClaimedDelivery,
    o: { statusCode: number | null; error: string; retryAfterMs: number | null },
  ): Promise<void> {
    const now = this.clock.now();
    const attempts = d.attempts + 1;
    const gone = o.statusCode === 410;
    const retryAt = gone
      ? null
      : nextAttemptAt({ policy: this.policy, attempts, createdAt: d.createdAt, now, random: this.random, retryAfterMs: o.retryAfterMs });
    await this.store.webhooks.deliveries.markFailed(d.id, { now, error: o.error, statusCode: o.statusCode, retryAt });
    this.log.warn(
      { deliveryId: d.id, endpointId: d.endpointId, attempts, error: o.error, retryAt },
      retryAt ? "webhook delivery failed; will retry" : "webhook delivery dead",
    );

    const failingSince = await this.store.webhooks.endpoints.markFailing(d.endpointId, now);
    let reason: string | null = null;
    if (gone) reason = "the endpoint answered 410 Gone";
    else if (failingSince !== null && now - failingSince >= this.disableAfterMs) {
      reason = `every attempt failed for ${Math.round((now - failingSince) / 3600_000)} h (last: ${o.error})`;
    }
    if (reason) {
      await this.store.webhooks.endpoints.disable(d.endpointId, { now, reason });
      this.log.warn({ endpointId: d.endpointId, url: d.url, reason }, "webhook endpoint disabled");
    }
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return `timeout after ${timeoutMs} ms`;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${err.message}: ${cause.code}` : cause?.message ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
