import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { byeSsrc, byeSsrcCount, writeBye } from "./bye.js";
import {
  forEachRtcpPacket,
  RTCP_BYE,
  RTCP_PSFB,
  RTCP_RR,
  RTCP_SDES,
  RTCP_SR,
  rtcpBodyEnd,
  rtcpPacketLength,
  rtcpSenderSsrc,
  validateRtcpCompound,
} from "./compound.js";
import { writePli } from "./feedback.js";
import { newReportBlock, parseReceiverReport, readReportBlock, rrReportOffset, writeReceiverReport } from "./receiver-report.js";
import { sdesCnameLength, writeSdesCname } from "./sdes.js";
import { newSenderInfo, parseSenderReport, srReportOffset, writeSenderReport } from "./sender-report.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// A browser's SR (no report blocks) + SDES CNAME compound packet, from pion/rtcp's
// sender_report_test.go ("with extension", where pion reads the SDES as SR extension bytes).
const BROWSER_SR_SDES = hex(`80 c8 00 06  2b 7e c0 c5  e0 20 a2 a9 52 a5 3f c0  2e 48 a5 52  00 00 00 46  00 00 12 1d
  81 ca 00 06  2b 7e c0 c5  01 10 4c 63 49 66 7a 58 6f 6e 44 6f 72 64 53 65 57 36  00 00`);

type Seen = [type: number, fmt: number, offset: number, length: number];

function collect(buf: Uint8Array, len: number): { seen: Seen[]; result: number } {
  const seen: Seen[] = [];
  const result = forEachRtcpPacket(buf, len, (type, fmt, offset, length) => seen.push([type, fmt, offset, length]));
  return { seen, result };
}

describe("RTCP compound iteration", () => {
  it("walks a browser SR + SDES compound", () => {
    const { seen, result } = collect(BROWSER_SR_SDES, BROWSER_SR_SDES.length);
    assert.equal(result, 2);
    assert.deepEqual(seen, [
      [RTCP_SR, 0, 0, 28],
      [RTCP_SDES, 1, 28, 28],
    ]);
    assert.equal(validateRtcpCompound(BROWSER_SR_SDES, BROWSER_SR_SDES.length), 2);
    const info = newSenderInfo();
    assert.equal(parseSenderReport(BROWSER_SR_SDES, 0, 28, info), 0);
    assert.deepEqual(info, {
      ssrc: 0x2b7ec0c5,
      ntpHigh: 0xe020a2a9,
      ntpLow: 0x52a53fc0,
      rtpTimestamp: 0x2e48a552,
      packetCount: 70,
      octetCount: 4637,
    });
  });

  it("rebuilds the browser compound byte for byte (SR + SDES CNAME)", () => {
    const out = Buffer.alloc(100);
    const info = { ssrc: 0x2b7ec0c5, ntpHigh: 0xe020a2a9, ntpLow: 0x52a53fc0, rtpTimestamp: 0x2e48a552, packetCount: 70, octetCount: 4637 };
    let n = writeSenderReport(out, 0, info);
    assert.equal(n, 28);
    assert.equal(sdesCnameLength(16), 28);
    n += writeSdesCname(out, n, 0x2b7ec0c5, Buffer.from("LcIfzXonDordSeW6"));
    assert.deepEqual(out.subarray(0, n), BROWSER_SR_SDES);
  });

  it("SDES CNAME padding: always at least one null octet, 32-bit aligned", () => {
    const out = Buffer.alloc(64, 0xff);
    for (let len = 0; len < 10; len++) {
      const n = writeSdesCname(out, 0, 1, "x".repeat(len));
      assert.equal(n % 4, 0);
      assert.equal(out[n - 1], 0);
      assert.ok(n >= 4 + 4 + 2 + len + 1);
      assert.equal(validateRtcpCompound(out, n), 1);
    }
    assert.equal(writeSdesCname(out, 0, 1, "x".repeat(256)), -1);
    assert.equal(writeSdesCname(Buffer.alloc(10), 0, 1, "abc"), -1);
  });

  it("iterates RR + PLI + BYE built back to back", () => {
    const out = Buffer.alloc(200);
    let n = writeReceiverReport(out, 0, 0x01020304, [{ ...newReportBlock(), ssrc: 9 }]);
    n += writePli(out, n, 0x01020304, 9);
    n += writeBye(out, n, [0x01020304, 0x0a0b0c0d]);
    const { seen, result } = collect(out, n);
    assert.equal(result, 3);
    assert.deepEqual(seen, [
      [RTCP_RR, 1, 0, 32],
      [RTCP_PSFB, 1, 32, 12],
      [RTCP_BYE, 2, 44, 12],
    ]);
    assert.equal(rtcpSenderSsrc(out, 0), 0x01020304);
    assert.equal(byeSsrcCount(out, 44, 12), 2);
    assert.equal(byeSsrc(out, 44, 1), 0x0a0b0c0d);
  });
});

