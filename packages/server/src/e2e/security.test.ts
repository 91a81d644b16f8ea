import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import { before, test } from "node:test";
import { SignalClient } from "./support/signal-client.js";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";
import { exitAfterWrtcTests, WrtcPeer } from "./support/wrtc-peer.js";

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
exitAfterWrtcTests(() => node?.stop());

async function joinError(token: string, room?: string): Promise<{ code: string; closeCode: number | null }> {
  const c = await SignalClient.connect(node.wsUrl);
  const res = await c.request({ type: "join", token, ...(room ? { room } : {}) });
  assert.equal(res.type, "error", `expected an error, got ${res.type}`);
  await waitFor("socket closed", () => c.closeCode !== null);
  return { code: (res as { code: string }).code, closeCode: c.closeCode };
}

test("tokens: bad signature, expired, not yet valid, garbage and unknown key are refused with stable codes", async () => {
  assert.deepEqual(await joinError(await node.token({ room: "sec", identity: "a", apiSecret: "not-the-secret" })), {
    code: "TOKEN_INVALID",
    closeCode: 4001,
  });
  const expired = await node.token({ room: "sec", identity: "a", ttlS: 1, notBefore: Math.floor(Date.now() / 1000) - 120 });
  // exp = now + 1 s; wait past it and the 10 s clock tolerance by minting with an old iat instead:
  const { SignJWT } = await import("jose");
  const old = Math.floor(Date.now() / 1000) - 3600;
  const reallyExpired = await new SignJWT({ room: "sec", grants: {} })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(node.keys.primary.apiKey)
    .setSubject("a")
    .setIssuedAt(old)
    .setExpirationTime(old + 60)
    .sign(Buffer.from(node.keys.primary.apiSecret));
  assert.equal((await joinError(reallyExpired)).code, "TOKEN_EXPIRED");
  assert.ok(expired.length > 0);
  const future = await node.token({ room: "sec", identity: "a", notBefore: Math.floor(Date.now() / 1000) + 3600, ttlS: 7200 });
  assert.equal((await joinError(future)).code, "TOKEN_NOT_YET_VALID");
  assert.equal((await joinError("not.a.jwt")).code, "TOKEN_INVALID");
  const otherKey = await new SignJWT({ room: "sec" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer("APIunknown")
    .setExpirationTime("1h")
    .sign(Buffer.from("x"));
  assert.equal((await joinError(otherKey)).code, "TOKEN_INVALID");
  assert.ok(node.signaling.authFailures >= 5);
});

test("a token for room A joins room A, never room B", async () => {
  assert.deepEqual(await joinError(await node.token({ room: "room-a", identity: "alice" }), "room-b"), {
    code: "TOKEN_WRONG_ROOM",
    closeCode: 4001,
  });
  assert.equal(node.rooms.get("room-b"), undefined);
  const peer = await WrtcPeer.join(node.wsUrl, await node.token({ room: "room-a", identity: "alice" }));
  try {
    assert.equal(peer.joined!.room.name, "room-a");
    assert.ok(node.rooms.get("room-a")?.participants.size === 1);
    assert.equal(node.rooms.get("room-b"), undefined);
  } finally {
    peer.close();
  }
});

test("a subscribe-only token cannot publish", async () => {
  const peer = await WrtcPeer.join(
    node.wsUrl,
    await node.token({ room: "sec2", identity: "viewer", grants: { subscribe: true, publish: false } }),
  );
  try {
    await assert.rejects(peer.publishVideo(), /PERMISSION_DENIED/);
  } finally {
    peer.close();
  }
});

test("garbage UDP/TCP datagrams and malformed signaling are counted and dropped while a call keeps flowing", async () => {
  const pub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "noisy", identity: "pub" }));
  const sub = await WrtcPeer.join(node.wsUrl, await node.token({ room: "noisy", identity: "sub" }));
  try {
    const trackSid = await pub.publishVideo();
    await waitFor("track announced", () => sub.signal.of("trackPublished").length > 0);
    await sub.subscribe(trackSid, "video");
    await waitFor("first frames", () => sub.frames(trackSid) > 10, 20_000);
    const before = (await node.media.workers[0]!.request("getWorkerStats", {})) as { droppedGarbage: number; droppedUnknownTuple: number };

    // Garbage on the media UDP port: random bytes, fake RTP, fake DTLS, fake STUN with a bad ufrag.
    const udp = dgram.createSocket("udp4");
    const port = node.media.workers[0]!.udpPort;
    const junk = [Buffer.from("hello"), Buffer.alloc(1200, 0x80), Buffer.from([22, 254, 253, 0, 0]), Buffer.alloc(64, 0xff)];
    const stun = Buffer.alloc(20);
    stun.writeUInt16BE(0x0001, 0);
    stun.writeUInt32BE(0x2112a442, 4);
    junk.push(stun);
    for (let i = 0; i < 200; i++) udp.send(junk[i % junk.length]!, port, "127.0.0.1");
    // Garbage on the ICE-TCP port: an oversized frame and a valid frame of junk.
    const tcp = net.connect(node.media.workers[0]!.tcpPort, "127.0.0.1");
    await new Promise((r) => tcp.once("connect", r));
    tcp.write(Buffer.from([0x00, 0x05, 1, 2, 3, 4, 5, 0xff, 0xff]));
    tcp.write(Buffer.alloc(70000, 0x41));
    // Malformed signaling on the subscriber's own socket.
    sub.signal.sendRaw("{not json");
    sub.signal.sendRaw(JSON.stringify({ type: "teleport", id: 9 }));
    sub.signal.sendRaw(JSON.stringify({ type: "offer", id: 10, sdp: 42 }));
    sub.signal.sendRaw(JSON.stringify({ type: "mute", id: 11, trackSid: "TR_x", muted: "yes" }));

    await waitFor("errors for malformed messages", () => sub.signal.of("error").length >= 4);
    assert.deepEqual(
      sub.signal.of("error").map((e) => e.code),
      ["INVALID_MESSAGE", "UNKNOWN_MESSAGE_TYPE", "INVALID_MESSAGE", "INVALID_MESSAGE"],
    );
    const framesAfterJunk = sub.frames(trackSid);
    await waitFor("frames keep flowing", () => sub.frames(trackSid) > framesAfterJunk + 30, 10_000);
    const stats = (await node.media.workers[0]!.request("getWorkerStats", {})) as {
      droppedGarbage: number;
      droppedUnknownTuple: number;
      stunRejected: number;
    };
    assert.ok(stats.droppedUnknownTuple + stats.droppedGarbage > before.droppedUnknownTuple + before.droppedGarbage, JSON.stringify(stats));
    assert.ok(node.signaling.malformedMessages >= 4);
    udp.close();
    tcp.destroy();
  } finally {
    pub.close();
    sub.close();
  }
});
