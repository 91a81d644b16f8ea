import type { FastifyRequest } from "fastify";
import { decodeJwt, jwtVerify } from "jose";
import { RelaisError } from "../shared/relais-error.js";

/**
 * Where API credentials are checked: the store's API keys, read on every call
 * (no cache), so a revoked key fails on the very next request.
 */
export interface ApiCredentials {
  /** HTTP Basic: non-null when `secret` is the secret of `apiKey` and the key is not revoked. */
  verify(apiKey: string, secret: string): Promise<object | null>;
  /** The secret of an active key (verifies admin tokens, signs minted ones); null when unknown or revoked. */
  secretFor(apiKey: string): Promise<string | null>;
}

/** Who is calling: the API key, and for an admin token the room it is limited to (null = all rooms). */
export interface ApiCaller {
  apiKey: string;
  room: string | null;
}

/**
 * Authenticates a REST call: HTTP Basic `key:secret`, or `Bearer <jwt>` signed
 * HS256 with a key's secret and carrying `grants.admin` (a `room` claim limits it
 * to that room). Throws UNAUTHORIZED / PERMISSION_DENIED.
 */
export async function authenticate(req: FastifyRequest, credentials: ApiCredentials): Promise<ApiCaller> {
  const header = req.headers.authorization ?? "";
  const [scheme, value] = header.split(" ", 2) as [string, string | undefined];
  if (scheme.toLowerCase() === "basic" && value) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) throw new RelaisError("UNAUTHORIZED");
    const key = decoded.slice(0, colon);
    // The store compares salted hashes in constant time; the secret is never decrypted for Basic.
    if (!(await credentials.verify(key, decoded.slice(colon + 1)))) throw new RelaisError("UNAUTHORIZED");
    return { apiKey: key, room: null };
  }
  if (scheme.toLowerCase() === "bearer" && value) {
    let iss: string | undefined;
    try {
      iss = decodeJwt(value).iss;
    } catch {
      throw new RelaisError("UNAUTHORIZED");
    }
    const secret = iss ? await credentials.secretFor(iss) : null;
    if (!secret) throw new RelaisError("UNAUTHORIZED");
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(value, Buffer.from(secret, "utf8"), { algorithms: ["HS256"], clockTolerance: 10 }));
    } catch {
      throw new RelaisError("UNAUTHORIZED");
    }
    const grants = payload["grants"] as { admin?: unknown } | undefined;
    if (grants?.admin !== true) throw new RelaisError("PERMISSION_DENIED", "The token does not grant admin.");
    return { apiKey: iss!, room: typeof payload["room"] === "string" ? payload["room"] : null };
  }
  throw new RelaisError("UNAUTHORIZED");
}

/** A room-limited admin token may only touch its room. */
export function assertRoomAccess(caller: ApiCaller, room: string): void {
  if (caller.room !== null && caller.room !== room) throw new RelaisError("PERMISSION_DENIED", "The token is limited to another room.");
}
