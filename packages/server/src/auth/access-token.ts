import { type AccessTokenClaims, type ResolvedGrants, resolveGrants, type VideoGrants } from "@relais/protocol";
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { RelaisError } from "../shared/relais-error.js";

export interface CreateTokenOptions {
  apiKey: string;
  apiSecret: string;
  room: string;
  /** Omit for a shared room link: each joiner then gets a generated identity. */
  identity?: string;
  name?: string;
  metadata?: string;
  grants?: VideoGrants;
  ttlS: number;
  /** Not valid before (Unix seconds); defaults to now. */
  notBefore?: number;
}

const MAX_TTL_S = 30 * 86400;

/** Mints a Relais access token: a JWT signed HS256 with the API secret, `iss` = API key. */
export async function createAccessToken(o: CreateTokenOptions): Promise<string> {
  if (!o.room) throw new Error("room is required");
  if (!(o.ttlS > 0 && o.ttlS <= MAX_TTL_S)) throw new Error(`ttl must be between 1 s and ${MAX_TTL_S} s`);
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { room: o.room, grants: o.grants ?? { join: true, publish: true, subscribe: true } };
  if (o.name) claims["name"] = o.name;
  if (o.metadata) claims["metadata"] = o.metadata;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(o.apiKey)
    .setIssuedAt(now)
    .setNotBefore(o.notBefore ?? now)
    .setExpirationTime(now + Math.floor(o.ttlS));
  if (o.identity) jwt.setSubject(o.identity);
  return jwt.sign(Buffer.from(o.apiSecret, "utf8"));
}

export interface VerifiedToken {
  claims: AccessTokenClaims;
  /** Absent for a shared room link. */
  identity: string | null;
  grants: ResolvedGrants;
}

/** Clock skew tolerated on exp/nbf. */
const CLOCK_TOLERANCE_S = 10;

/**
 * The secret of an active API key, or null/undefined when the key is unknown or
 * revoked. The node reads the store on every call, so a revocation is effective
 * on the next verification.
 */
export type SecretLookup = (apiKey: string) => Promise<string | null | undefined> | string | null | undefined;

/**
 * Verifies signature (with the secret of the token's API key), exp/nbf, and that
 * the token is for `room` when one is given. Throws RelaisError with a stable code.
 */
export async function verifyAccessToken(token: string, secretFor: SecretLookup, room?: string): Promise<VerifiedToken> {
  let apiKey: string | undefined;
  try {
    if (decodeProtectedHeader(token).alg !== "HS256") throw new RelaisError("TOKEN_INVALID", "Unsupported token algorithm.");
    apiKey = decodeJwt(token).iss;
  } catch (err) {
    if (err instanceof RelaisError) throw err;
    throw new RelaisError("TOKEN_INVALID");
  }
  const secret = apiKey ? await secretFor(apiKey) : undefined;
  if (!secret) throw new RelaisError("TOKEN_INVALID", "The token's API key is unknown or revoked.");
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, Buffer.from(secret, "utf8"), { algorithms: ["HS256"], clockTolerance: CLOCK_TOLERANCE_S }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new RelaisError("TOKEN_EXPIRED");
    if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "nbf") throw new RelaisError("TOKEN_NOT_YET_VALID");
    throw new RelaisError("TOKEN_INVALID");
  }
  if (typeof payload["room"] !== "string" || typeof payload["exp"] !== "number") {
    throw new RelaisError("TOKEN_INVALID", "The token lacks a room or an expiry.");
  }
  if (room !== undefined && payload["room"] !== room) throw new RelaisError("TOKEN_WRONG_ROOM");
  const grants = resolveGrants(
    typeof payload["grants"] === "object" && payload["grants"] !== null ? (payload["grants"] as VideoGrants) : undefined,
  );
  if (!grants.join) throw new RelaisError("PERMISSION_DENIED", "The token does not grant joining a room.");
  const sub = typeof payload["sub"] === "string" && payload["sub"] !== "" ? payload["sub"] : null;
  return { claims: payload as unknown as AccessTokenClaims, identity: sub, grants };
}
