/// <reference types="node" />
// The SDK end to end in Node: @roamhq/wrtc for WebRTC, ws for the socket, and
// the fake SFU from test-support speaking the signaling contract.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FakeSfu, startFakeSfu } from "../test-support/fake-sfu.mjs";
import { createAudioTrack, createWebSocket, fakeToken, installWebRtcGlobals } from "../test-support/node-webrtc.mjs";
import { RelaisError } from "./errors.js";
import { Room } from "./room.js";
import type { RoomEvents } from "./room-events.js";
import type { RoomConnectOptions } from "./room-options.js";

let sfu: FakeSfu;
const rooms: Room[] = [];
const options: RoomConnectOptions = { webSocketFactory: createWebSocket };

before(async () => {
  installWebRtcGlobals();
  sfu = await startFakeSfu({ resumeWindowS: 5 });
});
after(async () => {
  await Promise.all(rooms.map((room) => room.disconnect()));
  sfu.close();
  // wrtc's audio source keeps the event loop alive for good (and stopping its track
  // crashes at exit), so leave explicitly once the report is out, keeping the exit code.
  setTimeout(() => process.exit(), 200).unref();
});

async function join(identity: string): Promise<Room> {
  const room = await Room.connect(sfu.url, fakeToken({ sub: identity, name: identity.toUpperCase(), room: "test" }), options);
  rooms.push(room);
  return room;
}

function next<K extends keyof RoomEvents>(
  room: Room,
  event: K,
  match: (...args: RoomEvents[K]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<RoomEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (...args: RoomEvents[K]) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      room.off(event, listener);
      resolve(args);
    };
    room.on(event, listener);
  });
}

test("join errors reject with the server's code; an unreachable server with SIGNAL_UNREACHABLE", async () => {
  const expired = fakeToken({ sub: "late", room: "test", exp: 1 });
  await assert.rejects(Room.connect(sfu.url, expired, options), (e: unknown) => e instanceof RelaisError && e.code === "TOKEN_EXPIRED");
  await assert.rejects(
    Room.connect("http://127.0.0.1:9", expired, options),
    (e: unknown) => e instanceof RelaisError && e.code === "SIGNAL_UNREACHABLE",
  );
});

test("publish, subscribe, mute, resume with reconciliation, unpublish, leave", async (t) => {
  const alice = await join("alice");
  assert.equal(alice.state, "connected");
  const { track: mic, stop: stopMic } = createAudioTrack();
  t.after(stopMic);
  const publication = await alice.localParticipant.publishTrack(mic, { source: "microphone" });
  assert.ok(publication.trackSid, "the answer assigned a trackSid");
  assert.equal(alice.localParticipant.trackPublications.get(publication.trackSid), publication);

  // Bob joins after Alice published: her track is in `joined` and he subscribes to it.
  const bobPromise = join("bob");
  const aliceSeesBob = next(alice, "participantJoined");
  const bob = await bobPromise;
  const [joinedParticipant] = await aliceSeesBob;
  assert.equal(joinedParticipant.identity, "bob");
  const remoteAlice = [...bob.remoteParticipants.values()].find((p) => p.identity === "alice");
  assert.ok(remoteAlice, "participants present at join are listed");
  const [track, remotePublication, owner] = await next(bob, "trackSubscribed");
  assert.equal(track.kind, "audio");
  assert.equal(remotePublication.trackSid, publication.trackSid);
  assert.equal(owner, remoteAlice);
  assert.ok(remotePublication.mid, "the subscription's mid is known");

  // Mute travels as trackMuted.
  const muted = next(bob, "trackMuted");
  await alice.localParticipant.setMicrophoneEnabled(false);
  assert.equal(mic.enabled, false);
  assert.equal((await muted)[0].muted, true);

  // Bob's socket drops and stays down a moment; meanwhile Carol joins and Alice leaves.
  const states: string[] = [];
  bob.on("connectionStateChanged", (state) => states.push(state));
  const reconnected = next(bob, "reconnected");
  const leftDuringOutage = next(bob, "participantLeft");
  const joinedDuringOutage = next(bob, "participantJoined");
  sfu.dropSocket("bob", 700);
  await next(bob, "reconnecting");
  const carol = await join("carol");
  await alice.disconnect();
  assert.equal(alice.state, "disconnected");
  await reconnected;
  assert.deepEqual(states, ["reconnecting", "connected"]);
  assert.equal((await leftDuringOutage)[0].identity, "alice", "reconciliation reports who left while away");
  assert.equal((await joinedDuringOutage)[0].identity, "carol", "and who came");
  assert.deepEqual(
    [...bob.remoteParticipants.values()].map((p) => p.identity),
    ["carol"],
  );

  // Carol publishes and unpublishes; Bob follows.
  const { track: carolMic, stop: stopCarolMic } = createAudioTrack();
  t.after(stopCarolMic);
  const subscribed = next(bob, "trackSubscribed");
  const carolPublication = await carol.localParticipant.publishTrack(carolMic, { source: "microphone" });
  await subscribed;
  const unpublished = next(bob, "trackUnpublished");
  const unsubscribed = next(bob, "trackUnsubscribed");
  await carol.localParticipant.unpublishTrack(carolPublication.trackSid ?? "");
  assert.equal((await unpublished)[0].trackSid, carolPublication.trackSid);
  await unsubscribed;

  const carolLeft = next(bob, "participantLeft");
  await carol.disconnect();
  await carol.disconnect(); // idempotent
  assert.equal((await carolLeft)[0].identity, "carol");
});

test("a resume the server refuses ends in disconnected", async () => {
  const dave = await join("dave");
  const disconnected = next(dave, "disconnected");
  sfu.forget("dave");
  const [reason] = await disconnected;
  assert.equal(reason, "resume_failed");
  assert.equal(dave.state, "disconnected");
  assert.throws(() => dave.setSubscribed("nope", true), RelaisError);
});
