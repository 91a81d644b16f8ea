// A stand-in for the Relais server that speaks the signaling contract on /v1/rtc
// (packages/protocol/src/signaling.ts) with @roamhq/wrtc forwarding media, so
// the SDK and the web app can be tested end to end on their own. Tokens are
// decoded but NOT verified. Tests and development only.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import wrtc from "@roamhq/wrtc";
import { WebSocketServer } from "ws";

const id = (prefix) => `${prefix}_${randomBytes(6).toString("hex")}`;
const decode = (token) => {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
  } catch {
    return null;
  }
};

/** @param {{ port?: number, resumeWindowS?: number, onHttp?: (req: any, res: any) => void }} options */
export function startFakeSfu(options = {}) {
  const RESUME_WINDOW_S = options.resumeWindowS ?? 15;
  let refuseResumesUntil = 0;
  const room = { sid: id("RM"), name: "", createdAt: Date.now() };
  /** @type {Map<string, any>} participants by sid */
  const participants = new Map();
  const info = (p) => ({
    sid: p.sid,
    identity: p.identity,
    name: p.name,
    metadata: "",
    joinedAt: p.joinedAt,
    permissions: { canPublish: true, canSubscribe: true, canPublishData: true, admin: false },
    tracks: [...p.tracks.values()].map((t) => t.info),
  });
  const send = (p, message) => p.socket?.readyState === 1 && p.socket.send(JSON.stringify(message));
  const broadcast = (from, message) => {
    for (const p of participants.values()) if (p !== from) send(p, message);
  };
  const remove = (p) => {
    if (!participants.delete(p.sid)) return;
    clearTimeout(p.dropTimer);
    p.pc.close();
    broadcast(p, { type: "participantLeft", participantSid: p.sid, identity: p.identity });
  };
  const findTrack = (trackSid) => {
    for (const p of participants.values()) if (p.tracks.has(trackSid)) return p.tracks.get(trackSid);
    return undefined;
  };

  const handlers = {
    async join(session, m) {
      const claims = decode(m.token);
      if (!claims) return { type: "error", requestId: m.id, code: "TOKEN_INVALID", message: "bad token" };
      if (claims.exp && claims.exp < Date.now() / 1000)
        return { type: "error", requestId: m.id, code: "TOKEN_EXPIRED", message: "expired" };
      room.name ||= claims.room ?? "room";
      if (m.resume && Date.now() < refuseResumesUntil) {
        // Simulates a network still down: the resume attempt's socket dies.
        session.socket.terminate();
        return null;
      }
      if (m.resume) {
        const p = participants.get(m.resume.participantSid);
        if (!p || p.resumeKey !== m.resume.resumeKey) return { type: "error", requestId: m.id, code: "RESUME_FAILED", message: "gone" };
        clearTimeout(p.dropTimer);
        p.socket?.terminate();
        p.socket = session.socket;
        session.participant = p;
        return joined(p, m.id, true);
      }
      const p = {
        sid: id("PA"),
        identity: claims.sub,
        name: m.name ?? claims.name ?? claims.sub,
        joinedAt: Date.now(),
        socket: session.socket,
        resumeKey: id("RK"),
        tracks: new Map(),
        subs: new Map(),
        pc: new wrtc.RTCPeerConnection({ iceServers: [] }),
      };
      participants.set(p.sid, p);
      session.participant = p;
      broadcast(p, { type: "participantJoined", participant: info(p) });
      return joined(p, m.id, false);
    },
    async offer(session, m) {
      const p = session.participant;
      await p.pc.setRemoteDescription({ type: "offer", sdp: m.sdp });
      const transceivers = p.pc.getTransceivers();
      const fresh = [];
      const publications = m.publications.map((pub) => {
        let entry = [...p.tracks.values()].find((t) => t.mid === pub.mid);
        if (!entry) {
          const tr = transceivers.find((t) => t.mid === pub.mid);
          entry = {
            mid: pub.mid,
            track: tr.receiver.track,
            info: {
              sid: id("TR"),
              kind: pub.kind,
              source: pub.source,
              name: pub.name ?? pub.source,
              muted: !!pub.muted,
              mimeType: pub.kind === "audio" ? "audio/opus" : "video/VP8",
            },
          };
          p.tracks.set(entry.info.sid, entry);
          fresh.push(entry);
        }
        return { mid: pub.mid, trackSid: entry.info.sid };
      });
      const subscriptions = [];
      for (const sub of m.subscriptions) {
        const source = findTrack(sub.trackSid);
        const tr = transceivers.find((t) => t.mid === sub.mid);
        if (!source || !tr) {
          subscriptions.push({ ...sub, ok: false, error: "TRACK_NOT_FOUND" });
          continue;
        }
        if (p.subs.get(sub.mid) !== sub.trackSid) {
          await tr.sender.replaceTrack(source.track);
          tr.direction = "sendonly";
          p.subs.set(sub.mid, sub.trackSid);
        }
        subscriptions.push({ ...sub, ok: true });
      }
      await p.pc.setLocalDescription(await p.pc.createAnswer());
      await gathered(p.pc);
      for (const entry of fresh) broadcast(p, { type: "trackPublished", participantSid: p.sid, track: entry.info });
      return { type: "answer", requestId: m.id, sdp: p.pc.localDescription.sdp, publications, subscriptions };
    },
    async unpublish(session, m) {
      const p = session.participant;
      if (!p.tracks.delete(m.trackSid)) return { type: "error", requestId: m.id, code: "TRACK_NOT_FOUND", message: "no track" };
      broadcast(p, { type: "trackUnpublished", participantSid: p.sid, trackSid: m.trackSid });
      return { type: "ack", requestId: m.id };
    },
    async mute(session, m) {
      const p = session.participant;
      const entry = p.tracks.get(m.trackSid);
      if (!entry) return { type: "error", requestId: m.id, code: "TRACK_NOT_FOUND", message: "no track" };
      entry.info.muted = m.muted;
      broadcast(p, { type: "trackMuted", participantSid: p.sid, trackSid: m.trackSid, muted: m.muted });
      return { type: "ack", requestId: m.id };
    },
    async leave(session, m) {
      const p = session.participant;
      session.left = true;
      remove(p);
      return { type: "ack", requestId: m.id };
    },
    async ping(_session, m) {
      return { type: "pong", requestId: m.id, serverTime: Date.now() };
    },
  };

  function joined(p, requestId, resumed) {
    const others = [...participants.values()].filter((o) => o !== p).map(info);
    return {
      type: "joined",
      requestId,
      protocol: 1,
      room,
      participant: info(p),
      participants: others,
      resumeKey: p.resumeKey,
      resumed,
      iceServers: [],
      resumeWindowS: RESUME_WINDOW_S,
    };
  }

  const http = createServer((req, res) => {
    if (options.onHttp) options.onHttp(req, res);
    else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http, path: "/v1/rtc" });
  wss.on("connection", (socket) => {
    const session = { socket, participant: null, left: false };
    let chain = Promise.resolve();
    socket.on("message", (data) => {
      chain = chain.then(async () => {
        const m = JSON.parse(String(data));
        const reply = await handlers[m.type]?.(session, m).catch((e) => ({
          type: "error",
          requestId: m.id,
          code: "INTERNAL",
          message: String(e),
        }));
        if (reply && socket.readyState === 1) socket.send(JSON.stringify(reply));
      });
    });
    socket.on("close", () => {
      const p = session.participant;
      if (!p || session.left || p.socket !== socket) return;
      p.socket = null;
      p.dropTimer = setTimeout(() => remove(p), RESUME_WINDOW_S * 1000);
    });
  });
  const byIdentity = (identity) => [...participants.values()].find((p) => p.identity === identity);
  const control = {
    port: 0,
    url: "",
    /** Terminates the participant's socket; resume attempts fail for `refuseMs`. */
    dropSocket(identity, refuseMs = 0) {
      refuseResumesUntil = Date.now() + refuseMs;
      byIdentity(identity)?.socket?.terminate();
    },
    /** Removes the participant at once (its resume gets RESUME_FAILED) and drops its socket. */
    forget(identity) {
      const p = byIdentity(identity);
      if (!p) return;
      const socket = p.socket;
      p.socket = null;
      remove(p);
      socket?.terminate();
    },
    participantCount: () => participants.size,
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.close();
      for (const p of participants.values()) {
        clearTimeout(p.dropTimer);
        p.pc.close();
      }
      participants.clear();
    },
  };
  return new Promise((resolve) =>
    http.listen(options.port ?? 0, () => {
      control.port = http.address().port;
      control.url = `http://localhost:${control.port}`;
      resolve(control);
    }),
  );
}

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => pc.iceGatheringState === "complete" && resolve();
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 2000);
  });
}
