import type { ClientMessage, ServerMessage, ServerMessageOf } from "@relais/protocol";
import WebSocket from "ws";

type Request = ClientMessage extends infer M ? (M extends { id: number } ? Omit<M, "id"> : never) : never;

const REQUEST_TIMEOUT_MS = 30_000;

/** Thrown when the server answers a request with an `error` message. */
export class SignalError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The load tester's signaling connection: requests matched by id, events to one callback. */
export class Signal {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: ServerMessage) => void; reject: (e: Error) => void }>();
  closed = false;

  private constructor(
    private readonly ws: WebSocket,
    private readonly onEvent: (m: ServerMessage) => void,
  ) {
    ws.on("message", (data) => {
      let m: ServerMessage;
      try {
        m = JSON.parse(String(data)) as ServerMessage;
      } catch {
        return;
      }
      const rid = (m as { requestId?: number }).requestId;
      const waiter = rid === undefined ? undefined : this.pending.get(rid);
      if (waiter) {
        this.pending.delete(rid!);
        if (m.type === "error") waiter.reject(new SignalError(m.code, m.message));
        else waiter.resolve(m);
        return;
      }
      this.onEvent(m);
    });
    ws.on("close", () => {
      this.closed = true;
      for (const w of this.pending.values()) w.reject(new Error("signaling closed"));
      this.pending.clear();
    });
    ws.on("error", () => {});
  }

  /** `url` is the node's base URL (http(s):// or ws(s)://); the signaling path is /v1/rtc. */
  static connect(url: string, onEvent: (m: ServerMessage) => void): Promise<Signal> {
    const base = url.replace(/^http/, "ws").replace(/\/+$/, "");
    const ws = new WebSocket(base.endsWith("/v1/rtc") ? base : `${base}/v1/rtc`, { handshakeTimeout: REQUEST_TIMEOUT_MS });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Signal(ws, onEvent)));
      ws.once("error", (e) => reject(new Error(`signaling: ${e.message}`)));
    });
  }

  request<T extends ServerMessage["type"]>(msg: Request, expect: T): Promise<ServerMessageOf<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${msg.type} within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          if (m.type === expect) resolve(m as ServerMessageOf<T>);
          else reject(new Error(`expected ${expect}, got ${m.type}`));
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close();
  }
}
