import type { Kysely, Selectable } from "kysely";
import { RelaisError } from "../shared/relais-error.js";
import type { Database, RoomsTable } from "./schema.js";
import type { NewRoom, RoomPage, RoomRecord, RoomRepository } from "./types.js";

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/** Room configuration, keyed by its unique name. */
export class SqlRoomRepository implements RoomRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(room: NewRoom): Promise<RoomRecord> {
    const now = Date.now();
    const row: Selectable<RoomsTable> = {
      name: room.name,
      max_participants: room.maxParticipants ?? 0,
      empty_timeout_s: room.emptyTimeoutS ?? 300,
      metadata: room.metadata ?? "",
      residency_policy: room.residencyPolicy ?? null,
      created_at: now,
      updated_at: now,
    };
    // ON CONFLICT DO NOTHING exists in both engines and, unlike catching the
    // driver's unique-violation error, looks the same in both.
    const r = await this.db
      .insertInto("rooms")
      .values(row)
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    if (!r.numInsertedOrUpdatedRows) throw new RelaisError("ROOM_ALREADY_EXISTS", undefined, { name: room.name });
    return toRecord(row);
  }

  async get(name: string): Promise<RoomRecord | null> {
    const row = await this.db.selectFrom("rooms").selectAll().where("name", "=", name).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(o: { limit?: number; cursor?: string | null; namePrefix?: string } = {}): Promise<RoomPage> {
    const limit = Math.min(Math.max(1, o.limit ?? DEFAULT_PAGE), MAX_PAGE);
    let q = this.db.selectFrom("rooms").selectAll();
    if (o.cursor) q = q.where("name", ">", decodeCursor(o.cursor));
    const prefix = o.namePrefix;
    // substr/length count characters in both engines and compare exactly,
    // where LIKE is case-insensitive in SQLite and treats % and _ as patterns.
    if (prefix) q = q.where((eb) => eb(eb.fn("substr", ["name", eb.lit(1), eb.val(prefix.length)]), "=", prefix));
    const rows = await q
      .orderBy("name")
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(toRecord);
    return { rooms: page, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.name) : null };
  }

  async updateMetadata(name: string, metadata: string): Promise<RoomRecord | null> {
    await this.db.updateTable("rooms").set({ metadata, updated_at: Date.now() }).where("name", "=", name).execute();
    return this.get(name);
  }

  async delete(name: string): Promise<boolean> {
    const r = await this.db.deleteFrom("rooms").where("name", "=", name).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}

function encodeCursor(name: string): string {
  return Buffer.from(name, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, "base64url").toString("utf8");
}

function toRecord(row: Selectable<RoomsTable>): RoomRecord {
  return {
    name: row.name,
    maxParticipants: row.max_participants,
    emptyTimeoutS: row.empty_timeout_s,
    metadata: row.metadata,
    residencyPolicy: row.residency_policy,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
