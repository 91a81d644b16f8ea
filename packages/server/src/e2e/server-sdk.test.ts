import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AccessToken, RelaisApiError, RoomServiceClient, WebhookReceiver, WebhookVerificationError } from "@relais/server-sdk";
import { verifyAccessToken } from "../auth/access-token.js";
import { signatureHeaders } from "../webhooks/signing.js";
import { SignalClient } from "./support/signal-client.js";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";

let node: TestNode;
let client: RoomServiceClient;
before(async () => {
  node = await startTestNode();
  client = new RoomServiceClient(node.url, node.keys.primary.apiKey, node.keys.primary.apiSecret);
});
after(async () => {
  await node.stop();
});

test("AccessToken builds tokens the server accepts, with identity, room and grants", async () => {
  const jwt = await new AccessToken(node.keys.primary.apiKey, node.keys.primary.apiSecret, { identity: "ana", name: "Ana", ttlS: 600 })
    .forRoom("sdk")
    .withGrants({ publish: false })
    .toJwt();
  const v = await verifyAccessToken(jwt, node.keys.secretFor, "sdk");
  assert.deepEqual([v.identity, v.claims.name, v.grants.publish, v.grants.subscribe], ["ana", "Ana", false, true]);
  const c = await SignalClient.connect(node.wsUrl);
  assert.equal((await c.request({ type: "join", token: jwt, room: "sdk" })).type, "joined");
  c.close();
  assert.throws(() => new AccessToken("", "x"), /API key and secret/);
  await assert.rejects(new AccessToken("k", "s").toJwt(), /forRoom/);
});

test("RoomServiceClient drives every REST operation against a running server", async () => {
  const room = await client.createRoom({ name: "sdk-room", metadata: "m" });
  assert.equal(room.name, "sdk-room");
  await assert.rejects(
    client.createRoom({ name: "sdk-room" }),
    (e: unknown) => e instanceof RelaisApiError && e.code === "ROOM_ALREADY_EXISTS" && e.status === 409,
  );
  assert.ok((await client.listRooms({ prefix: "sdk-" })).some((r) => r.name === "sdk-room"));
  assert.equal((await client.updateRoomMetadata("sdk-room", "m2")).metadata, "m2");
  assert.equal((await client.getRoom("sdk-room")).metadata, "m2");
  const { token } = await client.createToken({ room: "sdk-room", identity: "bob" });
  const c = await SignalClient.connect(node.wsUrl);
  await c.request({ type: "join", token });
  assert.deepEqual(
    (await client.listParticipants("sdk-room")).map((p) => p.identity),
    ["bob"],
  );
  assert.equal((await client.getParticipant("sdk-room", "bob")).identity, "bob");
  assert.equal((await client.updateParticipant("sdk-room", "bob", { name: "Bobby" })).name, "Bobby");
  await assert.rejects(
    client.mutePublishedTrack("sdk-room", "bob", "TR_none", true),
    (e: unknown) => e instanceof RelaisApiError && e.code === "TRACK_NOT_FOUND",
  );
  await client.removeParticipant("sdk-room", "bob");
  await waitFor("removed", () => c.of("leave").length > 0);
  await client.deleteRoom("sdk-room");
  await assert.rejects(client.getRoom("sdk-room"), (e: unknown) => e instanceof RelaisApiError && e.code === "ROOM_NOT_FOUND");
  const bad = new RoomServiceClient(node.url, node.keys.primary.apiKey, "wrong");
  await assert.rejects(bad.listRooms(), (e: unknown) => e instanceof RelaisApiError && e.code === "UNAUTHORIZED");
});

test("WebhookReceiver verifies what the server's signer produces and refuses tampering", () => {
  const secret = `whsec_${Buffer.from("a-32-byte-secret-for-the-sdk-test").toString("base64")}`;
  const body = JSON.stringify({ type: "room_started", room: { name: "x" } });
  const nowS = Math.floor(Date.now() / 1000);
  const headers = signatureHeaders({ id: "msg_1", timestamp: nowS, body, secrets: [secret] });
  const receiver = new WebhookReceiver([`whsec_${Buffer.from("old-secret").toString("base64")}`, secret]);
  assert.deepEqual(receiver.verify(body, headers), JSON.parse(body));
  assert.throws(() => receiver.verify(body.replace("x", "y"), headers), WebhookVerificationError);
  assert.throws(() => receiver.verify(body, { ...headers, "webhook-timestamp": String(nowS - 3600) }), /tolerance/);
  assert.throws(() => receiver.verify(body, { "webhook-id": "msg_1" }), /missing/);
});
