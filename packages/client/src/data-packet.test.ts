/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { DATA_MAX_MESSAGE_SIZE, decodeDataPacket, encodeDataPacket } from "./data-packet.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("encodes the documented vector (same bytes as the SFU's test)", () => {
  const packet = encodeDataPacket({ topic: "chat", destinations: ["bob"], payload: new TextEncoder().encode('{"text":"hi"}') });
  assert.equal(hex(packet), `0100040100006368617400036 26f62`.replace(/ /g, "") + Buffer.from('{"text":"hi"}').toString("hex"));
});

test("decodes what the SFU relays: sender stamped, no destinations", () => {
  const relayed = Buffer.from(`010004000005616c69636563686174${Buffer.from('{"text":"hi"}').toString("hex")}`, "hex");
  const p = decodeDataPacket(new Uint8Array(relayed));
  assert.ok(p);
  assert.deepEqual([p.sender, p.topic, p.destinations, new TextDecoder().decode(p.payload)], ["alice", "chat", [], '{"text":"hi"}']);
});

test("round-trips UTF-8 topics, several destinations and binary payloads", () => {
  const payload = new Uint8Array(1000).map((_, i) => i & 0xff);
  const p = decodeDataPacket(encodeDataPacket({ sender: "zoë", topic: "тема", destinations: ["a", "bé", "c"], payload }));
  assert.ok(p);
  assert.deepEqual([p.sender, p.topic, p.destinations], ["zoë", "тема", ["a", "bé", "c"]]);
  assert.deepEqual([...p.payload], [...payload]);
});

test("rejects truncated packets and other versions; refuses unframable topics", () => {
  const full = encodeDataPacket({ topic: "t", destinations: ["someone"], payload: new Uint8Array([1]) });
  for (let n = 0; n < 6 + 1 + 2 + 7; n++) assert.equal(decodeDataPacket(full.subarray(0, n)), null, `truncated to ${n}`);
  const v2 = full.slice();
  v2[0] = 2;
  assert.equal(decodeDataPacket(v2), null);
  assert.throws(() => encodeDataPacket({ topic: "x".repeat(256), destinations: [], payload: new Uint8Array() }), RangeError);
  assert.equal(DATA_MAX_MESSAGE_SIZE, 65536);
});
