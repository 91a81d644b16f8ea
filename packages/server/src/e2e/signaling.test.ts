import assert from "node:assert/strict";
import dgram from "node:dgram";
import { before, test } from "node:test";
import { buildBindingRequest, parseStun, STUN_BINDING_SUCCESS } from "../media/ice/stun.js";
import { CHROME_SIMULCAST_OFFER } from "../sdp/fixtures.js";
import { SignalClient } from "./support/signal-client.js";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";
import { exitAfterWrtcTests, WrtcPeer } from "./support/wrtc-peer.js";

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
exitAfterWrtcTests(() => node?.stop());

test("two joins sent back to back on one socket make one participant, the second is refused", async () => {
  const c = await SignalClient.connect(node.wsUrl);
  const token = await node.token({ room: "race", identity: "racer" });
  const [a, b] = await Promise.all([c.request({ type: "join", token }), c.request({ type: "join", token })]);
  assert.equal(a.type, "joined");
  assert.deepEqual([b.type, (b as { code?: string }).code], ["error", "ALREADY_JOINED"]);
  assert.equal(node.rooms.get("race")!.participants.size, 1);
  c.close();
});

test("a client leave ends the socket with 1000; a failed resume with 4010", async () => {
  const c = await SignalClient.connect(node.wsUrl);
  const token = await node.token({ room: "codes", identity: "x" });
  await c.request({ type: "join", token });
  await c.request({ type: "leave" });
  await waitFor("close", () => c.closeCode !== null);
  assert.equal(c.closeCode, 1000);
  const r = await SignalClient.connect(node.wsUrl);
  const res = await r.request({ type: "join", token, resume: { participantSid: "PA_nope", resumeKey: "nope" } });
  assert.equal((res as { code?: string }).code, "RESUME_FAILED");
  await waitFor("close", () => r.closeCode !== null);
  assert.equal(r.closeCode, 4010);
});

test("an offer with a refused publication changes nothing (no half-made tracks announced)", async () => {
  const watcher = await WrtcPeer.join(node.wsUrl, await node.token({ room: "atomic", identity: "watcher" }));
  const pub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "atomic", identity: "cam-only", grants: { sources: ["camera"] } }));
  try {
    // A camera (allowed) and a second video announced as a screen share (not granted), in one offer.
    await pub.addVideoTransceiver("camera");
    await pub.addVideoTransceiver("screen_share");
    await assert.rejects(pub.negotiate(), /PERMISSION_DENIED/);
    const p = [...node.rooms.get("atomic")!.participants.values()].find((x) => x.identity === "cam-only")!;
    assert.equal(p.publications.size, 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(watcher.signal.of("trackPublished").length, 0);
  } finally {
    pub.close();
    watcher.close();
  }
});

test("an ICE restart renews our credentials and media keeps flowing", async () => {
  const pub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "restart", identity: "pub" }));
  const sub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "restart", identity: "sub" }));
  try {
    const trackSid = await pub.publishVideo();
    const first = await sub.subscribe(trackSid, "video");
    await waitFor("frames", () => sub.frames(trackSid) > 20, 20_000);
    const restarted = await sub.negotiate(() => {}, { iceRestart: true });
    const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)![1];
    assert.notEqual(ufrag(restarted.sdp), ufrag(first.sdp));
    const frames = sub.frames(trackSid);
    await waitFor("frames after the restart", () => sub.frames(trackSid) > frames + 30, 20_000);
    // A check with the new credentials is answered; one with the old ufrag is not.
    const pwd = (sdp: string) => /a=ice-pwd:(\S+)/.exec(sdp)![1]!;
    const clientUfrag = /a=ice-ufrag:(\S+)/.exec(sub.pc.localDescription.sdp)![1]!;
    assert.equal(await stunCheck(`${ufrag(restarted.sdp)}:${clientUfrag}`, pwd(restarted.sdp)), true);
    assert.equal(await stunCheck(`${ufrag(first.sdp)}:${clientUfrag}`, pwd(first.sdp)), false);
  } finally {
    pub.close();
    sub.close();
  }
});

