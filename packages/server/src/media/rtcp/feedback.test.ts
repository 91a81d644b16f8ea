import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { forEachRtcpPacket, RTCP_PSFB, RTCP_RTPFB, rtcpSenderSsrc } from "./compound.js";
import {
  fbMediaSsrc,
  firEntryCount,
  firEntrySeq,
  firEntrySsrc,
  isPli,
  readNack,
  readRembBitrate,
  readRembSsrcs,
  writeFir,
  writeNack,
  writePli,
  writeRemb,
} from "./feedback.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("PLI (RFC 4585 §6.3.1)", () => {
  it("exact bytes: V=2 FMT=1 PT=206 length=2, sender SSRC, media SSRC", () => {
    const out = Buffer.alloc(12);
    assert.equal(writePli(out, 0, 0x11223344, 0x55667788), 12);
    assert.deepEqual(out, hex("81 ce 00 02  11 22 33 44  55 66 77 88"));
    assert.ok(isPli(out, 0, 12));
    assert.equal(rtcpSenderSsrc(out, 0), 0x11223344);
    assert.equal(fbMediaSsrc(out, 0), 0x55667788);
  });

  it("pion fixture, and near misses", () => {
    const pli = hex("81 ce 00 02  00 00 00 00  4b c4 fc b4");
    assert.ok(isPli(pli, 0, 12));
    assert.equal(fbMediaSsrc(pli, 0), 0x4bc4fcb4);
    assert.equal(isPli(hex("81 c9 00 02 00 00 00 00 4b c4 fc b4"), 0, 12), false); // RR
    assert.equal(isPli(hex("82 ce 00 02 00 00 00 00 4b c4 fc b4"), 0, 12), false); // FMT 2 (SLI)
    assert.equal(isPli(hex("81 ce 00 01 00 00 00 00"), 0, 8), false); // no media SSRC
    assert.equal(writePli(Buffer.alloc(11), 0, 1, 2), -1);
  });
});

describe("FIR (RFC 5104 §4.3.1)", () => {
  it("parses pion's two-entry fixture", () => {
    const fir = hex(`84 ce 00 06  00 00 00 00  4b c4 fc b4  12 34 56 78  42 00 00 00  98 76 54 32  57 00 00 00`);
    assert.equal(firEntryCount(fir, 0, fir.length), 2);
    assert.equal(firEntrySsrc(fir, 0, 0), 0x12345678);
    assert.equal(firEntrySeq(fir, 0, 0), 0x42);
    assert.equal(firEntrySsrc(fir, 0, 1), 0x98765432);
    assert.equal(firEntrySeq(fir, 0, 1), 0x57);
  });

  it("builds with media source SSRC 0 and round-trips", () => {
    const out = Buffer.alloc(20);
    assert.equal(writeFir(out, 0, 0xaabbccdd, 0x01020304, 257), 20);
    assert.deepEqual(out, hex("84 ce 00 04  aa bb cc dd  00 00 00 00  01 02 03 04  01 00 00 00"));
    assert.equal(firEntryCount(out, 0, 20), 1);
    assert.equal(firEntrySeq(out, 0, 0), 1); // 257 mod 256
  });

  it("rejects a FIR without entries or with a partial entry", () => {
    assert.equal(firEntryCount(hex("84 ce 00 02 00 00 00 00 00 00 00 00"), 0, 12), -1);
    assert.equal(firEntryCount(hex("84 ce 00 03 00 00 00 00 4b c4 fc b4 12 34 56 78"), 0, 16), -1);
  });
});

