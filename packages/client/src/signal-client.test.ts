/// <reference types="node" />
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { RelaisError } from "./errors.js";
import { type ServerEvent, SignalClient, type SignalCloseInfo, type WebSocketLike } from "./signal-client.js";

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: typeof message === "string" ? message : JSON.stringify(message) });
  }
  drop(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }
}

async function openClient(overrides: { onEvent?: (e: ServerEvent) => void; onClose?: (i: SignalCloseInfo) => void } = {}) {
  const socket = new FakeSocket();
  const promise = SignalClient.open({
    url: "ws://test/v1/rtc",
    createWebSocket: () => socket,
    onEvent: overrides.onEvent ?? (() => {}),
    onClose: overrides.onClose ?? (() => {}),
  });
  socket.open();
  return { socket, client: await promise };
}

test("replies are matched to requests by requestId", async () => {
  const { socket, client } = await openClient();
  const first = client.request({ type: "mute", trackSid: "TR_a", muted: true });
  const second = client.request({ type: "unpublish", trackSid: "TR_b" });
  const [m1, m2] = socket.sent;
  assert.equal(m1.type, "mute");
  assert.notEqual(m1.id, m2.id);
  socket.receive({ type: "ack", requestId: m2.id });
  socket.receive({ type: "ack", requestId: m1.id });
  assert.deepEqual(await first, { type: "ack", requestId: m1.id });
  assert.deepEqual(await second, { type: "ack", requestId: m2.id });
  client.close();
});

test("an error reply rejects with a RelaisError carrying the server code", async () => {
  const { socket, client } = await openClient();
  const join = client.request({ type: "join", token: "t" });
  socket.receive({ type: "error", requestId: socket.sent[0].id, code: "TOKEN_EXPIRED", message: "expired" });
  await assert.rejects(join, (error: unknown) => error instanceof RelaisError && error.code === "TOKEN_EXPIRED");
  client.close();
});

test("events go to onEvent; junk and unknown types are ignored", async () => {
  const events: ServerEvent[] = [];
  const { socket, client } = await openClient({ onEvent: (e) => events.push(e) });
  socket.receive("not json");
  socket.receive({ type: "somethingNew" });
  socket.receive({ type: "participantLeft", participantSid: "PA_1", identity: "bob" });
  assert.deepEqual(events, [{ type: "participantLeft", participantSid: "PA_1", identity: "bob" }]);
  client.close();
});

test("a dropped socket rejects pending requests with SIGNAL_CLOSED and reports the close once", async () => {
  const closes: SignalCloseInfo[] = [];
  const { socket, client } = await openClient({ onClose: (i) => closes.push(i) });
  const pending = client.request({ type: "leave" });
  socket.drop(1006);
  await assert.rejects(pending, (error: unknown) => error instanceof RelaisError && error.code === "SIGNAL_CLOSED");
  assert.deepEqual(closes, [{ code: 1006, reason: "", cause: "remote" }]);
  await assert.rejects(client.request({ type: "ping" }), /closed/);
});

test("a socket that never opens rejects with SIGNAL_UNREACHABLE", async () => {
  const socket = new FakeSocket();
  const promise = SignalClient.open({ url: "ws://x", createWebSocket: () => socket, onEvent: () => {}, onClose: () => {} });
  socket.onerror?.({});
  await assert.rejects(promise, (error: unknown) => error instanceof RelaisError && error.code === "SIGNAL_UNREACHABLE");
});

test("pings every 10 s and drops the socket after 20 s of silence", async (t) => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
  t.after(() => mock.timers.reset());
  const closes: SignalCloseInfo[] = [];
  const { socket } = await openClient({ onClose: (i) => closes.push(i) });
  mock.timers.tick(10_000);
  assert.equal(socket.sent.at(-1)?.type, "ping");
  socket.receive({ type: "pong", requestId: socket.sent.at(-1)?.id, serverTime: 1 });
  mock.timers.tick(19_000);
  assert.equal(closes.length, 0, "the pong reset the silence timer");
  mock.timers.tick(1_000);
  assert.equal(closes.length, 1);
  assert.equal(closes[0].cause, "silence");
  assert.equal(socket.closedWith, 4000);
});
