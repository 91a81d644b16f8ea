import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compactNtp,
  compactNtpFromUnixMs,
  dlsrFromMs,
  dlsrToMs,
  ntpFromUnixMs,
  ntpHighFromUnixMs,
  ntpLowFromUnixMs,
  rttMs,
  unixMsFromNtp,
} from "./ntp.js";
import {
  newReportBlock,
  parseReceiverReport,
  type ReportBlock,
  readReportBlock,
  rrReportOffset,
  writeReceiverReport,
} from "./receiver-report.js";
import { newSenderInfo, parseSenderReport, srReportOffset, writeSenderReport } from "./sender-report.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// pion/rtcp receiver_report_test.go "valid": one block.
const PION_RR = hex(`81 c9 00 07  90 2f 9e 2e  bc 5e 9a 40  00 00 00 00  00 00 46 e1  00 00 01 11  09 f3 64 32  00 02 4a 79`);
const PION_BLOCK: ReportBlock = {
  ssrc: 0xbc5e9a40,
  fractionLost: 0,
  cumulativeLost: 0,
  extendedHighestSeq: 0x46e1,
  jitter: 273,
  lastSr: 0x9f36432,
  delaySinceLastSr: 150137,
};
// pion/rtcp sender_report_test.go "valid", with its length field corrected from 7 to 12 words
// (the fixture holds 52 bytes; pion's parser does not check the length against the data).
const PION_SR = hex(`81 c8 00 0c  90 2f 9e 2e  da 8b d1 fc dd dd a0 5a  aa f4 ed d5  00 00 00 01  00 00 00 02
  bc 5e 9a 40  00 00 00 00  00 00 46 e1  00 00 01 11  09 f3 64 32  00 02 4a 79`);

describe("RTCP receiver report", () => {
  it("parses the pion fixture and rebuilds it byte for byte", () => {
    assert.equal(parseReceiverReport(PION_RR, 0, PION_RR.length), 1);
    assert.deepEqual(readReportBlock(PION_RR, rrReportOffset(0, 0), newReportBlock()), PION_BLOCK);
    const out = Buffer.alloc(64);
    assert.equal(writeReceiverReport(out, 0, 0x902f9e2e, [PION_BLOCK]), 32);
    assert.deepEqual(out.subarray(0, 32), PION_RR);
  });

  it("ignores profile-specific extension bytes after the blocks", () => {
    const withExt = Buffer.concat([PION_RR, Buffer.from("TESTDATA")]);
    withExt.writeUInt16BE(9, 2);
    assert.equal(parseReceiverReport(withExt, 0, withExt.length), 1);
    const bad = Buffer.from(PION_RR);
    bad[0] = 0x82; // RC=2, room for one
    assert.equal(parseReceiverReport(bad, 0, bad.length), -1);
  });

  it("round-trips several blocks, negative and clamped cumulative loss", () => {
    const blocks: ReportBlock[] = [
      { ssrc: 1, fractionLost: 255, cumulativeLost: -5, extendedHighestSeq: 0x0001ffff, jitter: 7, lastSr: 8, delaySinceLastSr: 9 },
      { ssrc: 0xffffffff, fractionLost: 12, cumulativeLost: 0x7fffff, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 },
      { ...newReportBlock(), cumulativeLost: -0x800000 },
    ];
    const out = Buffer.alloc(200);
    const n = writeReceiverReport(out, 4, 42, blocks);
    assert.equal(n, 8 + 3 * 24);
    assert.equal(parseReceiverReport(out, 4, n), 3);
    const rb = newReportBlock();
    for (const [i, b] of blocks.entries()) assert.deepEqual(readReportBlock(out, rrReportOffset(4, i), rb), b);
    assert.deepEqual(out.subarray(4 + 8 + 4, 4 + 8 + 8), hex("ff ff ff fb")); // 255, -5
    writeReceiverReport(out, 0, 42, [{ ...newReportBlock(), cumulativeLost: 1 << 25 }]);
    assert.equal(readReportBlock(out, 8, rb).cumulativeLost, 0x7fffff);
    writeReceiverReport(out, 0, 42, [{ ...newReportBlock(), cumulativeLost: -(1 << 25) }]);
    assert.equal(readReportBlock(out, 8, rb).cumulativeLost, -0x800000);
  });

  it("refuses more than 31 blocks and buffers too small", () => {
    const many = Array.from({ length: 32 }, newReportBlock);
    assert.equal(writeReceiverReport(Buffer.alloc(2000), 0, 1, many), -1);
    assert.equal(writeReceiverReport(Buffer.alloc(31), 0, 1, [newReportBlock()]), -1);
    assert.equal(writeReceiverReport(Buffer.alloc(8), 0, 1, []), 8);
  });
});

