import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  extensionLength,
  extensionOffset,
  findExtension,
  hasExtension,
  isRtcpPacketType,
  isRtpOrRtcp,
  readAudioLevel,
  readCsrcCount,
  readMarker,
  readPayloadType,
  readRtxOsn,
  readSequence,
  readSsrc,
  readTimestamp,
  rtpHeaderLength,
  rtpPayloadEnd,
  rtxUnwrapInPlace,
  writeExtensionFlag,
  writeMarker,
  writeOneByteExtensions,
  writePayloadType,
  writeRtpHeader,
  writeRtxPacket,
  writeSequence,
  writeSsrc,
  writeTimestamp,
} from "./packet.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("RTP demultiplexing", () => {
  it("first-byte and RTCP packet-type ranges (RFC 7983, RFC 5761)", () => {
    assert.deepEqual([127, 128, 191, 192].map(isRtpOrRtcp), [false, true, true, false]);
    assert.deepEqual([191, 192, 200, 223, 224].map(isRtcpPacketType), [false, true, true, true, false]);
    assert.equal(isRtcpPacketType(0x80 | 111), false); // Opus with marker bit is RTP
  });
});

describe("RTP fixed header", () => {
  it("writeRtpHeader + getters round trip", () => {
    const out = Buffer.alloc(40);
    const h = { payloadType: 96, marker: true, sequence: 65535, timestamp: 0xfffffffe, ssrc: 0x89abcdef };
    assert.equal(writeRtpHeader(out, 0, h), 12);
    assert.deepEqual(out.subarray(0, 12), hex("80 e0 ff ff ff ff ff fe 89 ab cd ef"));
    assert.equal(rtpHeaderLength(out, 12), 12);
    assert.equal(readPayloadType(out), 96);
    assert.equal(readMarker(out), true);
    assert.equal(readSequence(out), 65535);
    assert.equal(readTimestamp(out), 0xfffffffe);
    assert.equal(readSsrc(out), 0x89abcdef);
    assert.equal(writeRtpHeader(out, 30, h), -1); // does not fit
  });

  it("setters wrap and keep neighbouring bits", () => {
    const b = Buffer.alloc(12);
    writeRtpHeader(b, 0, { payloadType: 111, marker: true, sequence: 1, timestamp: 2, ssrc: 3 });
    writePayloadType(b, 100);
    assert.equal(readPayloadType(b), 100);
    assert.equal(readMarker(b), true);
    writeMarker(b, false);
    assert.equal(readMarker(b), false);
    assert.equal(readPayloadType(b), 100);
    writeSequence(b, 65536 + 7);
    assert.equal(readSequence(b), 7);
    writeTimestamp(b, 2 ** 32 + 9);
    assert.equal(readTimestamp(b), 9);
    writeSsrc(b, 0xffffffff);
    assert.equal(readSsrc(b), 0xffffffff);
  });
});

describe("RTP header length and padding", () => {
  it("counts CSRCs and the extension block", () => {
    const b = hex(`82 60 00 01 00 00 00 02 00 00 00 03  00 00 00 0a 00 00 00 0b  aa bb`);
    assert.equal(readCsrcCount(b), 2);
    assert.equal(rtpHeaderLength(b, b.length), 20);
    assert.equal(rtpPayloadEnd(b, b.length), 22);
    const x = hex(`91 60 00 01 00 00 00 02 00 00 00 03  00 00 00 0a  be de 00 01 10 7f 00 00  aa`);
    assert.equal(rtpHeaderLength(x, x.length), 24);
    assert.equal(rtpHeaderLength(x, 24), 24); // empty payload is allowed
  });

  it("rejects malformed lengths", () => {
    const x = hex(`91 60 00 01 00 00 00 02 00 00 00 03  00 00 00 0a  be de 00 01 10 7f 00 00  aa`);
    for (let n = 0; n < 24; n++) assert.equal(rtpHeaderLength(x, n), -1, `len ${n}`);
    assert.equal(rtpHeaderLength(x, x.length + 1), -1); // len beyond the buffer
    const v1 = Buffer.from(x);
    v1[0] = 0x51; // version 1
    assert.equal(rtpHeaderLength(v1, v1.length), -1);
    const longExt = Buffer.from(x);
    longExt[19] = 2; // extension claims 8 bytes, only 5 follow
    assert.equal(rtpHeaderLength(longExt, longExt.length), -1);
    const manyCsrc = Buffer.from(x);
    manyCsrc[0] = 0x8f; // 15 CSRCs
    assert.equal(rtpHeaderLength(manyCsrc, manyCsrc.length), -1);
  });

  it("strips padding and rejects bad padding counts", () => {
    const p = hex(`a0 60 00 01 00 00 00 02 00 00 00 03  11 22 33  00 00 00 04`);
    assert.equal(rtpPayloadEnd(p, p.length), 15);
    const zero = Buffer.from(p);
    zero[zero.length - 1] = 0;
    assert.equal(rtpPayloadEnd(zero, zero.length), -1);
    const tooMuch = Buffer.from(p);
    tooMuch[tooMuch.length - 1] = 8; // would eat into the header
    assert.equal(rtpPayloadEnd(tooMuch, tooMuch.length), -1);
    const all = Buffer.from(p);
    all[all.length - 1] = 7; // padding-only packet (bandwidth probe)
    assert.equal(rtpPayloadEnd(all, all.length), 12);
  });
});

