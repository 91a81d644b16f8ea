import type { VideoGrants } from "@relais/protocol";
import { SignJWT } from "jose";

export interface AccessTokenOptions {
  /** Omit for a shared room link: each joiner then gets a generated identity. */
  identity?: string;
  name?: string;
  metadata?: string;
  /** Lifetime in seconds (default 2 h, at most 30 days). */
  ttlS?: number;
}

/**
 * Builds a Relais access token: a JWT signed HS256 with the API secret, `iss` = API key.
 *
 *   const jwt = await new AccessToken(key, secret, { identity: "alice" }).forRoom("demo").withGrants({ publish: false }).toJwt();
 */
export class AccessToken {
  private room: string | null = null;
  private grants: VideoGrants = { join: true, publish: true, subscribe: true };

  constructor(
    private readonly apiKey: string,
    private readonly apiSecret: string,
    private readonly options: AccessTokenOptions = {},
  ) {
    if (!apiKey || !apiSecret) throw new Error("AccessToken needs an API key and secret");
  }

  forRoom(room: string): this {
    this.room = room;
    return this;
  }

  /** Grants not given keep their defaults (join, publish, subscribe true; admin, record false). */
  withGrants(grants: VideoGrants): this {
    this.grants = { ...this.grants, ...grants };
    return this;
  }

  async toJwt(): Promise<string> {
    if (!this.room) throw new Error("call forRoom(name) before toJwt()");
    const ttl = this.options.ttlS ?? 7200;
    if (!(ttl > 0 && ttl <= 30 * 86400)) throw new Error("ttlS must be between 1 and 2592000");
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { room: this.room, grants: this.grants };
    if (this.options.name) claims["name"] = this.options.name;
    if (this.options.metadata) claims["metadata"] = this.options.metadata;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(this.apiKey)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + Math.floor(ttl));
    if (this.options.identity) jwt.setSubject(this.options.identity);
    return jwt.sign(Buffer.from(this.apiSecret, "utf8"));
  }
}
