import type { ClientMessage, ServerMessage } from "@relais/protocol";
import WebSocket from "ws";

type Req = ClientMessage extends infer M ? (M extends { id: number } ? Omit<M, "id"> : never) : never;

/** A minimal signaling client for tests: requests with ids, and every server message recorded. */
export class SignalClient {
  readonly messages: ServerMessage[] = [];
  private nextId = 1;
  private readonly waiters = new Map<number, (m: ServerMessage) => void>();
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(m);
      const rid = (m as { requestId?: number }).requestId;
      if (rid !== undefined) this.waiters.get(rid)?.(m);
    });
    ws.on("close", (code) => {
      this.closeCode = code;
    });
  }

  static connect(url: string): Promise<SignalClient> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new SignalClient(ws)));
      ws.once("error", reject);
    });
  }

  request(msg: Req, timeoutMs = 10_000): Promise<ServerMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${msg.type}`)), timeoutMs);
      this.waiters.set(id, (m) => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(m);
      });
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  of<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  close(): void {
    this.ws.close();
  }
}