describe("RTP header extensions (RFC 8285)", () => {
  it("one-byte form: write, then find every element", () => {
    const out = Buffer.alloc(64);
    writeRtpHeader(out, 0, { payloadType: 111, marker: false, sequence: 5, timestamp: 6, ssrc: 7 });
    const n = writeOneByteExtensions(out, 12, [
      { id: 1, value: 0x80 | 42 }, // audio level, voice
      { id: 3, value: 0x123456, size: 3 }, // abs-send-time
      { id: 5, value: 0xabcd, size: 2 }, // transport-wide sequence number
      { id: 9, data: Buffer.from("0123456789abcdef") }, // 16 bytes, the maximum
    ]);
    // elements: 2 + 4 + 3 + 17 = 26 bytes, padded to 28, plus the 4-byte block header
    assert.equal(n, 32);
    writeExtensionFlag(out, 0, true);
    assert.ok(hasExtension(out));
    assert.deepEqual(out.subarray(12, 28), hex("be de 00 07 10 aa 32 12 34 56 51 ab cd 9f 30 31"));
    const len = 12 + n + 3;
    assert.equal(rtpHeaderLength(out, len), 44);
    assert.equal(readAudioLevel(out, len, 1), 0x80 | 42);
    let p = findExtension(out, len, 3);
    assert.equal(extensionLength(p), 3);
    assert.equal(out.readUIntBE(extensionOffset(p), 3), 0x123456);
    p = findExtension(out, len, 5);
    assert.equal(out.readUInt16BE(extensionOffset(p)), 0xabcd);
    p = findExtension(out, len, 9);
    assert.equal(out.toString("latin1", extensionOffset(p), extensionOffset(p) + extensionLength(p)), "0123456789abcdef");
    assert.equal(findExtension(out, len, 2), -1);
    assert.equal(findExtension(out, len, 15), -1);
    assert.equal(readAudioLevel(out, len, 4), -1);
  });

  it("one-byte form: skips padding bytes, stops at ID 15", () => {
    // 0x00 padding, id 2 (1 byte), 0x00 0x00 padding, id 4 (2 bytes), id 15 (L=0), then an
    // id 6 element that would parse if ID 15 did not end processing
    const b = hex(`90 60 00 01 00 00 00 02 00 00 00 03  be de 00 03  00 20 aa 00 00 41 bb cc f0 00 60 dd`);
    assert.equal(rtpHeaderLength(b, b.length), 28);
    assert.equal(findExtension(b, b.length, 2), (1 << 16) | 18);
    assert.equal(findExtension(b, b.length, 4), (2 << 16) | 22);
    assert.equal(findExtension(b, b.length, 6), -1);
  });

  it("two-byte form (0x100X): find elements including zero-length ones", () => {
    // id 1 len 0, padding, id 20 len 3, id 200 len 1
    const b = hex(`90 60 00 01 00 00 00 02 00 00 00 03  10 00 00 03  01 00 00 14 03 01 02 03 c8 01 7f 00  ff`);
    assert.equal(rtpHeaderLength(b, b.length), 28);
    assert.equal(findExtension(b, b.length, 1), 18);
    assert.equal(extensionLength(findExtension(b, b.length, 1)), 0);
    const p = findExtension(b, b.length, 20);
    assert.equal(extensionLength(p), 3);
    assert.deepEqual(b.subarray(extensionOffset(p), extensionOffset(p) + 3), hex("01 02 03"));
    assert.equal(readAudioLevel(b, b.length, 200), 0x7f);
    assert.equal(readAudioLevel(b, b.length, 1), -1); // zero-length element is not a level
    assert.equal(findExtension(b, b.length, 2), -1);
  });

  it("rejects elements overrunning the block and unknown profiles", () => {
    const over = hex(`90 60 00 01 00 00 00 02 00 00 00 03  be de 00 01  10 aa 32 bb`);
    assert.equal(findExtension(over, over.length, 1), (1 << 16) | 17);
    assert.equal(findExtension(over, over.length, 3), -1); // needs 3 bytes, 1 left
    const other = hex(`90 60 00 01 00 00 00 02 00 00 00 03  ab cd 00 01  10 aa 00 00`);
    assert.equal(findExtension(other, other.length, 1), -1);
    const noX = hex(`80 60 00 01 00 00 00 02 00 00 00 03  be de 00 01  10 aa 00 00`);
    assert.equal(findExtension(noX, noX.length, 1), -1);
    assert.equal(findExtension(over, 18, 1), -1); // block truncated by len
  });

  it("writeOneByteExtensions validates items and capacity", () => {
    const out = Buffer.alloc(16, 0xff); // dirty, to see the zero padding written
    assert.equal(writeOneByteExtensions(out, 0, []), 0);
    assert.equal(writeOneByteExtensions(out, 0, [{ id: 15, value: 1 }]), -1);
    assert.equal(writeOneByteExtensions(out, 0, [{ id: 0, value: 1 }]), -1);
    assert.equal(writeOneByteExtensions(out, 0, [{ id: 1, data: Buffer.alloc(17) }]), -1);
    assert.equal(writeOneByteExtensions(out, 0, [{ id: 1, value: 1, size: 5 }]), -1);
    assert.equal(writeOneByteExtensions(out, 0, [{ id: 1, data: Buffer.alloc(12) }]), -1); // 4+16 > 16
    assert.equal(writeOneByteExtensions(out, 4, [{ id: 1, value: 7 }]), 8);
    assert.deepEqual(out.subarray(4, 12), hex("be de 00 01 10 07 00 00"));
  });
});

