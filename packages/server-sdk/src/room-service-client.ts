import type { CreateRoomBody, CreateTokenBody, ParticipantResource, RoomResource, UpdateParticipantBody } from "@relais/protocol";

/** A REST call that failed: the server's stable `code` (docs/errors.md), its message and HTTP status. */
export class RelaisApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "RelaisApiError";
  }
}

/** Client of the REST API (`/v1`), authenticated with HTTP Basic key:secret. */
export class RoomServiceClient {
  private readonly base: string;
  private readonly auth: string;

  constructor(url: string, apiKey: string, apiSecret: string) {
    this.base = url.replace(/\/$/, "").replace(/^ws/, "http");
    this.auth = `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString("base64")}`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/v1${path}`, {
      method,
      headers: { authorization: this.auth, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) {
      const e = (parsed ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
      throw new RelaisApiError(res.status, e.code ?? "INTERNAL", e.message ?? res.statusText, e.details);
    }
    return parsed as T;
  }

  createRoom(room: CreateRoomBody): Promise<RoomResource> {
    return this.call("POST", "/rooms", room);
  }

  async listRooms(o: { prefix?: string; limit?: number } = {}): Promise<RoomResource[]> {
    const out: RoomResource[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams();
      if (o.prefix) q.set("prefix", o.prefix);
      if (o.limit) q.set("limit", String(o.limit));
      if (cursor) q.set("cursor", cursor);
      const page: { rooms: RoomResource[]; nextCursor: string | null } = await this.call("GET", `/rooms?${q}`);
      out.push(...page.rooms);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  getRoom(name: string): Promise<RoomResource> {
    return this.call("GET", `/rooms/${encodeURIComponent(name)}`);
  }

  updateRoomMetadata(name: string, metadata: string): Promise<RoomResource> {
    return this.call("PATCH", `/rooms/${encodeURIComponent(name)}`, { metadata });
  }

  async deleteRoom(name: string): Promise<void> {
    await this.call("DELETE", `/rooms/${encodeURIComponent(name)}`);
  }

  async listParticipants(room: string): Promise<ParticipantResource[]> {
    return (await this.call<{ participants: ParticipantResource[] }>("GET", `/rooms/${encodeURIComponent(room)}/participants`))
      .participants;
  }

  getParticipant(room: string, identity: string): Promise<ParticipantResource> {
    return this.call("GET", `/rooms/${encodeURIComponent(room)}/participants/${encodeURIComponent(identity)}`);
  }

  updateParticipant(room: string, identity: string, change: UpdateParticipantBody): Promise<ParticipantResource> {
    return this.call("PATCH", `/rooms/${encodeURIComponent(room)}/participants/${encodeURIComponent(identity)}`, change);
  }

  mutePublishedTrack(room: string, identity: string, trackSid: string, muted: boolean): Promise<ParticipantResource> {
    return this.call(
      "POST",
      `/rooms/${encodeURIComponent(room)}/participants/${encodeURIComponent(identity)}/tracks/${encodeURIComponent(trackSid)}/mute`,
      { muted },
    );
  }

  async removeParticipant(room: string, identity: string): Promise<void> {
    await this.call("DELETE", `/rooms/${encodeURIComponent(room)}/participants/${encodeURIComponent(identity)}`);
  }

  createToken(body: CreateTokenBody): Promise<{ token: string; expiresAt: number }> {
    return this.call("POST", "/tokens", body);
  }
}
