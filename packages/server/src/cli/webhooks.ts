/** `relais webhook add|list|deliveries|delete` over the REST API. */
import type { CreatedWebhook, DeliveryResource, WebhookResource } from "@relais/protocol";
import type { Static } from "@sinclair/typebox";
import { API_FLAGS, API_USAGE_NOTE, apiPath, connectApi } from "./api-client.js";
import { type CommandGroup, parseArgs, subcommands, UsageError } from "./args.js";
import { clip, formatTime, printJson, printTable } from "./output.js";

export const WEBHOOK_USAGE = `  relais webhook add URL [--events participant_joined,participant_left] [--json]
      Register an endpoint (every event type without --events). Prints its
      whsec_… signing secret, shown only this once.
  relais webhook list [--json]
      List the endpoints.
  relais webhook deliveries ID [--json]
      The delivery log of an endpoint, newest first.
  relais webhook delete ID [--json]
      Delete an endpoint.`;

const HELP = `${WEBHOOK_USAGE}\n\n${API_USAGE_NOTE}`;

type Webhook = Static<typeof WebhookResource>;
type Delivery = Static<typeof DeliveryResource>;

const events = (w: Webhook) => (w.events === null ? "all" : w.events.join(","));

function status(w: Webhook): string {
  if (!w.enabled) return `disabled${w.disabledReason ? ` (${clip(w.disabledReason, 60)})` : ""}`;
  return w.failingSince === null ? "enabled" : `failing since ${formatTime(w.failingSince)}`;
}

async function add(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS, "events"], switches: ["json"], positionals: ["URL"] }, HELP);
  const body: Record<string, unknown> = { url: a.arg("URL") };
  const list = a.get("events");
  if (list !== undefined) {
    const names = list
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 0) throw new UsageError("--events needs at least one event type", HELP);
    body["events"] = names;
  }
  const api = await connectApi(a, HELP);
  const w: Static<typeof CreatedWebhook> = await api.call("POST", "/webhooks", body);
  if (a.has("json")) {
    printJson(w);
    return 0;
  }
  printTable(["ID", "URL", "EVENTS", "SECRET"], [[w.id, w.url, events(w), w.secret]], "");
  console.log("\nVerify deliveries with the secret (Standard Webhooks); it is not shown again.");
  return 0;
}

async function list(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS], switches: ["json"] }, HELP);
  const api = await connectApi(a, HELP);
  const res: { webhooks: Webhook[] } = await api.call("GET", "/webhooks");
  if (a.has("json")) {
    printJson(res);
    return 0;
  }
  printTable(
    ["ID", "URL", "EVENTS", "STATUS", "CREATED"],
    res.webhooks.map((w) => [w.id, w.url, events(w), status(w), formatTime(w.createdAt)]),
    "No webhook endpoints. Add one with: relais webhook add URL",
  );
  return 0;
}

function lastAttempt(d: Delivery): string {
  const parts = [d.lastStatusCode === null ? "" : `HTTP ${d.lastStatusCode}`, d.lastError ? clip(d.lastError, 50) : ""].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : "-";
}

async function deliveries(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS], switches: ["json"], positionals: ["ID"] }, HELP);
  const api = await connectApi(a, HELP);
  const res: { deliveries: Delivery[] } = await api.call("GET", apiPath`/webhooks/${a.arg("ID")}/deliveries`);
  if (a.has("json")) {
    printJson(res);
    return 0;
  }
  printTable(
    ["ID", "EVENT", "ROOM", "STATUS", "ATTEMPTS", "LAST ATTEMPT", "CREATED", "NEXT ATTEMPT"],
    res.deliveries.map((d) => [
      d.id,
      d.eventType,
      d.room ?? "-",
      d.status,
      String(d.attempts),
      lastAttempt(d),
      formatTime(d.createdAt),
      d.status === "pending" || d.status === "failed" ? formatTime(d.nextAttemptAt) : "-",
    ]),
    "No deliveries yet.",
  );
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS], switches: ["json"], positionals: ["ID"] }, HELP);
  const id = a.arg("ID");
  const api = await connectApi(a, HELP);
  await api.call("DELETE", apiPath`/webhooks/${id}`);
  if (a.has("json")) printJson({ id, deleted: true });
  else console.log(`Deleted webhook endpoint ${id}.`);
  return 0;
}

export const webhookCommand: CommandGroup = subcommands(
  "webhook",
  { usage: WEBHOOK_USAGE, help: HELP },
  { add, list, deliveries, delete: remove },
);
