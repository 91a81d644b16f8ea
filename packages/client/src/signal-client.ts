import type { ClientMessage, ClientMessageType, ServerMessage, ServerMessageOf } from "@relais/protocol";
import { clientError, RelaisError, serverError } from "./errors.js";

/** The subset of the browser WebSocket the client uses (so tests can pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Server messages that are not replies to a request. */
export type ServerEventType =
  | "participantJoined"
  | "participantLeft"
  | "participantUpdated"
  | "trackPublished"
  | "trackUnpublished"
  | "trackMuted"
  | "speakersChanged"
  | "connectionQualityChanged"
  | "subscribedQualityUpdate"
  | "leave";
export type ServerEvent = ServerMessageOf<ServerEventType>;

/** The reply each request type gets. */
export interface ResponseTo {
  join: ServerMessageOf<"joined">;
  offer: ServerMessageOf<"answer">;
  unpublish: ServerMessageOf<"ack">;
  mute: ServerMessageOf<"ack">;
  trackSettings: ServerMessageOf<"ack">;
  leave: ServerMessageOf<"ack">;
  ping: ServerMessageOf<"pong">;
}
const RESPONSE_TYPE: { [K in ClientMessageType]: ResponseTo[K]["type"] } = {
  join: "joined",
  offer: "answer",
  unpublish: "ack",
  mute: "ack",
  trackSettings: "ack",
  leave: "ack",
  ping: "pong",
};
const EVENT_TYPES: ReadonlySet<string> = new Set<ServerEventType>([
  "participantJoined",
  "participantLeft",
  "participantUpdated",
  "trackPublished",
  "trackUnpublished",
  "trackMuted",
  "speakersChanged",
  "connectionQualityChanged",
  "subscribedQualityUpdate",
  "leave",
]);

export type RequestOf<K extends ClientMessageType> = Omit<Extract<ClientMessage, { type: K }>, "id">;

export interface SignalCloseInfo {
  code: number;
  reason: string;
  /** `silence`: nothing arrived for `silenceTimeoutMs`, so the client dropped the socket. */
  cause: "remote" | "silence";
}

export interface SignalClientOptions {
  url: string;
  onEvent: (event: ServerEvent) => void;
  /** An `error` message without `requestId` (a session-level error). */
  onSessionError?: (error: RelaisError) => void;
  /** The socket ended without `close()` being called. Called at most once. */
  onClose: (info: SignalCloseInfo) => void;
  createWebSocket?: (url: string) => WebSocketLike;
  openTimeoutMs?: number;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  silenceTimeoutMs?: number;
}

interface Pending {
  expected: string;
  resolve: (message: ServerMessage) => void;
  reject: (error: RelaisError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const OPEN = 1;
/** Application close code the client uses when the server went silent. */
const CLOSE_SILENCE = 4000;

/** One signaling WebSocket: requests with ids, replies matched by `requestId`, keepalive. */
export class SignalClient {
  readonly #options: SignalClientOptions;
  readonly #socket: WebSocketLike;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #silenceTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(options: SignalClientOptions, socket: WebSocketLike) {
    this.#options = options;
    this.#socket = socket;
  }

  /** Opens the socket; rejects with SIGNAL_UNREACHABLE if it does not open. */
  static open(options: SignalClientOptions): Promise<SignalClient> {
    const create = options.createWebSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
    return new Promise((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = create(options.url);
      } catch (error) {
        reject(clientError("SIGNAL_UNREACHABLE", { cause: String(error) }));
        return;
      }
      const client = new SignalClient(options, socket);
      const timer = setTimeout(() => fail("timeout"), options.openTimeoutMs ?? 10_000);
      const fail = (cause: string) => {
        clearTimeout(timer);
        socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null;
        try {
          socket.close();
        } catch {
          // Already closed.
        }
        reject(clientError("SIGNAL_UNREACHABLE", { cause }));
      };
      socket.onerror = () => fail("error");
      socket.onclose = (event) => fail(`closed ${event.code}`);
      socket.onopen = () => {
        clearTimeout(timer);
        client.#attach();
        resolve(client);
      };
    });
  }

  get isOpen(): boolean {
    return !this.#closed && this.#socket.readyState === OPEN;
  }

  /** Sends a request and resolves with its reply; an `error` reply rejects with its code. */
  request<K extends ClientMessageType>(message: RequestOf<K> & { type: K }, options: { timeoutMs?: number } = {}): Promise<ResponseTo[K]> {
    if (!this.isOpen) return Promise.reject(clientError("SIGNAL_CLOSED"));
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? 15_000;
    return new Promise<ResponseTo[K]>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#pending.delete(id);
              reject(clientError("SIGNAL_TIMEOUT", { type: message.type }));
            }, timeoutMs)
          : undefined;
      this.#pending.set(id, {
        expected: RESPONSE_TYPE[message.type],
        resolve: resolve as (m: ServerMessage) => void,
        reject,
        timer,
      });
      this.#socket.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Closes the socket without calling `onClose`; pending requests reject with SIGNAL_CLOSED. */
  close(code = 1000, reason = "client closed"): void {
    if (this.#closed) return;
    this.#teardown();
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  #attach(): void {
    const socket = this.#socket;
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onerror = () => {};
    socket.onclose = (event) => this.#lost({ code: event.code, reason: event.reason, cause: "remote" });
    this.#pingTimer = setInterval(() => {
      this.request({ type: "ping" }, { timeoutMs: 0 }).catch(() => {});
    }, this.#options.pingIntervalMs ?? 10_000);
    this.#resetSilenceTimer();
  }

  #resetSilenceTimer(): void {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(() => {
      try {
        this.#socket.close(CLOSE_SILENCE, "keepalive timeout");
      } catch {
        // Already closing.
      }
      this.#lost({ code: CLOSE_SILENCE, reason: "keepalive timeout", cause: "silence" });
    }, this.#options.silenceTimeoutMs ?? 20_000);
  }

  #receive(data: unknown): void {
    if (this.#closed) return;
    this.#resetSilenceTimer();
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return; // Not JSON: ignore rather than break the session.
    }
    if (typeof message !== "object" || message === null || typeof message.type !== "string") return;
    if ("requestId" in message && typeof message.requestId === "number") {
      const pending = this.#pending.get(message.requestId);
      if (pending) {
        this.#pending.delete(message.requestId);
        clearTimeout(pending.timer);
        if (message.type === "error") pending.reject(serverError(message.code, message.message, message.details));
        else if (message.type !== pending.expected)
          pending.reject(new RelaisError("INVALID_MESSAGE", `Expected ${pending.expected}, got ${message.type}`));
        else pending.resolve(message);
        return;
      }
    }
    if (message.type === "error") {
      this.#options.onSessionError?.(serverError(message.code, message.message, message.details));
      return;
    }
    // Unknown event types are ignored so newer servers stay compatible.
    if (EVENT_TYPES.has(message.type)) this.#options.onEvent(message as ServerEvent);
  }

  #lost(info: SignalCloseInfo): void {
    if (this.#closed) return;
    this.#teardown();
    this.#options.onClose(info);
  }

  #teardown(): void {
    this.#closed = true;
    clearInterval(this.#pingTimer);
    clearTimeout(this.#silenceTimer);
    const socket = this.#socket;
    socket.onmessage = socket.onclose = socket.onerror = null;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(clientError("SIGNAL_CLOSED"));
    }
    this.#pending.clear();
  }
}
