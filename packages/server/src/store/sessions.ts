import type { DisconnectReason } from "@relais/protocol";
import type { Kysely, Selectable } from "kysely";
import type { Database, ParticipantSessionsTable } from "./schema.js";
import type { ParticipantSessionRecord, RoomSessionRecord, SessionRepository } from "./types.js";

const DEFAULT_LIMIT = 100;

/** Who was in which room, and when: the basis for audit and GDPR export later. */
export class SqlSessionRepository implements SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async roomStarted(o: { sid: string; name: string; at: number }): Promise<void> {
    await this.db.insertInto("room_sessions").values({ sid: o.sid, name: o.name, started_at: o.at, finished_at: null }).execute();
  }

  async roomFinished(o: { sid: string; at: number }): Promise<void> {
    await this.db
      .updateTable("room_sessions")
      .set({ finished_at: o.at })
      .where("sid", "=", o.sid)
      .where("finished_at", "is", null)
      .execute();
  }

  async participantJoined(o: {
    participantSid: string;
    roomSid: string;
    roomName: string;
    identity: string;
    name: string;
    at: number;
  }): Promise<void> {
    await this.db
      .insertInto("participant_sessions")
      .values({
        participant_sid: o.participantSid,
        room_sid: o.roomSid,
        room_name: o.roomName,
        identity: o.identity,
        name: o.name,
        joined_at: o.at,
        left_at: null,
        reason: null,
      })
      .execute();
  }

  async participantLeft(o: { participantSid: string; at: number; reason: DisconnectReason }): Promise<void> {
    await this.db
      .updateTable("participant_sessions")
      .set({ left_at: o.at, reason: o.reason })
      .where("participant_sid", "=", o.participantSid)
      .where("left_at", "is", null)
      .execute();
  }

  async closeOpen(o: { at: number; reason: DisconnectReason }): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable("participant_sessions")
        .set({ left_at: o.at, reason: o.reason })
        .where("left_at", "is", null)
        .executeTakeFirst();
      await tx.updateTable("room_sessions").set({ finished_at: o.at }).where("finished_at", "is", null).execute();
      return Number(r.numUpdatedRows);
    });
  }

  async listRooms(o: { name?: string; limit?: number } = {}): Promise<RoomSessionRecord[]> {
    let q = this.db.selectFrom("room_sessions").selectAll();
    if (o.name !== undefined) q = q.where("name", "=", o.name);
    const rows = await q
      .orderBy("started_at", "desc")
      .orderBy("sid", "desc")
      .limit(o.limit ?? DEFAULT_LIMIT)
      .execute();
    return rows.map((r) => ({ sid: r.sid, name: r.name, startedAt: r.started_at, finishedAt: r.finished_at }));
  }

  async listParticipants(
    o: { roomName?: string; roomSid?: string; identity?: string; limit?: number } = {},
  ): Promise<ParticipantSessionRecord[]> {
    let q = this.db.selectFrom("participant_sessions").selectAll();
    if (o.roomName !== undefined) q = q.where("room_name", "=", o.roomName);
    if (o.roomSid !== undefined) q = q.where("room_sid", "=", o.roomSid);
    if (o.identity !== undefined) q = q.where("identity", "=", o.identity);
    const rows = await q
      .orderBy("joined_at", "desc")
      .orderBy("participant_sid", "desc")
      .limit(o.limit ?? DEFAULT_LIMIT)
      .execute();
    return rows.map(toParticipant);
  }
}

function toParticipant(r: Selectable<ParticipantSessionsTable>): ParticipantSessionRecord {
  return {
    participantSid: r.participant_sid,
    roomSid: r.room_sid,
    roomName: r.room_name,
    identity: r.identity,
    name: r.name,
    joinedAt: r.joined_at,
    leftAt: r.left_at,
    reason: r.reason as DisconnectReason | null,
  };
}
