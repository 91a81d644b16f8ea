import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { validateRtcpCompound } from "./compound.js";
import { newTwccInfo, parseTwcc, type TwccInfo, writeTwcc } from "./twcc.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// Chrome-generated TWCC packets from pion/rtcp transport_layer_cc_test.go ("example1", "example4").
// Both are padded to 32 bits with the P bit and a trailing padding count, as libwebrtc does.
const ONE_PACKET = hex(`af cd 00 05  fa 17 fa 17  43 03 2f a0  00 99 00 01  3d e8 02 17  20 01 94 01`);
const SEVEN_PACKETS = hex(`af cd 00 07  fa 17 fa 17  19 3d d8 bb  00 04 00 07  10 63 6e 01
  20 07 4c 24  24 10 0c 0c  10 00 00 03`);

const status = new Uint8Array(65536);
const deltas = new Int16Array(65536);

function decode(buf: Uint8Array): { info: TwccInfo; status: number[]; deltas: number[] } {
  const info = newTwccInfo();
  const n = parseTwcc(buf, 0, buf.length, info, status, deltas);
  assert.ok(n >= 0, "parseTwcc failed");
  return { info, status: [...status.subarray(0, n)], deltas: [...deltas.subarray(0, n)] };
}

function encode(info: TwccInfo, st: number[], ds: number[], mediaSsrc = 0x193dd8bb): Buffer {
  const out = Buffer.alloc(20 + 2 * st.length + 2 * st.length + 4);
  const n = writeTwcc(out, 0, 0xfa17fa17, mediaSsrc, info, Uint8Array.from(st), Int16Array.from(ds));
  assert.ok(n > 0);
  return out.subarray(0, n);
}

