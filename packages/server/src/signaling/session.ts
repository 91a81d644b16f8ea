import {
  CLIENT_MESSAGE_SCHEMAS,
  type ClientMessage,
  type DisconnectReason,
  type ErrorCode,
  type ServerMessage,
  WsCloseCode,
} from "@relais/protocol";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { VerifiedToken } from "../auth/access-token.js";
import type { Participant } from "../rooms/participant.js";
import type { Room } from "../rooms/room.js";
import type { RoomManager } from "../rooms/room-manager.js";
import type { SignalSink } from "../rooms/types.js";
import type { RateLimiter } from "../shared/rate-limit.js";
import { RelaisError } from "../shared/relais-error.js";
import { HANDLERS } from "./handlers.js";

export interface SignalingCounters {
  sessions: number;
  malformedMessages: number;
  authFailures: number;
}

export interface SignalingDeps {
  rooms: RoomManager;
  /** Joins per client IP; a flood of joins (token guessing, reconnect storms) gets RATE_LIMITED. */
  joinLimiter: RateLimiter;
  verifyToken: (token: string) => Promise<VerifiedToken>;
  counters: SignalingCounters;
  log: (level: "debug" | "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
}

/** The socket side a session needs: a subset of ws.WebSocket, so tests can drive it. */
export interface SignalSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const VALIDATORS = Object.fromEntries(Object.entries(CLIENT_MESSAGE_SCHEMAS).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]));
/** A client that keeps sending garbage is cut off; a few mistakes are answered and forgiven. */
const MAX_MALFORMED = 50;

type SessionState = "awaiting_join" | "joined" | "closed";

/** One WebSocket connection: parses, validates and dispatches client messages; is a participant's SignalSink. */
export class SignalSession implements SignalSink {
  state: SessionState = "awaiting_join";
  participant: Participant | null = null;
  room: Room | null = null;
  private malformed = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: SignalSocket,
    readonly deps: SignalingDeps,
    /** The client's IP address (rate limits). */
    readonly remoteAddress = "",
  ) {}

  send(msg: ServerMessage): void {
    if (this.state === "closed") return;
    try {
      this.socket.send(JSON.stringify(msg));
    } catch {
      // the socket is closing; the close event cleans up
    }
  }

  sendError(code: ErrorCode, requestId: number | undefined, message?: string, details?: Record<string, unknown>): void {
    const err = new RelaisError(code, message);
    this.send({
      type: "error",
      ...(requestId !== undefined ? { requestId } : {}),
      code: err.code,
      message: err.message,
      ...(details ? { details } : {}),
    });
  }

  /** SignalSink.close: the room ended this participant's session. */
  close(reason: DisconnectReason | "replaced"): void {
    const code =
      reason === "client_initiated" ? WsCloseCode.NORMAL : reason === "server_shutdown" ? WsCloseCode.GOING_AWAY : WsCloseCode.LEFT;
    this.closeSocket(code, reason);
  }

  closeSocket(code: number, reason: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.socket.close(code, reason);
  }

  /**
   * Messages of one session are handled one after another, in arrival order: a
   * second `join` cannot race the first one's token check, and replies keep order.
   */
  handleRaw(raw: string | Buffer): Promise<void> {
    const run = this.queue.then(() => this.handle(raw));
    this.queue = run.catch(() => {});
    return run;
  }

  private async handle(raw: string | Buffer): Promise<void> {
    if (this.state === "closed") return;
    let msg: unknown;
    try {
      msg = JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
    } catch {
      return this.rejectMalformed("INVALID_MESSAGE", undefined, "The message is not valid JSON.");
    }
    const type = typeof msg === "object" && msg !== null ? (msg as { type?: unknown }).type : undefined;
    const id = typeof (msg as { id?: unknown })?.id === "number" ? ((msg as { id: number }).id as number) : undefined;
    const validator = typeof type === "string" ? VALIDATORS[type] : undefined;
    if (!validator) return this.rejectMalformed("UNKNOWN_MESSAGE_TYPE", id, `Unknown message type ${JSON.stringify(type)?.slice(0, 40)}.`);
    if (!validator.Check(msg)) {
      const first = validator.Errors(msg).First();
      return this.rejectMalformed(
        "INVALID_MESSAGE",
        id,
        first ? `Invalid ${type} message at ${first.path || "/"}: ${first.message}.` : undefined,
      );
    }
    const m = msg as ClientMessage;
    try {
      await (HANDLERS[m.type] as (s: SignalSession, m: ClientMessage) => Promise<void>)(this, m);
    } catch (err) {
      if (err instanceof RelaisError) {
        this.sendError(err.code, m.id, err.message);
        return;
      }
      this.deps.log("error", "signaling handler failed", { type: m.type, error: (err as Error).stack ?? String(err) });
      this.sendError("INTERNAL", m.id);
    }
  }

  rejectMalformed(code: ErrorCode, id: number | undefined, message?: string): void {
    this.deps.counters.malformedMessages++;
    this.malformed++;
    this.sendError(code, id, message);
    if (this.malformed > MAX_MALFORMED) this.closeSocket(WsCloseCode.PROTOCOL_ERROR, "too many invalid messages");
  }

  /** The socket closed: a joined participant waits for a resume, unless it left. */
  socketClosed(): void {
    this.state = "closed";
    if (this.participant && this.room) this.room.signalLost(this.participant, this);
  }
}