describe("RTCP sender report", () => {
  it("parses the pion fixture and rebuilds it byte for byte", () => {
    const info = newSenderInfo();
    assert.equal(parseSenderReport(PION_SR, 0, PION_SR.length, info), 1);
    assert.deepEqual(info, {
      ssrc: 0x902f9e2e,
      ntpHigh: 0xda8bd1fc,
      ntpLow: 0xdddda05a,
      rtpTimestamp: 0xaaf4edd5,
      packetCount: 1,
      octetCount: 2,
    });
    assert.deepEqual(readReportBlock(PION_SR, srReportOffset(0, 0), newReportBlock()), PION_BLOCK);
    const out = Buffer.alloc(64);
    assert.equal(writeSenderReport(out, 0, info, [PION_BLOCK]), 52);
    assert.deepEqual(out.subarray(0, 52), PION_SR);
  });

  it("the uncorrected pion fixture (length 7 words) is rejected: RC=1 does not fit", () => {
    const wrong = Buffer.from(PION_SR);
    wrong.writeUInt16BE(7, 2);
    assert.equal(parseSenderReport(wrong, 0, 32, newSenderInfo()), -1);
  });

  it("SR without blocks, and the limits", () => {
    const out = Buffer.alloc(28);
    const info = { ssrc: 5, ntpHigh: 0xffffffff, ntpLow: 1, rtpTimestamp: 0x80000000, packetCount: 3, octetCount: 4 };
    assert.equal(writeSenderReport(out, 0, info), 28);
    const back = newSenderInfo();
    assert.equal(parseSenderReport(out, 0, 28, back), 0);
    assert.deepEqual(back, info);
    assert.equal(writeSenderReport(out, 1, info), -1);
    assert.equal(writeSenderReport(Buffer.alloc(2000), 0, info, Array.from({ length: 32 }, newReportBlock)), -1);
  });
});

describe("NTP time, LSR/DLSR and RTT (RFC 3550 §4, §6.4.1)", () => {
  it("converts Unix ms to NTP and back", () => {
    assert.deepEqual(ntpFromUnixMs(0), { high: 2208988800, low: 0 });
    assert.deepEqual(ntpFromUnixMs(1500), { high: 2208988801, low: 0x80000000 });
    assert.deepEqual(ntpFromUnixMs(-500), { high: 2208988799, low: 0x80000000 });
    for (const ms of [1_700_000_000_123.25, 1_234.999, 2_085_978_495_999]) {
      const { high, low } = ntpFromUnixMs(ms);
      assert.equal(high, ntpHighFromUnixMs(ms));
      assert.equal(low, ntpLowFromUnixMs(ms));
      assert.ok(low >= 0 && low < 2 ** 32);
      assert.ok(Math.abs(unixMsFromNtp(high, low) - ms) < 0.001, `${ms}`);
    }
  });

  it("compact NTP is the middle 32 bits", () => {
    assert.equal(compactNtp(0xda8bd1fc, 0xdddda05a), 0xd1fcdddd);
    assert.equal(compactNtpFromUnixMs(1500), ((2208988801 & 0xffff) * 65536 + 0x8000) >>> 0);
  });

  it("DLSR unit is 1/65536 s", () => {
    assert.equal(dlsrFromMs(1000), 65536);
    assert.equal(dlsrFromMs(5250), 0x00054000);
    assert.equal(dlsrToMs(65536), 1000);
    assert.equal(dlsrFromMs(-3), 0);
    assert.equal(dlsrFromMs(Number.NaN), 0);
    assert.equal(dlsrFromMs(1e12), 0xffffffff);
  });

  it("RTT: the RFC 3550 §6.4.1 figure 2 example, wrap-around, no SR yet", () => {
    // A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000, DLSR = 0x0005:4000 (5.250 s) -> 6.125 s
    assert.equal(rttMs(0xb7108000, 0xb7052000, 0x00054000), 6125);
    assert.equal(rttMs(0x00001000, 0xffff0000, 0), 0x11000 / 65.536);
    assert.equal(rttMs(0x1000, 0, 0), -1);
    assert.equal(rttMs(0x1000, 0x2000, 0), -1); // report from the future
  });
});
