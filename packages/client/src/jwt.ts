import type { AccessTokenClaims } from "@relais/protocol";

/**
 * Reads the payload of a JWT without verifying it. The SDK and the web app use
 * it only to show the name, room and expiry before connecting; the server
 * verifies the signature on every connect.
 */
export function decodeJwtPayload(token: string): Partial<AccessTokenClaims> | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const json = new TextDecoder().decode(base64UrlToBytes(parts[1]));
    const payload: unknown = JSON.parse(json);
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return null;
    return payload as Partial<AccessTokenClaims>;
  } catch {
    return null;
  }
}

function base64UrlToBytes(input: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(input)) throw new Error("not base64url");
  const base64 = input.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (input.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export type TokenTimeStatus = "valid" | "expired" | "notYetValid";

/**
 * Checks `exp` and `nbf` against `nowS` (Unix seconds), allowing `skewS` of
 * clock difference between this device and the server.
 */
export function tokenTimeStatus(claims: Partial<AccessTokenClaims>, nowS: number, skewS = 30): TokenTimeStatus {
  if (typeof claims.exp === "number" && nowS - skewS >= claims.exp) return "expired";
  if (typeof claims.nbf === "number" && nowS + skewS < claims.nbf) return "notYetValid";
  return "valid";
}
