import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasDestination, newDataPacketView, parseDataPacket, stampSender } from "./data-packet.js";

/** The example of docs/data-channels.md: topic "chat", destination "bob", payload {"text":"hi"}; the client's copy has the same vector. */
const CLIENT_VECTOR = Buffer.from("01000401000063686174000362 6f627b2274657874223a226869227d".replace(/ /g, ""), "hex");

describe("data packet framing", () => {
  it("parses the documented vector", () => {
    const view = newDataPacketView();
    assert.equal(parseDataPacket(CLIENT_VECTOR, view), true);
    assert.equal(view.senderEnd - view.senderStart, 0);
    assert.equal(CLIENT_VECTOR.toString("utf8", view.topicStart, view.topicEnd), "chat");
    assert.equal(view.destinationCount, 1);
    assert.equal(CLIENT_VECTOR.toString("utf8", view.payloadStart), '{"text":"hi"}');
    assert.equal(hasDestination(CLIENT_VECTOR, view, Buffer.from("bob")), true);
    assert.equal(hasDestination(CLIENT_VECTOR, view, Buffer.from("bo")), false);
    assert.equal(hasDestination(CLIENT_VECTOR, view, Buffer.from("bobby")), false);
  });

  it("stamps the sender and drops the destinations", () => {
    const view = newDataPacketView();
    parseDataPacket(CLIENT_VECTOR, view);
    const out = stampSender(CLIENT_VECTOR, view, Buffer.from("alice"));
    assert.equal(out.toString("hex"), "010004000005616c69636563686174" + Buffer.from('{"text":"hi"}').toString("hex"));
    const back = newDataPacketView();
    assert.equal(parseDataPacket(out, back), true);
    assert.equal(out.toString("utf8", back.senderStart, back.senderEnd), "alice");
    assert.equal(back.destinationCount, 0);
    assert.equal(out.toString("utf8", back.payloadStart), '{"text":"hi"}');
  });

  it("a client's own sender claim is replaced, not kept", () => {
    const forged = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 5]), Buffer.from("admin"), Buffer.from([0xaa])]);
    const view = newDataPacketView();
    assert.equal(parseDataPacket(forged, view), true);
    const out = stampSender(forged, view, Buffer.from("eve"));
    parseDataPacket(out, view);
    assert.equal(out.toString("utf8", view.senderStart, view.senderEnd), "eve");
    assert.deepEqual([...out.subarray(view.payloadStart)], [0xaa]);
  });

  it("rejects truncation, other versions and kinds; random bytes never throw", () => {
    const view = newDataPacketView();
    for (let n = 0; n < 15; n++) assert.equal(parseDataPacket(CLIENT_VECTOR.subarray(0, n), view), false, `truncated to ${n}`);
    const v2 = Buffer.from(CLIENT_VECTOR);
    v2[0] = 2;
    assert.equal(parseDataPacket(v2, view), false);
    const kind = Buffer.from(CLIENT_VECTOR);
    kind[1] = 7;
    assert.equal(parseDataPacket(kind, view), false);
    for (let i = 0; i < 5000; i++) {
      const junk = Buffer.from(Array.from({ length: i % 64 }, () => Math.floor(Math.random() * 256)));
      if (junk.length > 1) {
        junk[0] = 1;
        junk[1] = 0;
      }
      if (parseDataPacket(junk, view)) {
        assert.ok(view.payloadStart <= junk.length);
        hasDestination(junk, view, Buffer.from("x"));
      }
    }
  });
});