/** Sends one ICE connectivity check to the worker from a fresh port; true when a binding success comes back. */
async function stunCheck(username: string, pwd: string): Promise<boolean> {
  const socket = dgram.createSocket("udp4");
  try {
    const reply = new Promise<boolean>((resolve) => {
      socket.on("message", (msg) => resolve(parseStun(msg)?.type === STUN_BINDING_SUCCESS));
      setTimeout(() => resolve(false), 1500);
    });
    socket.send(
      buildBindingRequest({ username, integrityKey: Buffer.from(pwd), priority: 1, useCandidate: false, iceControlling: 1n }),
      node.media.workers[0]!.udpPort,
      "127.0.0.1",
    );
    return await reply;
  } finally {
    socket.close();
  }
}

test("joins beyond the per-IP limit get RATE_LIMITED and the socket closes with 4029", async () => {
  const limited = await startTestNode({ rooms: { joinRateLimitPerMinute: 2 } });
  try {
    const codes: (string | undefined)[] = [];
    let last: SignalClient | null = null;
    let refusal: { details?: { retryAfterS?: unknown } } = {};
    for (let i = 0; i < 3; i++) {
      last = await SignalClient.connect(limited.wsUrl);
      const res = await last.request({ type: "join", token: await limited.token({ room: "flood", identity: `p${i}` }) });
      codes.push(res.type === "joined" ? "joined" : (res as { code?: string }).code);
      if (res.type !== "joined") refusal = res as typeof refusal;
    }
    assert.deepEqual(codes, ["joined", "joined", "RATE_LIMITED"]);
    const retryAfterS = refusal.details?.retryAfterS;
    assert.ok(typeof retryAfterS === "number" && retryAfterS >= 1 && retryAfterS <= 60, `retryAfterS ${retryAfterS}`);
    await waitFor("close", () => last!.closeCode !== null);
    assert.equal(last!.closeCode, 4029);
  } finally {
    await limited.stop();
  }
});

test("dynacast: a simulcast publisher is told which layers are wanted, and told again after a resume", async () => {
  const c = await SignalClient.connect(node.wsUrl);
  const token = await node.token({ room: "dyna-resume", identity: "pub" });
  const joined = await c.request({ type: "join", token });
  assert.equal(joined.type, "joined");
  if (joined.type !== "joined") return;
  const layers = [
    { rid: "q", width: 320, height: 180 },
    { rid: "h", width: 640, height: 360 },
    { rid: "f", width: 1280, height: 720 },
  ];
  const answer = await c.request({
    type: "offer",
    sdp: CHROME_SIMULCAST_OFFER,
    publications: [{ mid: "0", kind: "video", source: "camera", layers }],
    subscriptions: [],
  });
  assert.equal(answer.type, "answer", JSON.stringify(answer));
  if (answer.type !== "answer") return;
  const trackSid = answer.publications[0]!.trackSid;
  assert.match(answer.sdp, /a=simulcast:recv q;h;f/);
  // Nobody subscribes: only the lowest layer stays on.
  const expected = {
    type: "subscribedQualityUpdate",
    trackSid,
    layers: [
      { rid: "q", active: true },
      { rid: "h", active: false },
      { rid: "f", active: false },
    ],
  };
  const first = await waitFor("a dynacast update", () => c.of("subscribedQualityUpdate")[0]);
  assert.deepEqual(first, expected);
  // The socket drops; the resumed session gets the current state again.
  c.close();
  const r = await SignalClient.connect(node.wsUrl);
  const resumed = await r.request({ type: "join", token, resume: { participantSid: joined.participant.sid, resumeKey: joined.resumeKey } });
  assert.equal(resumed.type, "joined", JSON.stringify(resumed));
  const again = await waitFor("the dynacast state after the resume", () => r.of("subscribedQualityUpdate")[0]);
  assert.deepEqual(again, expected);
  await r.request({ type: "leave" });
});
