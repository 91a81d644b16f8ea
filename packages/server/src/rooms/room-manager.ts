import type { MediaPlane } from "../media-control/media-plane.js";
import type { CodecPolicy } from "../sdp/codecs.js";
import { RelaisError } from "../shared/relais-error.js";
import { TypedEmitter } from "../shared/typed-emitter.js";
import { Room } from "./room.js";
import type { RoomEventMap } from "./room-events.js";

export interface RoomManagerOptions {
  autoCreate: boolean;
  maxParticipants: number;
  emptyTimeoutS: number;
  resumeWindowS: number;
  policy: CodecPolicy;
  media: MediaPlane;
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  log: (level: "info" | "warn", msg: string, data?: Record<string, unknown>) => void;
  configs?: RoomConfigSource;
}

/** Per-room settings; unset ones come from the node's configuration. */
export interface RoomSettings {
  maxParticipants?: number;
  emptyTimeoutS?: number;
  metadata?: string;
}

/** Durable room configuration, looked up when a room starts on demand (the store's rooms repository). */
export interface RoomConfigSource {
  get(name: string): Promise<{ maxParticipants: number; emptyTimeoutS: number; metadata: string } | null>;
}

/** Room names: what a URL path segment and a token claim can both carry. */
export const ROOM_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;

/** All rooms of this node, by name; emits the rooms layer's domain events. */
export class RoomManager {
  readonly rooms = new Map<string, Room>();
  readonly events: TypedEmitter<RoomEventMap>;

  constructor(private readonly o: RoomManagerOptions) {
    this.events = new TypedEmitter((event, err) => o.log("warn", "room event listener failed", { event, error: String(err) }));
  }

  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  list(): Room[] {
    return [...this.rooms.values()];
  }

  /**
   * The room a join token names: the live one, else started from its stored
   * configuration, else created on demand when `rooms.autoCreate` allows.
   */
  async forJoin(name: string): Promise<Room> {
    const live = this.rooms.get(name);
    if (live && !live.closed) return live;
    if (!ROOM_NAME.test(name)) throw new RelaisError("INVALID_ARGUMENT", "Room names are 1–128 characters of A–Z a–z 0–9 _ . ~ -.");
    const config = (await this.o.configs?.get(name)) ?? null;
    // Another join may have started it while the configuration was read.
    const started = this.rooms.get(name);
    if (started && !started.closed) return started;
    if (!config && !this.o.autoCreate) throw new RelaisError("ROOM_NOT_FOUND");
    return this.create(
      name,
      config
        ? { maxParticipants: config.maxParticipants || undefined, emptyTimeoutS: config.emptyTimeoutS, metadata: config.metadata }
        : {},
    );
  }

  /** Creates a room (REST API or on demand). Throws ROOM_ALREADY_EXISTS for a live room of that name. */
  create(name: string, settings: RoomSettings = {}): Room {
    if (!ROOM_NAME.test(name)) throw new RelaisError("INVALID_ARGUMENT", "Room names are 1–128 characters of A–Z a–z 0–9 _ . ~ -.");
    if (this.rooms.has(name)) throw new RelaisError("ROOM_ALREADY_EXISTS");
    const room = new Room({
      name,
      maxParticipants: settings.maxParticipants ?? this.o.maxParticipants,
      emptyTimeoutS: settings.emptyTimeoutS ?? this.o.emptyTimeoutS,
      metadata: settings.metadata ?? "",
      resumeWindowS: this.o.resumeWindowS,
      policy: this.o.policy,
      media: this.o.media,
      iceServers: this.o.iceServers,
      log: this.o.log,
      events: this.events,
      onEmptyTimeout: (r) => {
        if (r.participants.size === 0) void this.close(r.name);
      },
    });
    this.rooms.set(name, room);
    this.o.log("info", "room started", { room: name, sid: room.sid });
    this.events.safeEmit("roomStarted", room.info());
    return room;
  }

  /** Ends a room: everyone is removed (`room_deleted`), media released, `roomFinished` emitted. */
  async close(name: string, reason: "room_deleted" | "server_shutdown" | "transport_failure" = "room_deleted"): Promise<void> {
    const room = this.rooms.get(name);
    if (!room) return;
    this.rooms.delete(name);
    await room.close(reason);
    this.o.log("info", "room finished", { room: name, sid: room.sid, reason });
    this.events.safeEmit("roomFinished", room.info());
  }

  /** A media worker died: its rooms cannot carry media any more; their participants are told and removed. */
  async mediaWorkerDied(index: number): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      if (!room.mediaWorkerIndexes.includes(index)) continue;
      await this.close(room.name, "transport_failure");
    }
  }

  async closeAll(): Promise<void> {
    for (const name of [...this.rooms.keys()]) await this.close(name, "server_shutdown");
  }
}