describe("generic NACK (RFC 4585 §6.2.1)", () => {
  it("exact bytes for hand-computed PID/BLP items", () => {
    const out = Buffer.alloc(64);
    // 100 is the PID; 101 -> BLP bit 0, 105 -> bit 4, 115 -> bit 14: BLP 0x4011
    assert.equal(writeNack(out, 0, 0x01020304, 0x05060708, [100, 101, 105, 115]), 16);
    assert.deepEqual(out.subarray(0, 16), hex("81 cd 00 03  01 02 03 04  05 06 07 08  00 64 40 11"));
    // 117 is 17 after 100: new item; 500..502 -> PID 500, BLP 0x0003
    const n = writeNack(out, 0, 1, 2, [100, 117, 500, 501, 502]);
    assert.equal(n, 24);
    assert.deepEqual(out.subarray(0, n), hex("81 cd 00 05  00 00 00 01  00 00 00 02  00 64 00 00  00 75 00 00  01 f4 00 03"));
    // PID + 16 is the last BLP bit (0x8000)
    assert.equal(writeNack(out, 0, 1, 2, [42, 58]), 16);
    assert.deepEqual(out.subarray(12, 16), hex("00 2a 80 00"));
  });

  it("wraps around 65535 and skips duplicates", () => {
    const out = Buffer.alloc(64);
    assert.equal(writeNack(out, 0, 1, 2, [65534, 65535, 65535, 0, 1]), 16);
    assert.deepEqual(out.subarray(12, 16), hex("ff fe 00 07"));
    const seqs = new Uint16Array(32);
    assert.equal(readNack(out, 0, 16, seqs), 4);
    assert.deepEqual([...seqs.subarray(0, 4)], [65534, 65535, 0, 1]);
  });

  it("expands pion's fixture (PID 0xaaaa, BLP 0x5555)", () => {
    const nack = hex("81 cd 00 03  90 2f 9e 2e  90 2f 9e 2e  aa aa 55 55");
    const seqs = new Uint16Array(17);
    const n = readNack(nack, 0, nack.length, seqs);
    assert.deepEqual([...seqs.subarray(0, n)], [0xaaaa, 0xaaab, 0xaaad, 0xaaaf, 0xaab1, 0xaab3, 0xaab5, 0xaab7, 0xaab9]);
    assert.equal(readNack(nack, 0, nack.length, new Uint16Array(3)), 3); // stops when full
  });

  it("round-trips random sorted loss lists", () => {
    const out = Buffer.alloc(4096);
    const back = new Uint16Array(8192);
    for (let round = 0; round < 200; round++) {
      const lost: number[] = [];
      let s = (round * 7919) & 0xffff;
      for (let k = 0; k < 1 + (round % 60); k++) {
        s = (s + 1 + (randomBytes(1)[0] % 24)) & 0xffff;
        lost.push(s);
      }
      const n = writeNack(out, 0, 1, 2, lost);
      assert.ok(n > 12);
      let seen = 0;
      forEachRtcpPacket(out, n, (type, fmt, offset, length) => {
        assert.equal(type, RTCP_RTPFB);
        assert.equal(fmt, 1);
        seen = readNack(out, offset, length, back);
      });
      assert.deepEqual([...back.subarray(0, seen)], lost);
    }
  });

  it("empty list, no room, malformed", () => {
    assert.equal(writeNack(Buffer.alloc(64), 0, 1, 2, []), 0);
    assert.equal(writeNack(Buffer.alloc(15), 0, 1, 2, [1]), -1);
    assert.equal(writeNack(Buffer.alloc(16), 0, 1, 2, [1, 100]), -1); // needs two items
    assert.equal(readNack(hex("81 cd 00 02 00 00 00 01 00 00 00 02"), 0, 12, new Uint16Array(4)), -1); // no FCI
    assert.equal(readNack(hex("81 ce 00 03 00 00 00 01 00 00 00 02 00 01 00 00"), 0, 16, new Uint16Array(4)), -1); // PSFB
  });
});

describe("REMB (draft-alvestrand-rmcat-remb-03)", () => {
  // Chrome, watching a 6 Mb/s stream (pion/rtcp receiver_estimated_maximum_bitrate_test.go):
  // exp = 26 >> 2 = 6, mantissa = (26 & 3) << 16 | 0x20df = 139487 -> 139487 * 64 = 8927168
  const CHROME_REMB = Buffer.from([143, 206, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 82, 69, 77, 66, 1, 26, 32, 223, 72, 116, 237, 22]);

  it("parses Chrome's REMB", () => {
    assert.equal(readRembBitrate(CHROME_REMB, 0, CHROME_REMB.length), 8927168);
    const ssrcs = new Uint32Array(4);
    assert.equal(readRembSsrcs(CHROME_REMB, 0, CHROME_REMB.length, ssrcs), 1);
    assert.equal(ssrcs[0], 1215622422);
  });

  it("builds the same bytes, rounding the mantissa down", () => {
    const out = Buffer.alloc(24);
    assert.equal(writeRemb(out, 0, 1, 8927168, [1215622422]), 24);
    assert.deepEqual(out, CHROME_REMB);
    writeRemb(out, 0, 1, 8927167, [1215622422]);
    assert.equal(readRembBitrate(out, 0, 24), 8927104); // 139486 * 64
  });

  it("small, zero and saturated bitrates; several SSRCs", () => {
    const out = Buffer.alloc(64);
    let n = writeRemb(out, 0, 9, 300_000, [1, 2, 3]);
    assert.equal(n, 32);
    assert.equal(readRembBitrate(out, 0, n), 300_000 - (300_000 % 2)); // exp 1
    const ssrcs = new Uint32Array(2);
    assert.equal(readRembSsrcs(out, 0, n, ssrcs), 2); // capped by the output array
    assert.deepEqual([...ssrcs], [1, 2]);
    n = writeRemb(out, 0, 9, 0, []);
    assert.equal(readRembBitrate(out, 0, n), 0);
    n = writeRemb(out, 0, 0, Number.MAX_VALUE, []);
    assert.deepEqual(out.subarray(0, n), Buffer.from([143, 206, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 82, 69, 77, 66, 0, 255, 255, 255]));
    assert.equal(readRembBitrate(out, 0, n), 0x3ffff * 2 ** 63);
  });

  it("rejects non-REMB application feedback and short SSRC lists", () => {
    const notRemb = Buffer.from(CHROME_REMB);
    notRemb[15] = 0x43; // 'REMC'
    assert.equal(readRembBitrate(notRemb, 0, notRemb.length), -1);
    const tooMany = Buffer.from(CHROME_REMB);
    tooMany[16] = 2; // claims 2 SSRCs, carries 1
    assert.equal(readRembBitrate(tooMany, 0, tooMany.length), -1);
    assert.equal(readRembSsrcs(tooMany, 0, tooMany.length, new Uint32Array(2)), -1);
    const pli = Buffer.alloc(12);
    writePli(pli, 0, 1, 2);
    assert.equal(readRembBitrate(pli, 0, 12), -1);
    assert.equal(pli[1], RTCP_PSFB);
  });
});
