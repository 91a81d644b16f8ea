import type { MediaPlane } from "../media-control/media-plane.js";
import type { CodecPolicy } from "../sdp/codecs.js";
import { RelaisError } from "../shared/relais-error.js";
import { Room } from "./room.js";

export interface RoomManagerOptions {
  autoCreate: boolean;
  maxParticipants: number;
  emptyTimeoutS: number;
  resumeWindowS: number;
  policy: CodecPolicy;
  media: MediaPlane;
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  log: (level: "info" | "warn", msg: string, data?: Record<string, unknown>) => void;
}

/** Room names: what a URL path segment and a token claim can both carry. */
export const ROOM_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;

/** All rooms of this node, by name. */
export class RoomManager {
  readonly rooms = new Map<string, Room>();

  constructor(private readonly o: RoomManagerOptions) {}

  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** The room a join token names, created on demand when allowed. */
  forJoin(name: string): Room {
    const existing = this.rooms.get(name);
    if (existing && !existing.closed) return existing;
    if (!this.o.autoCreate) throw new RelaisError("ROOM_NOT_FOUND");
    if (!ROOM_NAME.test(name)) throw new RelaisError("ROOM_NOT_FOUND", "Invalid room name.");
    const room = new Room({
      name,
      maxParticipants: this.o.maxParticipants,
      emptyTimeoutS: this.o.emptyTimeoutS,
      resumeWindowS: this.o.resumeWindowS,
      policy: this.o.policy,
      media: this.o.media,
      iceServers: this.o.iceServers,
      log: this.o.log,
      onEmptyTimeout: (r) => {
        if (r.participants.size === 0) void this.close(r.name);
      },
    });
    this.rooms.set(name, room);
    this.o.log("info", "room started", { room: name, sid: room.sid });
    return room;
  }

  async close(name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room) return;
    this.rooms.delete(name);
    await room.close();
    this.o.log("info", "room finished", { room: name, sid: room.sid });
  }

  /** A media worker died: its rooms cannot carry media any more; their participants are told and removed. */
  async mediaWorkerDied(index: number): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      if (room.mediaWorkerIndex !== index) continue;
      this.rooms.delete(room.name);
      await room.close("transport_failure");
      this.o.log("warn", "room closed: its media worker died", { room: room.name, worker: index });
    }
  }

  async closeAll(): Promise<void> {
    for (const name of [...this.rooms.keys()]) {
      const room = this.rooms.get(name)!;
      this.rooms.delete(name);
      await room.close("server_shutdown");
    }
  }
}
