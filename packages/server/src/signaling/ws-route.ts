import websocket from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import { type SignalingDeps, SignalSession } from "./session.js";

/** Largest signaling frame accepted (an SDP with many m-sections stays far below). */
const MAX_FRAME_BYTES = 512 * 1024;
const PING_INTERVAL_MS = 15_000;

/** Registers the signaling WebSocket at /v1/rtc. */
export async function registerSignaling(app: FastifyInstance, deps: SignalingDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  app.get("/v1/rtc", { websocket: true }, (socket, req) => {
    deps.counters.sessions++;
    const session = new SignalSession(socket, deps, req.ip);
    let alive = true;
    socket.on("pong", () => {
      alive = true;
    });
    // Protocol-level pings find sockets that died without a FIN (laptop lid closed, NAT expired).
    const timer = setInterval(() => {
      if (!alive) {
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, PING_INTERVAL_MS);
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      alive = true;
      if (isBinary) {
        session.rejectMalformed("INVALID_MESSAGE", undefined, "Binary frames are not part of the protocol.");
        return;
      }
      void session.handleRaw(data as Buffer);
    });
    socket.on("close", () => {
      clearInterval(timer);
      session.socketClosed();
    });
    socket.on("error", () => socket.terminate());
  });
}
