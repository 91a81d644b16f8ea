import { randomBytes, randomInt } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstvwxyz";

/** A random identifier with a type prefix, e.g. `RM_4kT9…` for a room (LiveKit's convention). */
export function newSid(prefix: string, length = 12): string {
  const bytes = randomBytes(length);
  let s = `${prefix}_`;
  for (let i = 0; i < length; i++) s += ALPHABET[bytes[i]! % ALPHABET.length];
  return s;
}

/** ICE credentials: ufrag ≥ 4 and pwd ≥ 22 characters of ice-char (RFC 8839 §5.4). */
export function newIceCredentials(): { ufrag: string; pwd: string } {
  return {
    ufrag: randomBytes(6).toString("base64url").replace(/[-_]/g, "x"),
    pwd: randomBytes(24).toString("base64url").replace(/[-_]/g, "y"),
  };
}

/** A random non-zero SSRC not in `taken`. */
export function newSsrc(taken?: Set<number>): number {
  for (;;) {
    const s = randomInt(1, 0xffffffff);
    if (!taken?.has(s)) return s;
  }
}