describe("RTCP malformed input", () => {
  it("stops at a packet overrunning the datagram", () => {
    const b = Buffer.from(BROWSER_SR_SDES);
    b.writeUInt16BE(7, 30); // SDES claims 32 bytes, 28 present
    const { seen, result } = collect(b, b.length);
    assert.equal(result, -1);
    assert.equal(seen.length, 1); // the SR before it was fine
    assert.equal(validateRtcpCompound(b, b.length), -1);
  });

  it("rejects wrong version, truncated headers, trailing bytes and empty input", () => {
    const v1 = Buffer.from(BROWSER_SR_SDES);
    v1[28] = 0x41;
    assert.equal(validateRtcpCompound(v1, v1.length), -1);
    assert.equal(validateRtcpCompound(BROWSER_SR_SDES, 30), -1);
    assert.equal(validateRtcpCompound(BROWSER_SR_SDES, 0), -1);
    assert.equal(
      forEachRtcpPacket(BROWSER_SR_SDES, 0, () => assert.fail()),
      -1,
    );
    assert.equal(rtcpPacketLength(BROWSER_SR_SDES, BROWSER_SR_SDES.length + 4, 0), -1); // len > buffer
    assert.equal(rtcpPacketLength(BROWSER_SR_SDES, BROWSER_SR_SDES.length, 54), -1);
  });

  it("parsers reject a length that disagrees with the header or the type", () => {
    const info = newSenderInfo();
    assert.equal(parseSenderReport(BROWSER_SR_SDES, 0, 24, info), -1);
    assert.equal(parseSenderReport(BROWSER_SR_SDES, 28, 28, info), -1); // an SDES
    assert.equal(parseReceiverReport(BROWSER_SR_SDES, 0, 28), -1); // an SR
    // RC=1 but no room for the block
    const rr = hex("81 c9 00 01 00 00 00 01");
    assert.equal(parseReceiverReport(rr, 0, 8), -1);
  });

  it("handles the padding bit (RFC 3550 §6.4.1)", () => {
    const out = Buffer.alloc(64);
    const n = writeReceiverReport(out, 0, 7, []);
    // add 4 bytes of padding: P bit, length +1 word, last byte = 4
    out[0] |= 0x20;
    out.writeUInt16BE(2, 2);
    out.set([0, 0, 0, 4], n);
    assert.equal(rtcpBodyEnd(out, 0, n + 4, RTCP_RR), n);
    assert.equal(parseReceiverReport(out, 0, n + 4), 0);
    out[n + 3] = 0;
    assert.equal(parseReceiverReport(out, 0, n + 4), -1); // zero padding count
    out[n + 3] = 13;
    assert.equal(parseReceiverReport(out, 0, n + 4), -1); // padding into the header
  });

  it("never throws on random bytes", () => {
    const block = newReportBlock();
    const info = newSenderInfo();
    for (let i = 0; i < 5000; i++) {
      const b = randomBytes(4 + (i % 96));
      b[0] = 0x80 | (b[0] & 0x3f);
      b.writeUInt16BE(i % 30, 2);
      forEachRtcpPacket(b, b.length, (type, _fmt, offset, length) => {
        if (type === RTCP_SR) {
          const rc = parseSenderReport(b, offset, length, info);
          for (let k = 0; k < rc; k++) readReportBlock(b, srReportOffset(offset, k), block);
        }
        const rc = parseReceiverReport(b, offset, length);
        for (let k = 0; k < rc; k++) readReportBlock(b, rrReportOffset(offset, k), block);
        byeSsrcCount(b, offset, length);
      });
    }
  });
});
