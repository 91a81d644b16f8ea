import { decodeJwtPayload, tokenTimeStatus } from "@relais/client";
import type { AccessTokenClaims } from "@relais/protocol";

export type TokenCheck =
  | { ok: true; claims: Partial<AccessTokenClaims> }
  | { ok: false; code: "TOKEN_MISSING" | "TOKEN_INVALID" | "TOKEN_EXPIRED" | "TOKEN_NOT_YET_VALID" | "TOKEN_WRONG_ROOM" };

/**
 * What can be told about the token before connecting: present, readable,
 * within its validity, for this room. The signature is the server's to check.
 */
export function checkToken(token: string | null, room: string | null, nowS: number): TokenCheck {
  if (!token) return { ok: false, code: "TOKEN_MISSING" };
  const claims = decodeJwtPayload(token);
  if (!claims) return { ok: false, code: "TOKEN_INVALID" };
  const time = tokenTimeStatus(claims, nowS);
  if (time === "expired") return { ok: false, code: "TOKEN_EXPIRED" };
  if (time === "notYetValid") return { ok: false, code: "TOKEN_NOT_YET_VALID" };
  if (room !== null && typeof claims.room === "string" && claims.room !== room) return { ok: false, code: "TOKEN_WRONG_ROOM" };
  return { ok: true, claims };
}
