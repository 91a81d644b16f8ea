import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { crc32 as zlibCrc32 } from "node:zlib";
import {
  buildBindingError,
  buildBindingRequest,
  buildBindingSuccess,
  crc32,
  isStun,
  parseStun,
  STUN_BINDING_ERROR,
  STUN_BINDING_REQUEST,
  STUN_BINDING_SUCCESS,
  verifyFingerprint,
  verifyMessageIntegrity,
} from "./stun.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// RFC 5769 §2.1-2.3 test vectors. Their SOFTWARE/USERNAME padding bytes are 0x20, not zero.
const PASSWORD = Buffer.from("VOkJxbRl1RmTxUk/WvJxBt");
const TID = hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");
const REQUEST = hex(`00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);
const IPV4_RESPONSE = hex(`01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);
const IPV6_RESPONSE = hex(`01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c`);

/**
 * The RFC vector with its 0x20 padding bytes zeroed (our builder pads with zeros, as RFC 8489
 * §14 requires) and MESSAGE-INTEGRITY/FINGERPRINT recomputed independently of stun.ts, with
 * node:crypto and zlib's CRC-32. Everything else stays byte-for-byte the RFC's.
 */
function withZeroPadding(vector: Buffer, padding: number[], miOffset: number): Buffer {
  const b = Buffer.from(vector);
  for (const i of padding) b[i] = 0;
  b.writeUInt16BE(miOffset + 24 - 20, 2);
  createHmac("sha1", PASSWORD)
    .update(b.subarray(0, miOffset))
    .digest()
    .copy(b, miOffset + 4);
  b.writeUInt16BE(b.length - 20, 2);
  b.writeUInt32BE((zlibCrc32(b.subarray(0, b.length - 8)) ^ 0x5354554e) >>> 0, b.length - 4);
  return b;
}

describe("STUN: RFC 5769 test vectors", () => {
  it("§2.1 sample request: parses, integrity and fingerprint verify", () => {
    assert.ok(isStun(REQUEST));
    const msg = parseStun(REQUEST);
    assert.ok(msg);
    assert.equal(msg.type, STUN_BINDING_REQUEST);
    assert.deepEqual(msg.transactionId, TID);
    assert.equal(msg.software, "STUN test client");
    assert.equal(msg.priority, 0x6e0001ff);
    assert.equal(msg.iceControlled, 0x932ff9b151263b36n);
    assert.equal(msg.iceControlling, undefined);
    assert.equal(msg.username, "evtj:h6vY");
    assert.equal(msg.useCandidate, false);
    assert.equal(msg.integrityOffset, 76);
    assert.equal(msg.fingerprintOffset, 100);
    assert.equal(msg.unknownAttributes, undefined);
    assert.ok(verifyMessageIntegrity(REQUEST, msg, PASSWORD));
    assert.ok(verifyFingerprint(REQUEST, msg));
    assert.ok(!verifyMessageIntegrity(REQUEST, msg, Buffer.from("wrong password")));
  });

  it("§2.1 sample request: builder reproduces the RFC bytes (zero padding)", () => {
    const built = buildBindingRequest({
      transactionId: TID,
      software: "STUN test client",
      priority: 0x6e0001ff,
      iceControlled: 0x932ff9b151263b36n,
      useCandidate: false,
      username: "evtj:h6vY",
      integrityKey: PASSWORD,
    });
    assert.deepEqual(built, withZeroPadding(REQUEST, [73, 74, 75], 76));
  });

  it("§2.2 IPv4 response: parses, verifies, and is rebuilt", () => {
    const msg = parseStun(IPV4_RESPONSE);
    assert.ok(msg);
    assert.equal(msg.type, STUN_BINDING_SUCCESS);
    assert.equal(msg.software, "test vector");
    assert.deepEqual(msg.xorMappedAddress, { family: 4, address: "192.0.2.1", port: 32853 });
    assert.ok(verifyMessageIntegrity(IPV4_RESPONSE, msg, PASSWORD));
    assert.ok(verifyFingerprint(IPV4_RESPONSE, msg));
    const opts = { transactionId: TID, address: "192.0.2.1", port: 32853, family: 4 as const };
    const built = buildBindingSuccess({ ...opts, integrityKey: PASSWORD, software: "test vector" });
    assert.deepEqual(built, withZeroPadding(IPV4_RESPONSE, [35], 48));
    // Attribute by attribute against the unmodified RFC bytes: header and XOR-MAPPED-ADDRESS.
    assert.deepEqual(built.subarray(0, 35), IPV4_RESPONSE.subarray(0, 35));
    assert.deepEqual(built.subarray(36, 48), IPV4_RESPONSE.subarray(36, 48));
  });

  it("§2.3 IPv6 response: parses, verifies, and is rebuilt", () => {
    const msg = parseStun(IPV6_RESPONSE);
    assert.ok(msg);
    const address = "2001:db8:1234:5678:11:2233:4455:6677";
    assert.deepEqual(msg.xorMappedAddress, { family: 6, address, port: 32853 });
    assert.ok(verifyMessageIntegrity(IPV6_RESPONSE, msg, PASSWORD));
    assert.ok(verifyFingerprint(IPV6_RESPONSE, msg));
    const built = buildBindingSuccess({
      transactionId: TID,
      address,
      port: 32853,
      family: 6,
      integrityKey: PASSWORD,
      software: "test vector",
    });
    assert.deepEqual(built, withZeroPadding(IPV6_RESPONSE, [35], 60));
    assert.deepEqual(built.subarray(36, 60), IPV6_RESPONSE.subarray(36, 60));
  });
});

