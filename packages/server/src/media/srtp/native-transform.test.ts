import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createCipheriv, createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import type { SessionKeys } from "./kdf.js";
import { NATIVE_PATH, SRTP_PATHS, TS_PATH } from "./srtp-paths.js";

const skipNative = SRTP_PATHS.length < 2 ? "RELAIS_NATIVE=0" : false;

/** Random session keys and one RTP packet with random CSRCs, extension and payload, plus a random packet index. */
const rtpCase = fc.record({
  gcm: fc.boolean(),
  keyBytes: fc.uint8Array({ minLength: 16 + 14 + 20, maxLength: 16 + 14 + 20 }),
  csrcs: fc.integer({ min: 0, max: 15 }),
  extensionWords: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  payload: fc.uint8Array({ minLength: 0, maxLength: 1400 }),
  ssrc: fc.nat({ max: 0xffffffff }),
  roc: fc.nat({ max: 0xffffffff }),
  seq: fc.nat({ max: 0xffff }),
  index: fc.nat({ max: 0x7fffffff }),
  offset: fc.nat({ max: 64 }),
  flip: fc.nat(),
});

function keysFrom(bytes: Uint8Array, gcm: boolean): SessionKeys {
  const b = Buffer.from(bytes);
  const salt = b.subarray(16, gcm ? 28 : 30);
  const auth = gcm ? Buffer.alloc(0) : b.subarray(30, 50);
  return { rtpKey: b.subarray(0, 16), rtpSalt: salt, rtpAuthKey: auth, rtcpKey: b.subarray(0, 16), rtcpSalt: salt, rtcpAuthKey: auth };
}

function rtpPacket(c: { csrcs: number; extensionWords?: number; payload: Uint8Array }): { packet: Buffer; headerLength: number } {
  const ext = c.extensionWords === undefined ? 0 : 4 + 4 * c.extensionWords;
  const headerLength = 12 + 4 * c.csrcs + ext;
  const packet = Buffer.alloc(headerLength + c.payload.length, 0x5a);
  packet[0] = 0x80 | (ext > 0 ? 0x10 : 0) | c.csrcs;
  if (ext > 0) packet.writeUInt16BE(c.extensionWords ?? 0, 12 + 4 * c.csrcs + 2);
  Buffer.from(c.payload).copy(packet, headerLength);
  return { packet, headerLength };
}

/** SRTCP with E = 0: the packet stays clear, the tag covers packet ‖ 0‖index. */
function clearSrtcp(keys: SessionKeys, gcm: boolean, packet: Buffer, ssrc: number, index: number): Buffer {
  const word = Buffer.alloc(4);
  word.writeUInt32BE(index, 0);
  if (!gcm) {
    const tag = createHmac("sha1", keys.rtcpAuthKey).update(packet).update(word).digest().subarray(0, 10);
    return Buffer.concat([packet, word, tag]);
  }
  // RFC 7714 §9.1: IV = (00 00 ‖ SSRC ‖ 00 00 ‖ 0‖index) XOR salt.
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc, 2);
  iv.writeUInt32BE(index, 8);
  for (let i = 0; i < 12; i++) iv[i] ^= keys.rtcpSalt[i];
  const cipher = createCipheriv("aes-128-gcm", keys.rtcpKey, iv);
  cipher.setAAD(Buffer.concat([packet, word]));
  cipher.final();
  return Buffer.concat([packet, cipher.getAuthTag(), word]);
}

