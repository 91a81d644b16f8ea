import {
  ErrorResponse,
  MuteTrackBody,
  ParticipantList,
  ParticipantParams,
  ParticipantResource,
  RoomParams,
  TrackParams,
  UpdateParticipantBody,
} from "@relais/protocol";
import type { FastifyInstance } from "fastify";
import type { RoomManager } from "../rooms/room-manager.js";
import { RelaisError } from "../shared/relais-error.js";
import { type ApiCaller, assertRoomAccess } from "./api-auth.js";
import { participantResource } from "./resources.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

export function registerParticipantRoutes(app: FastifyInstance, rooms: RoomManager, caller: (req: unknown) => ApiCaller): void {
  const find = (req: unknown, roomName: string, identity?: string) => {
    assertRoomAccess(caller(req), roomName);
    const room = rooms.get(roomName);
    if (!room) throw new RelaisError("ROOM_NOT_FOUND");
    if (identity === undefined) return { room, p: null };
    const p = room.byIdentity(identity);
    if (!p) throw new RelaisError("PARTICIPANT_NOT_FOUND");
    return { room, p };
  };

  app.get<{ Params: { room: string } }>(
    "/rooms/:room/participants",
    {
      schema: {
        tags: ["participants"],
        summary: "List a room's participants",
        params: RoomParams,
        response: { 200: ParticipantList, ...errors },
      },
    },
    async (req) => {
      const { room } = find(req, req.params.room);
      return { participants: [...room.participants.values()].filter((p) => p.state !== "left").map((p) => participantResource(room, p)) };
    },
  );

  app.get<{ Params: { room: string; identity: string } }>(
    "/rooms/:room/participants/:identity",
    {
      schema: {
        tags: ["participants"],
        summary: "Get a participant (tracks, permissions)",
        params: ParticipantParams,
        response: { 200: ParticipantResource, ...errors },
      },
    },
    async (req) => {
      const { room, p } = find(req, req.params.room, req.params.identity);
      return participantResource(room, p!);
    },
  );

  app.patch<{ Params: { room: string; identity: string }; Body: UpdateParticipantBody }>(
    "/rooms/:room/participants/:identity",
    {
      schema: {
        tags: ["participants"],
        summary: "Update name, metadata or permissions live",
        params: ParticipantParams,
        body: UpdateParticipantBody,
        response: { 200: ParticipantResource, ...errors },
      },
    },
    async (req) => {
      const { room, p } = find(req, req.params.room, req.params.identity);
      await room.updateParticipant(p!, req.body);
      return participantResource(room, p!);
    },
  );

  app.post<{ Params: { room: string; identity: string; trackSid: string }; Body: { muted: boolean } }>(
    "/rooms/:room/participants/:identity/tracks/:trackSid/mute",
    {
      schema: {
        tags: ["participants"],
        summary: "Mute or unmute a participant's track (forwarding pauses; the client is told)",
        params: TrackParams,
        body: MuteTrackBody,
        response: { 200: ParticipantResource, ...errors },
      },
    },
    async (req) => {
      const { room, p } = find(req, req.params.room, req.params.identity);
      await room.moderateMute(p!, req.params.trackSid, req.body.muted);
      return participantResource(room, p!);
    },
  );

  app.delete<{ Params: { room: string; identity: string } }>(
    "/rooms/:room/participants/:identity",
    {
      schema: {
        tags: ["participants"],
        summary: "Remove a participant from the room",
        params: ParticipantParams,
        response: { 204: { type: "null" }, ...errors },
      },
    },
    async (req, reply) => {
      const { room, p } = find(req, req.params.room, req.params.identity);
      await room.remove(p!, "removed");
      return reply.code(204).send();
    },
  );
}
