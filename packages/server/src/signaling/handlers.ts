import type { ClientMessageOf, ClientMessageType } from "@relais/protocol";
import { WsCloseCode } from "@relais/protocol";
import { Participant } from "../rooms/participant.js";
import { newSid } from "../shared/ids.js";
import { RelaisError } from "../shared/relais-error.js";
import type { SignalSession } from "./session.js";

type Handler<T extends ClientMessageType> = (s: SignalSession, m: ClientMessageOf<T>) => Promise<void>;

function joined(s: SignalSession): { p: Participant; room: NonNullable<SignalSession["room"]> } {
  if (s.state !== "joined" || !s.participant || !s.room || s.participant.state === "left") throw new RelaisError("NOT_JOINED");
  return { p: s.participant, room: s.room };
}

const join: Handler<"join"> = async (s, m) => {
  if (s.state !== "awaiting_join") throw new RelaisError("ALREADY_JOINED");
  const allowed = s.deps.joinLimiter.take(s.remoteAddress);
  if (!allowed.ok) {
    s.sendError("RATE_LIMITED", m.id, `Too many joins from this address; retry in ${allowed.retryAfterS} s.`, {
      retryAfterS: allowed.retryAfterS,
    });
    s.closeSocket(WsCloseCode.RATE_LIMITED, "RATE_LIMITED");
    return;
  }
  let token: Awaited<ReturnType<typeof s.deps.verifyToken>>;
  try {
    token = await s.deps.verifyToken(m.token);
  } catch (err) {
    s.deps.counters.authFailures++;
    if (err instanceof RelaisError) {
      s.sendError(err.code, m.id, err.message);
      s.closeSocket(WsCloseCode.AUTH_FAILED, err.code);
      return;
    }
    throw err;
  }
  const roomName = token.claims.room;
  if (m.room !== undefined && m.room !== roomName) {
    s.deps.counters.authFailures++;
    s.sendError("TOKEN_WRONG_ROOM", m.id);
    s.closeSocket(WsCloseCode.AUTH_FAILED, "TOKEN_WRONG_ROOM");
    return;
  }
  if (m.resume) {
    const room = s.deps.rooms.get(roomName);
    try {
      if (!room) throw new RelaisError("RESUME_FAILED");
      s.participant = room.resume(m.resume.participantSid, m.resume.resumeKey, token.identity, s, m.id);
    } catch (err) {
      if (!(err instanceof RelaisError)) throw err;
      s.sendError(err.code, m.id, err.message);
      s.closeSocket(WsCloseCode.RESUME_FAILED, err.code);
      return;
    }
    s.room = room;
    s.state = "joined";
    return;
  }
  const room = await s.deps.rooms.forJoin(roomName);
  const identity = token.identity ?? newSid("guest", 8);
  const name = (token.claims.name || m.name || identity).slice(0, 128);
  const p = new Participant(identity, name, token.claims.metadata ?? "", token.grants);
  s.room = room;
  s.participant = p;
  s.state = "joined";
  try {
    await room.join(p, s, m.id);
  } catch (err) {
    s.state = "awaiting_join";
    s.room = null;
    s.participant = null;
    throw err;
  }
  s.deps.log("info", "participant joined", { room: roomName, participant: p.sid, identity: p.identity });
};

const offer: Handler<"offer"> = async (s, m) => {
  const { p, room } = joined(s);
  if (m.publications.length > 0 && !p.grants.publish) throw new RelaisError("PERMISSION_DENIED", "The token does not grant publishing.");
  if (m.subscriptions.length > 0 && !p.grants.subscribe)
    throw new RelaisError("PERMISSION_DENIED", "The token does not grant subscribing.");
  const result = await room.offer(p, m);
  s.send({ type: "answer", requestId: m.id, ...result });
};

const unpublish: Handler<"unpublish"> = async (s, m) => {
  const { p, room } = joined(s);
  await room.unpublishTrack(p, m.trackSid);
  s.send({ type: "ack", requestId: m.id });
};

const mute: Handler<"mute"> = async (s, m) => {
  const { p, room } = joined(s);
  await room.setMuted(p, m.trackSid, m.muted);
  s.send({ type: "ack", requestId: m.id });
};

const trackSettings: Handler<"trackSettings"> = async (s, m) => {
  const { p, room } = joined(s);
  await room.setTrackSettings(p, m.trackSid, m.width, m.height, m.disabled ?? false);
  s.send({ type: "ack", requestId: m.id });
};

const leave: Handler<"leave"> = async (s, m) => {
  const { p, room } = joined(s);
  s.send({ type: "ack", requestId: m.id });
  await room.remove(p, "client_initiated");
};

const ping: Handler<"ping"> = async (s, m) => {
  s.send({ type: "pong", requestId: m.id, serverTime: Date.now() });
};

/** One small handler per message type (a dispatch table, not a switch). */
export const HANDLERS: { [T in ClientMessageType]: Handler<T> } = { join, offer, unpublish, mute, trackSettings, leave, ping };