describe("STUN: negative cases", () => {
  it("any flipped bit after the header breaks integrity or fingerprint", () => {
    for (let bit = 0; bit < REQUEST.length * 8; bit++) {
      const b = Buffer.from(REQUEST);
      b[bit >> 3] ^= 0x80 >> (bit & 7);
      const msg = parseStun(b);
      if (msg === null) continue; // flipped a length/type into something malformed: fine
      const integrity = verifyMessageIntegrity(b, msg, PASSWORD);
      const fingerprint = verifyFingerprint(b, msg);
      assert.ok(!(integrity && fingerprint), `bit ${bit} went unnoticed`);
      if (bit < 100 * 8) assert.ok(!fingerprint, `fingerprint missed bit ${bit}`);
    }
  });

  it("flipped payload bit: integrity and fingerprint both fail", () => {
    const b = Buffer.from(IPV4_RESPONSE);
    b[44] ^= 1; // inside XOR-MAPPED-ADDRESS
    const msg = parseStun(b);
    assert.ok(msg);
    assert.ok(!verifyMessageIntegrity(b, msg, PASSWORD));
    assert.ok(!verifyFingerprint(b, msg));
  });

  it("truncated or garbage input returns null without throwing", () => {
    for (let n = 0; n < REQUEST.length; n++) {
      assert.equal(parseStun(REQUEST.subarray(0, n)), null, `length ${n}`);
    }
    assert.equal(parseStun(REQUEST, 50), null); // len shorter than the header's length
    for (let i = 0; i < 2000; i++) {
      const b = randomBytes(20 + (i % 80));
      b.writeUInt32BE(0x2112a442, 4);
      b[0] &= 3;
      const msg = parseStun(b);
      if (msg) {
        verifyMessageIntegrity(b, msg, PASSWORD);
        verifyFingerprint(b, msg);
      }
    }
    assert.equal(isStun(hex("80 00 00 00 21 12 a4 42 00 00 00 00 00 00 00 00 00 00 00 00")), false);
    assert.equal(isStun(hex("00 01 00 00 21 12 a4 43 00 00 00 00 00 00 00 00 00 00 00 00")), false);
  });

  it("rejects bad lengths and anything after FINGERPRINT", () => {
    const odd = Buffer.from(REQUEST);
    odd.writeUInt16BE(0x57, 2);
    assert.equal(parseStun(odd), null);
    const badPriority = Buffer.from(REQUEST);
    badPriority.writeUInt16BE(3, 42); // PRIORITY length 3
    assert.equal(parseStun(badPriority), null);
    const overrun = Buffer.from(REQUEST);
    overrun.writeUInt16BE(0x40, 62); // USERNAME claims 64 bytes
    assert.equal(parseStun(overrun), null);
    const unpadded = Buffer.from(REQUEST);
    unpadded.writeUInt16BE(0x0d, 102); // FINGERPRINT length 13: value + padding past the end
    assert.equal(parseStun(unpadded), null);
    const trailing = Buffer.concat([REQUEST, hex("80 22 00 00")]);
    trailing.writeUInt16BE(REQUEST.length - 20 + 4, 2);
    assert.equal(parseStun(trailing), null);
  });
});

