import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DCEP_ACK, DCEP_OPEN, decodeOpen, encodeAck, encodeOpen, isAck } from "./dcep.js";

describe("DCEP (RFC 8832)", () => {
  it("DATA_CHANNEL_OPEN of a reliable ordered channel has the §5.1 layout", () => {
    const open = encodeOpen({ ordered: true, maxRetransmits: null, maxPacketLifeTime: null, priority: 256, label: "chat", protocol: "" });
    assert.deepEqual([...open], [DCEP_OPEN, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x00, ...Buffer.from("chat")]);
  });

  it("unordered with maxRetransmits 0 is channel type 0x81 (PARTIAL_RELIABLE_REXMIT_UNORDERED)", () => {
    const open = encodeOpen({ ordered: false, maxRetransmits: 0, maxPacketLifeTime: null, priority: 0, label: "_lossy", protocol: "" });
    assert.equal(open[1], 0x81);
    assert.deepEqual(decodeOpen(open), {
      ordered: false,
      maxRetransmits: 0,
      maxPacketLifeTime: null,
      priority: 0,
      label: "_lossy",
      protocol: "",
    });
  });

  it("round-trips timed channels and UTF-8 labels and protocols by byte length", () => {
    const o = { ordered: true, maxRetransmits: null, maxPacketLifeTime: 1500, priority: 512, label: "ünïcødé 💬", protocol: "json" };
    const buf = encodeOpen(o);
    assert.equal(buf[1], 0x02);
    assert.equal(buf.readUInt16BE(8), Buffer.byteLength(o.label));
    assert.deepEqual(decodeOpen(buf), o);
  });

  it("decodes what werift's and browsers' encoders send (label and protocol after the 12-byte header)", () => {
    const buf = Buffer.from("03000000000000000009000474657374206c6162656c70726f74", "hex");
    assert.deepEqual(decodeOpen(buf), {
      ordered: true,
      maxRetransmits: null,
      maxPacketLifeTime: null,
      priority: 0,
      label: "test labe",
      protocol: "lpro",
    });
  });

  it("returns null for truncated, foreign or unknown-type messages, never throws", () => {
    const good = encodeOpen({ ordered: true, maxRetransmits: null, maxPacketLifeTime: null, priority: 0, label: "abc", protocol: "p" });
    for (let n = 0; n < good.length; n++) assert.equal(decodeOpen(good.subarray(0, n)), null, `truncated to ${n}`);
    const wrongType = Buffer.from(good);
    wrongType[0] = 0x04;
    assert.equal(decodeOpen(wrongType), null);
    const unknownChannel = Buffer.from(good);
    unknownChannel[1] = 0x03;
    assert.equal(decodeOpen(unknownChannel), null);
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(Array.from({ length: (i % 40) + 1 }, () => Math.floor(Math.random() * 256)));
      junk[0] = DCEP_OPEN;
      decodeOpen(junk);
    }
  });

  it("DATA_CHANNEL_ACK is one byte 0x02", () => {
    assert.deepEqual([...encodeAck()], [DCEP_ACK]);
    assert.equal(isAck(encodeAck()), true);
    assert.equal(isAck(Buffer.alloc(0)), false);
    assert.equal(isAck(Buffer.from([DCEP_OPEN])), false);
  });
});