describe("RTX (RFC 4588)", () => {
  it("writeRtxPacket -> readRtxOsn -> rtxUnwrapInPlace restores the original", () => {
    const original = hex(`b0 e0 12 34 00 00 10 00 11 22 33 44  be de 00 01 10 aa 00 00  de ad be ef  00 00 03`);
    const len = original.length;
    assert.equal(rtpPayloadEnd(original, len), 24);
    const rtx = Buffer.alloc(100);
    assert.equal(writeRtxPacket(rtx, 0, original, len, 97, 0x55667788, 900), len + 2);
    assert.equal(readPayloadType(rtx), 97);
    assert.equal(readMarker(rtx), true);
    assert.equal(readSequence(rtx), 900);
    assert.equal(readSsrc(rtx), 0x55667788);
    assert.equal(readRtxOsn(rtx, len + 2), 0x1234);
    assert.equal(readAudioLevel(rtx, len + 2, 1), 0xaa);
    assert.equal(rtpPayloadEnd(rtx, len + 2), 26);
    const start = rtxUnwrapInPlace(rtx, len + 2, 96, 0x11223344);
    assert.equal(start, 2);
    assert.deepEqual(rtx.subarray(start, len + 2), original);
    assert.equal(writeRtxPacket(Buffer.alloc(len + 1), 0, original, len, 97, 1, 1), -1);
  });

  it("padding-only RTX probes have no OSN", () => {
    const probe = hex(`a0 61 00 01 00 00 00 02 00 00 00 03  00 00 00 00 00 00 00 08`);
    assert.equal(readRtxOsn(probe, probe.length), -1);
    assert.equal(rtxUnwrapInPlace(probe, probe.length, 96, 1), -1);
  });
});

describe("RTP parsers never throw on garbage", () => {
  it("random input stays in bounds", () => {
    for (let i = 0; i < 5000; i++) {
      const b = randomBytes(i % 64);
      b[0] = 0x80 | (b[0] & 0x3f);
      const len = b.length;
      const h = rtpHeaderLength(b, len);
      const end = rtpPayloadEnd(b, len);
      assert.ok(h === -1 || (h >= 12 && h <= len));
      assert.ok(end === -1 || (end >= h && end <= len));
      for (let id = 0; id < 16; id++) {
        const p = findExtension(b, len, id);
        assert.ok(p === -1 || extensionOffset(p) + extensionLength(p) <= len);
      }
      readAudioLevel(b, len, 1);
      readRtxOsn(b, len);
    }
  });
});
