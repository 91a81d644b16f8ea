import { CreateRoomBody, ErrorResponse, ListRoomsQuery, RoomList, RoomParams, RoomResource, UpdateRoomBody } from "@relais/protocol";
import type { FastifyInstance } from "fastify";
import type { RoomManager } from "../rooms/room-manager.js";
import { RelaisError } from "../shared/relais-error.js";
import { type ApiCaller, assertRoomAccess } from "./api-auth.js";
import { roomResource } from "./resources.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse };

export function registerRoomRoutes(app: FastifyInstance, rooms: RoomManager, caller: (req: unknown) => ApiCaller): void {
  const roomOr404 = (name: string) => {
    const room = rooms.get(name);
    if (!room) throw new RelaisError("ROOM_NOT_FOUND");
    return room;
  };

  app.post<{ Body: CreateRoomBody }>(
    "/rooms",
    { schema: { tags: ["rooms"], summary: "Create a room", body: CreateRoomBody, response: { 201: RoomResource, ...errors } } },
    async (req, reply) => {
      assertRoomAccess(caller(req), req.body.name);
      const { name, ...settings } = req.body;
      return reply.code(201).send(roomResource(rooms.create(name, settings)));
    },
  );

  app.get<{ Querystring: ListRoomsQuery }>(
    "/rooms",
    {
      schema: {
        tags: ["rooms"],
        summary: "List rooms (paginated, by name)",
        querystring: ListRoomsQuery,
        response: { 200: RoomList, ...errors },
      },
    },
    async (req) => {
      const c = caller(req);
      const limit = req.query.limit ?? 100;
      const all = rooms
        .list()
        .filter((r) => (c.room === null || r.name === c.room) && (!req.query.prefix || r.name.startsWith(req.query.prefix)))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const after = req.query.cursor ? Buffer.from(req.query.cursor, "base64url").toString("utf8") : null;
      const page = (after === null ? all : all.filter((r) => r.name > after)).slice(0, limit + 1);
      const more = page.length > limit;
      const items = page.slice(0, limit);
      return { rooms: items.map(roomResource), nextCursor: more ? Buffer.from(items[items.length - 1]!.name).toString("base64url") : null };
    },
  );

  app.get<{ Params: { room: string } }>(
    "/rooms/:room",
    { schema: { tags: ["rooms"], summary: "Get a room", params: RoomParams, response: { 200: RoomResource, ...errors } } },
    async (req) => {
      assertRoomAccess(caller(req), req.params.room);
      return roomResource(roomOr404(req.params.room));
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
      const room = roomOr404(req.params.room);
      room.metadata = req.body.metadata;
      return roomResource(room);
    },
  );

  app.delete<{ Params: { room: string } }>(
    "/rooms/:room",
    {
      schema: {
        tags: ["rooms"],
        summary: "Delete a room: everyone is disconnected",
        params: RoomParams,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (req, reply) => {
      assertRoomAccess(caller(req), req.params.room);
      roomOr404(req.params.room);
      await rooms.close(req.params.room, "room_deleted");
      return reply.code(204).send();
    },
  );
}
