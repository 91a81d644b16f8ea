import { createHmac, timingSafeEqual } from "node:crypto";

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(h: Headers, name: string): string | undefined {
  if (typeof (h as { get?: unknown }).get === "function") return (h as { get(n: string): string | null }).get(name) ?? undefined;
  const v =
    (h as Record<string, string | string[] | undefined>)[name] ?? (h as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies Relais webhooks (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>`). Give every
 * secret in use during a rotation; a signature by any of them is accepted.
 */
export class WebhookReceiver {
  private readonly keys: Buffer[];

  constructor(
    secrets: string | string[],
    private readonly toleranceS = 300,
  ) {
    this.keys = (Array.isArray(secrets) ? secrets : [secrets]).map((s) => Buffer.from(s.startsWith("whsec_") ? s.slice(6) : s, "base64"));
    if (this.keys.length === 0 || this.keys.some((k) => k.length === 0)) throw new Error("WebhookReceiver needs whsec_… secrets");
  }

  /** Returns the parsed event, or throws WebhookVerificationError. `body` must be the raw request body. */
  verify<T = unknown>(body: string | Buffer, headers: Headers, nowS = Math.floor(Date.now() / 1000)): T {
    const id = header(headers, "webhook-id");
    const ts = header(headers, "webhook-timestamp");
    const sigs = header(headers, "webhook-signature");
    if (!id || !ts || !sigs) throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature");
    const t = Number(ts);
    if (!Number.isInteger(t) || Math.abs(nowS - t) > this.toleranceS) throw new WebhookVerificationError("timestamp outside the tolerance");
    const payload = Buffer.concat([Buffer.from(`${id}.${ts}.`), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
    const expected = this.keys.map((k) => createHmac("sha256", k).update(payload).digest());
    for (const part of sigs.split(" ")) {
      const [version, sig] = part.split(",", 2);
      if (version !== "v1" || !sig) continue;
      const given = Buffer.from(sig, "base64");
      if (expected.some((e) => e.length === given.length && timingSafeEqual(e, given)))
        return JSON.parse(payload.subarray(id.length + ts.length + 2).toString("utf8")) as T;
    }
    throw new WebhookVerificationError("no valid signature");
  }
}