describe("TWCC feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01)", () => {
  it("parses and rebuilds Chrome's one-packet feedback (run-length chunk)", () => {
    const d = decode(ONE_PACKET);
    assert.deepEqual(d.info, { baseSeq: 153, statusCount: 1, referenceTime: 4057090, fbPktCount: 23 });
    assert.deepEqual(d.status, [1]);
    assert.deepEqual(d.deltas, [148]); // 37 ms
    assert.deepEqual(encode(d.info, d.status, d.deltas, 0x43032fa0), ONE_PACKET);
  });

  it("parses and rebuilds Chrome's seven-packet feedback", () => {
    const d = decode(SEVEN_PACKETS);
    assert.deepEqual(d.info, { baseSeq: 4, statusCount: 7, referenceTime: 1074030, fbPktCount: 1 });
    assert.deepEqual(d.status, [1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(d.deltas, [76, 36, 36, 16, 12, 12, 16]);
    assert.deepEqual(encode(d.info, d.status, d.deltas), SEVEN_PACKETS);
  });

  it("one-bit status vector: the draft's §3.1.4 example chunk 0x9F1C", () => {
    const st = [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0];
    const ds = st.map((s, i) => (s ? i : 0));
    const info = { baseSeq: 65530, statusCount: 14, referenceTime: -1, fbPktCount: 255 };
    const b = encode(info, st, ds);
    assert.deepEqual(b.subarray(20, 22), hex("9f 1c"));
    assert.deepEqual(b.subarray(16, 19), hex("ff ff ff")); // reference time -1, 24-bit
    const d = decode(b);
    assert.deepEqual(d.info, info);
    assert.deepEqual(d.status, st);
    assert.deepEqual(d.deltas, ds);
  });

  it("two-bit vectors, large and negative deltas, long runs", () => {
    const st: number[] = [];
    const ds: number[] = [];
    for (let i = 0; i < 40; i++) {
      const kind = i % 4;
      st.push(kind === 3 ? 0 : 1);
      ds.push(kind === 0 ? 5 : kind === 1 ? -40 : kind === 2 ? 30000 : 0);
    }
    for (let i = 0; i < 10000; i++) {
      st.push(1);
      ds.push(i % 256);
    }
    for (let i = 0; i < 20; i++) {
      st.push(0);
      ds.push(0);
    }
    st.push(1);
    ds.push(-32768);
    const info = { baseSeq: 1000, statusCount: st.length, referenceTime: 0x7fffff, fbPktCount: 3 };
    const b = encode(info, st, ds);
    assert.equal(b.length % 4, 0);
    assert.equal(validateRtcpCompound(b, b.length), 1);
    assert.equal(b[20] >> 6, 3); // first chunk is a two-bit vector
    const d = decode(b);
    assert.deepEqual(d.info, info);
    assert.deepEqual(
      d.status,
      st.map((s, i) => (s === 0 ? 0 : ds[i] >= 0 && ds[i] <= 255 ? 1 : 2)),
    );
    assert.deepEqual(d.deltas, ds);
  });

  it("random round trips", () => {
    for (let round = 0; round < 300; round++) {
      const count = 1 + (round % 90);
      const rnd = randomBytes(count * 3);
      const st: number[] = [];
      const ds: number[] = [];
      for (let i = 0; i < count; i++) {
        const received = rnd[i] % 3 !== 0;
        const small = rnd[count + i] < 200;
        st.push(received ? 1 : 0);
        ds.push(received ? (small ? rnd[2 * count + i] : ((rnd[count + i] << 8) | rnd[2 * count + i]) - 32768) : 0);
      }
      const info = { baseSeq: (round * 331) & 0xffff, statusCount: count, referenceTime: round - 150, fbPktCount: round & 255 };
      const d = decode(encode(info, st, ds));
      assert.deepEqual(d.info, info);
      assert.deepEqual(d.deltas, ds);
      assert.deepEqual(
        d.status.map((s) => (s ? 1 : 0)),
        st,
      );
    }
  });

  it("malformed: missing deltas, reserved symbol, short arrays, wrong FMT, no room", () => {
    const info = newTwccInfo();
    const truncated = Buffer.from(SEVEN_PACKETS.subarray(0, 24)); // chunk, 2 of 7 deltas
    truncated.writeUInt16BE(5, 2);
    truncated[0] &= ~0x20; // no padding
    assert.equal(parseTwcc(truncated, 0, 24, info, status, deltas), -1);
    const reserved = Buffer.from(ONE_PACKET);
    reserved.writeUInt16BE(0x6001, 20); // run of 1 with symbol 3
    assert.equal(parseTwcc(reserved, 0, reserved.length, info, status, deltas), -1);
    assert.equal(parseTwcc(SEVEN_PACKETS, 0, SEVEN_PACKETS.length, info, new Uint8Array(6), deltas), -1);
    const nack = Buffer.from(ONE_PACKET);
    nack[0] = (nack[0] & ~0x1f) | 1;
    assert.equal(parseTwcc(nack, 0, nack.length, info, status, deltas), -1);
    const noChunks = Buffer.from(ONE_PACKET.subarray(0, 20));
    noChunks.writeUInt16BE(4, 2);
    noChunks[0] &= ~0x20;
    assert.equal(parseTwcc(noChunks, 0, 20, info, status, deltas), -1);
    const d = decode(ONE_PACKET);
    assert.equal(writeTwcc(Buffer.alloc(23), 0, 1, 2, d.info, Uint8Array.from(d.status), Int16Array.from(d.deltas)), -1);
    assert.equal(writeTwcc(Buffer.alloc(64), 0, 1, 2, { ...d.info, statusCount: 0 }, status, deltas), 0);
  });

  it("never throws on random bytes", () => {
    const info = newTwccInfo();
    for (let i = 0; i < 5000; i++) {
      const b = randomBytes(20 + 4 * (i % 20));
      b[0] = 0x8f | (b[0] & 0x20);
      b[1] = 205;
      b.writeUInt16BE(b.length / 4 - 1, 2);
      b.writeUInt16BE(i % 200, 14);
      const n = parseTwcc(b, 0, b.length, info, status, deltas);
      assert.ok(n === -1 || n === i % 200);
    }
  });
});