describe("STUN: builders", () => {
  const key = Buffer.from("server-password");

  it("request round trip with USE-CANDIDATE and ICE-CONTROLLING", () => {
    const b = buildBindingRequest({
      username: "srvUfrag:cliUfrag",
      integrityKey: key,
      priority: 2130706431,
      useCandidate: true,
      iceControlling: 0xfedcba9876543210n,
    });
    const msg = parseStun(b);
    assert.ok(msg);
    assert.equal(msg.type, STUN_BINDING_REQUEST);
    assert.equal(msg.username, "srvUfrag:cliUfrag");
    assert.equal(msg.priority, 2130706431);
    assert.equal(msg.useCandidate, true);
    assert.equal(msg.iceControlling, 0xfedcba9876543210n);
    assert.equal(msg.transactionId.length, 12);
    assert.ok(verifyMessageIntegrity(b, msg, key));
    assert.ok(verifyFingerprint(b, msg));
  });

  it("success response for IPv6 shorthand and IPv4-mapped addresses", () => {
    for (const [input, canonical] of [
      ["::1", "::1"],
      ["fe80::1%eth0", "fe80::1"],
      ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
      ["2001:db8::", "2001:db8::"],
      ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ]) {
      const b = buildBindingSuccess({
        transactionId: TID,
        address: input,
        port: 9,
        family: 6,
        integrityKey: key,
      });
      const msg = parseStun(b);
      assert.ok(msg);
      assert.deepEqual(msg.xorMappedAddress, { family: 6, address: canonical, port: 9 });
      assert.ok(verifyMessageIntegrity(b, msg, key) && verifyFingerprint(b, msg));
    }
    const bad = { transactionId: TID, port: 1, integrityKey: key };
    assert.throws(() => buildBindingSuccess({ ...bad, address: "1.2.3", family: 4 }));
    assert.throws(() => buildBindingSuccess({ ...bad, address: "1::2::3", family: 6 }));
  });

  it("error responses with and without MESSAGE-INTEGRITY", () => {
    const conflict = buildBindingError({ transactionId: TID, code: 487, reason: "Role Conflict", integrityKey: key });
    let msg = parseStun(conflict);
    assert.ok(msg);
    assert.equal(msg.type, STUN_BINDING_ERROR);
    assert.equal(msg.errorCode, 487);
    assert.ok(verifyMessageIntegrity(conflict, msg, key) && verifyFingerprint(conflict, msg));
    const unauthorized = buildBindingError({ transactionId: TID, code: 401, reason: "Unauthorized" });
    msg = parseStun(unauthorized);
    assert.ok(msg);
    assert.equal(msg.errorCode, 401);
    assert.equal(msg.hasIntegrity, false);
    assert.ok(verifyFingerprint(unauthorized, msg));
    const unknown = buildBindingError({
      transactionId: TID,
      code: 420,
      reason: "Unknown Attribute",
      unknownAttributes: [0x0031],
    });
    msg = parseStun(unknown);
    assert.ok(msg);
    assert.equal(msg.errorCode, 420);
    assert.throws(() => buildBindingError({ transactionId: TID, code: 99, reason: "" }));
  });

  it("ignores attributes between MESSAGE-INTEGRITY and FINGERPRINT (RFC 8489 §14.5)", () => {
    const b = Buffer.concat([REQUEST.subarray(0, 100), hex("00 24 00 04 00 00 00 07 00 25 00 00"), REQUEST.subarray(100)]);
    b.writeUInt16BE(b.length - 20, 2);
    const msg = parseStun(b);
    assert.ok(msg);
    assert.equal(msg.priority, 0x6e0001ff); // not the PRIORITY 7 after MESSAGE-INTEGRITY
    assert.equal(msg.useCandidate, false);
    assert.equal(msg.fingerprintOffset, 112);
    assert.ok(verifyMessageIntegrity(b, msg, PASSWORD)); // the length is adjusted to end at MI
    assert.ok(!verifyFingerprint(b, msg)); // the CRC covered the original bytes
  });

  it("reports unknown comprehension-required attributes", () => {
    const b = buildBindingRequest({ username: "a:b", integrityKey: key, priority: 1, useCandidate: false });
    const withUnknown = Buffer.concat([b.subarray(0, 20), hex("00 31 00 01 ff 00 00 00"), b.subarray(20)]);
    withUnknown.writeUInt16BE(withUnknown.length - 20, 2);
    const msg = parseStun(withUnknown);
    assert.ok(msg);
    assert.deepEqual(msg.unknownAttributes, [0x0031]);
  });

  it("CRC-32 table matches zlib", () => {
    for (let i = 0; i < 50; i++) {
      const b = randomBytes(i * 7);
      assert.equal(crc32(b), zlibCrc32(b));
    }
  });
});
