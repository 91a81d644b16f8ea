import { CreateRoomBody, ErrorResponse, ListRoomsQuery, RoomList, RoomParams, RoomResource, UpdateRoomBody } from "@relais/protocol";
import type { FastifyInstance } from "fastify";
import type { RoomManager } from "../rooms/room-manager.js";
import { RelaisError } from "../shared/relais-error.js";
import type { RoomRecord, RoomRepository } from "../store/types.js";
import { type ApiCaller, assertRoomAccess } from "./api-auth.js";
import { roomResource } from "./resources.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };

/**
 * /v1/rooms. A room created here is durable: its configuration stays in the
 * store until DELETE, and its live session starts now and again on every join
 * after an empty timeout. Rooms created on demand by a join token are live only.
 */
export function registerRoomRoutes(
  app: FastifyInstance,
  rooms: RoomManager,
  configs: RoomRepository,
  caller: (req: unknown) => ApiCaller,
): void {
  const find = async (name: string) => {
    const live = rooms.get(name);
    const config = await configs.get(name);
    if (!live && !config) throw new RelaisError("ROOM_NOT_FOUND");
    return { live, config };
  };

  app.post<{ Body: CreateRoomBody }>(
    "/rooms",
    {
      schema: {
        tags: ["rooms"],
        summary: "Create a room (its configuration is stored)",
        body: CreateRoomBody,
        response: { 201: RoomResource, ...errors },
      },
    },
    async (req, reply) => {
      assertRoomAccess(caller(req), req.body.name);
      const { name, residencyPolicy, ...settings } = req.body;
      if (rooms.get(name)) throw new RelaisError("ROOM_ALREADY_EXISTS");
      const config = await configs.create({ name, ...settings, residencyPolicy: residencyPolicy ?? null });
      const live =
        rooms.get(name) ??
        rooms.create(name, {
          maxParticipants: config.maxParticipants || undefined,
          emptyTimeoutS: config.emptyTimeoutS,
          metadata: config.metadata,
        });
      return reply.code(201).send(roomResource(live, config));
    },
  );

  app.get<{ Querystring: ListRoomsQuery }>(
    "/rooms",
    {
      schema: {
        tags: ["rooms"],
        summary: "List rooms, configured and live (paginated by name)",
        querystring: ListRoomsQuery,
        response: { 200: RoomList, ...errors },
      },
    },
    async (req) => {
      const c = caller(req);
      const limit = req.query.limit ?? 100;
      const prefix = req.query.prefix ?? "";
      const after = req.query.cursor ? Buffer.from(req.query.cursor, "base64url").toString("utf8") : "";
      // Configured rooms come from the store page by page; live-only rooms from memory. Merge by name.
      const stored = new Map<string, RoomRecord>();
      let cursor: string | null = null;
      do {
        const page = await configs.list({ limit: 500, cursor, namePrefix: prefix });
        for (const r of page.rooms) stored.set(r.name, r);
        cursor = page.nextCursor;
      } while (cursor);
      const names = new Set([...stored.keys(), ...rooms.list().map((r) => r.name)]);
      const sorted = [...names]
        .filter((n) => n.startsWith(prefix) && n > after && (c.room === null || n === c.room))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const page = sorted.slice(0, limit);
      return {
        rooms: page.map((n) => roomResource(rooms.get(n), stored.get(n) ?? null)),
        nextCursor: sorted.length > limit ? Buffer.from(page[page.length - 1]!).toString("base64url") : null,
      };
    },
  );

  app.get<{ Params: { room: string } }>(
    "/rooms/:room",
    { schema: { tags: ["rooms"], summary: "Get a room", params: RoomParams, response: { 200: RoomResource, ...errors } } },
    async (req) => {
      assertRoomAccess(caller(req), req.params.room);
      const { live, config } = await find(req.params.room);
      return roomResource(live, config);
    },
  );

  app.patch<{ Params: { room: string }; Body: { metadata: string } }>(
    "/rooms/:room",
    {
      schema: {
        tags: ["rooms"],
        summary: "Update a room's metadata",
        params: RoomParams,
        body: UpdateRoomBody,
        response: { 200: RoomResource, ...errors },
      },
    },
    async (req) => {
      assertRoomAccess(caller(req), req.params.room);
      const { live } = await find(req.params.room);
      const config = await configs.updateMetadata(req.params.room, req.body.metadata);
      if (live) live.metadata = req.body.metadata;
      return roomResource(live, config);
    },
  );

  app.delete<{ Params: { room: string } }>(
    "/rooms/:room",
    {
      schema: {
        tags: ["rooms"],
        summary: "Delete a room: its configuration, and everyone is disconnected",
        params: RoomParams,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (req, reply) => {
      assertRoomAccess(caller(req), req.params.room);
      await find(req.params.room);
      await configs.delete(req.params.room);
      await rooms.close(req.params.room, "room_deleted");
      return reply.code(204).send();
    },
  );
}