describe("native transforms agree with the TypeScript ones on random input", { skip: skipNative }, () => {
  it("RTP: identical SRTP bytes, both decrypt each other's, tampering fails on both", () => {
    fc.assert(
      fc.property(rtpCase, (c) => {
        const keys = keysFrom(c.keyBytes, c.gcm);
        const ts = c.gcm ? TS_PATH.gcm(keys) : TS_PATH.cm(keys);
        const native = c.gcm ? NATIVE_PATH.gcm(keys) : NATIVE_PATH.cm(keys);
        const { packet, headerLength } = rtpPacket(c);
        const expected = ts.protectRtp(packet, headerLength, c.ssrc, c.roc, c.seq);
        const arena = Buffer.alloc(c.offset + expected.length);
        packet.copy(arena, c.offset);
        assert.equal(native.protectRtpInPlace(arena, c.offset, packet.length, headerLength, c.ssrc, c.roc, c.seq), expected.length);
        assert.deepEqual(arena.subarray(c.offset), expected);
        assert.deepEqual(native.protectRtp(packet, headerLength, c.ssrc, c.roc, c.seq), expected);
        assert.deepEqual(native.unprotectRtp(expected, headerLength, c.ssrc, c.roc, c.seq), packet);
        const bad = Buffer.from(expected);
        bad[c.flip % bad.length] ^= 1 << (c.flip % 8);
        assert.equal(ts.unprotectRtp(bad, headerLength, c.ssrc, c.roc, c.seq), null);
        const badCopy = Buffer.from(bad);
        assert.equal(native.unprotectRtpInPlace(badCopy, 0, badCopy.length, headerLength, c.ssrc, c.roc, c.seq), -1);
        assert.deepEqual(badCopy, bad, "unchanged after a failed unprotect");
        assert.equal(
          native.unprotectRtpInPlace(arena, c.offset, expected.length, headerLength, c.ssrc, (c.roc + 1) >>> 0, c.seq),
          -1,
          "wrong ROC",
        );
        assert.equal(ts.unprotectRtpInPlace(arena, c.offset, expected.length, headerLength, c.ssrc, c.roc, c.seq), packet.length);
        assert.deepEqual(arena.subarray(c.offset, c.offset + packet.length), packet);
      }),
      { numRuns: 300 },
    );
  });

  it("RTCP: identical SRTCP bytes (E = 1), both verify each other's and the same E = 0 packets", () => {
    fc.assert(
      fc.property(rtpCase, (c) => {
        const keys = keysFrom(c.keyBytes, c.gcm);
        const ts = c.gcm ? TS_PATH.gcm(keys) : TS_PATH.cm(keys);
        const native = c.gcm ? NATIVE_PATH.gcm(keys) : NATIVE_PATH.cm(keys);
        const packet = Buffer.concat([Buffer.from([0x81, 0xc9, 0, 0, 0, 0, 0, 0]), Buffer.from(c.payload)]);
        packet.writeUInt32BE(c.ssrc, 4);
        const expected = ts.protectRtcp(packet, c.ssrc, c.index);
        const arena = Buffer.alloc(c.offset + expected.length);
        packet.copy(arena, c.offset);
        assert.equal(native.protectRtcpInPlace(arena, c.offset, packet.length, c.ssrc, c.index), expected.length);
        assert.deepEqual(arena.subarray(c.offset), expected);
        assert.deepEqual(native.unprotectRtcp(expected, c.ssrc, c.index, true), packet);
        const bad = Buffer.from(expected);
        bad[c.flip % bad.length] ^= 1 << (c.flip % 8);
        assert.equal(native.unprotectRtcp(bad, c.ssrc, c.index, true), null);
        assert.equal(ts.unprotectRtcp(bad, c.ssrc, c.index, true), null);
        // E = 0, built independently of both transforms (RFC 3711 §3.4, RFC 7714 §9.3).
        const clear = clearSrtcp(keys, c.gcm, packet, c.ssrc, c.index);
        for (const t of [ts, native]) {
          const copy = Buffer.from(clear);
          assert.equal(t.unprotectRtcpInPlace(copy, 0, copy.length, c.ssrc, c.index, false), packet.length);
          assert.deepEqual(copy.subarray(0, packet.length), packet);
          copy[c.flip % packet.length] ^= 0x10;
          assert.equal(t.unprotectRtcpInPlace(copy, 0, copy.length, c.ssrc, c.index, false), -1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("native-binding loader", () => {
  it("RELAIS_NATIVE=0 selects the TypeScript path without a warning", () => {
    const binding = fileURLToPath(new URL("./native-binding.js", import.meta.url));
    const session = fileURLToPath(new URL("./session.js", import.meta.url));
    const script = `
      const { loadNativeBinding } = await import(${JSON.stringify(binding)});
      const { SrtpSession } = await import(${JSON.stringify(session)});
      const k = Buffer.alloc(16, 1), s = Buffer.alloc(14, 2);
      const x = new SrtpSession({ profile: 1, localMasterKey: k, localMasterSalt: s, remoteMasterKey: k, remoteMasterSalt: s });
      console.log(JSON.stringify({ loaded: loadNativeBinding() !== null, native: x.native }));
      try { new SrtpSession({ profile: 1, localMasterKey: k, localMasterSalt: s, remoteMasterKey: k, remoteMasterSalt: s, native: true }); }
      catch (e) { console.log(JSON.stringify({ error: e.message })); }`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, RELAIS_NATIVE: "0" },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const [state, error] = r.stdout.trim().split("\n");
    assert.deepEqual(JSON.parse(state), { loaded: false, native: false });
    assert.match(JSON.parse(error).error, /not available: disabled by RELAIS_NATIVE=0/);
    assert.equal(r.stderr, "", "no warning");
  });
});
