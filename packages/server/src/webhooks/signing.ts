import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/, spec 1.0.0,
 * "Signature scheme" and "Webhook headers"):
 *
 *   webhook-id:        msg_…         (stable across retries; no ".")
 *   webhook-timestamp: 1674087231    (Unix seconds of this attempt)
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")> [v1,… …]
 *
 * `key` is the base64-decoded part of the `whsec_…` secret. Several
 * space-separated signatures are sent while a secret is being rotated; a
 * receiver accepts the request when any one of them matches any of its secrets.
 */

const SECRET_PREFIX = "whsec_";

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
export function secretKey(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  if (key.length === 0) throw new Error("empty webhook secret");
  return key;
}

/** One `v1,<base64>` signature. */
export function sign(o: { id: string; timestamp: number; body: string | Buffer; secret: string }): string {
  return `v1,${mac(secretKey(o.secret), o.id, String(o.timestamp), o.body).toString("base64")}`;
}

/** The three headers of one attempt, signed with every given secret (current first). */
export function signatureHeaders(o: { id: string; timestamp: number; body: string | Buffer; secrets: string[] }): Record<string, string> {
  return {
    "webhook-id": o.id,
    "webhook-timestamp": String(o.timestamp),
    "webhook-signature": o.secrets.map((secret) => sign({ id: o.id, timestamp: o.timestamp, body: o.body, secret })).join(" "),
  };
}

export type VerifyFailure = "missing_header" | "invalid_timestamp" | "timestamp_out_of_tolerance" | "no_matching_signature";
export type VerifyResult = { ok: true; id: string; timestamp: number } | { ok: false; reason: VerifyFailure };

/** Request headers as node:http gives them (lower-case keys) or a fetch `Headers`. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/**
 * Checks a received webhook: headers present, timestamp within `toleranceS`
 * of `nowS` (replay protection), and a `v1` signature that matches one of
 * `secrets` (compared in constant time). `body` must be the raw bytes received.
 */
export function verify(
  body: string | Buffer,
  headers: HeaderSource,
  secrets: string[],
  o: { toleranceS?: number; nowS?: number } = {},
): VerifyResult {
  const id = header(headers, "webhook-id");
  const ts = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !ts || !signatures) return { ok: false, reason: "missing_header" };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: "invalid_timestamp" };
  const timestamp = Number(ts);
  const nowS = o.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowS - timestamp) > (o.toleranceS ?? 300)) return { ok: false, reason: "timestamp_out_of_tolerance" };

  const expected = secrets.map((s) => mac(secretKey(s), id, ts, body));
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const given = Buffer.from(entry.slice(comma + 1), "base64");
    for (const e of expected) {
      if (given.length === e.length && timingSafeEqual(given, e)) return { ok: true, id, timestamp };
    }
  }
  return { ok: false, reason: "no_matching_signature" };
}

function mac(key: Buffer, id: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac("sha256", key).update(`${id}.${timestamp}.`, "utf8").update(body).digest();
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}
