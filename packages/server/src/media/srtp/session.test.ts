import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { deriveSessionKeys } from "./kdf.js";
import { SrtpProfile, type SrtpProfileId, srtpKeyLengths } from "./profiles.js";
import { SrtpSession } from "./session.js";
import { SRTP_PATHS, type SrtpPath, TS_PATH } from "./srtp-paths.js";

const SSRC = 0x11223344;

/** Two sessions wired back to back: a's local keys are b's remote keys and vice versa; a on `path`, b on `pathB`. */
function pairOn(profile: SrtpProfileId, replayWindowSize?: number, path: SrtpPath = TS_PATH, pathB: SrtpPath = path) {
  const { keyLength, saltLength } = srtpKeyLengths(profile);
  const k1 = randomBytes(keyLength);
  const s1 = randomBytes(saltLength);
  const k2 = randomBytes(keyLength);
  const s2 = randomBytes(saltLength);
  const a = new SrtpSession({
    profile,
    localMasterKey: k1,
    localMasterSalt: s1,
    remoteMasterKey: k2,
    remoteMasterSalt: s2,
    replayWindowSize,
    native: path.native,
  });
  const b = new SrtpSession({
    profile,
    localMasterKey: k2,
    localMasterSalt: s2,
    remoteMasterKey: k1,
    remoteMasterSalt: s1,
    replayWindowSize,
    native: pathB.native,
  });
  return { a, b, k1, s1 };
}

/** RTP packet with a CSRC, a one-byte header extension and optional padding. */
function rtp(seq: number, ssrc = SSRC, payloadLength = 40, padding = 0): Buffer {
  // V=2, X=1, CC=1 | PT 96 | seq | timestamp | SSRC | CSRC | RFC 8285 one-byte extension (one word).
  const header = Buffer.from("91600000 00001234 00000000 cafebabe bede0001 107f0000".replace(/ /g, ""), "hex");
  if (padding > 0) header[0] |= 0x20;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(ssrc, 8);
  const payload = Buffer.alloc(payloadLength + padding, seq & 0xff);
  if (padding > 0) payload[payload.length - 1] = padding;
  return Buffer.concat([header, payload]);
}

/** Receiver report plus SDES, i.e. a compound packet. */
function rtcp(ssrc = SSRC): Buffer {
  const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 0]);
  rr.writeUInt32BE(ssrc, 4);
  const sdes = Buffer.from([0x81, 202, 0, 2, 0, 0, 0, 0, 1, 2, 0x41, 0x42]);
  sdes.writeUInt32BE(ssrc, 4);
  return Buffer.concat([rr, sdes]);
}

const wrapSeqs = [65530, 65531, 65532, 65534, 65535, 0, 1, 2, 3];

for (const path of SRTP_PATHS) {
  for (const [name, profile] of Object.entries(SrtpProfile)) {
    const pair = (p: SrtpProfileId, w?: number) => pairOn(p, w, path);
    describe(`${path.name}: SrtpSession ${name}`, () => {
      it("uses the requested implementation", () => {
        assert.equal(pair(profile).a.native, path.native);
      });

      it("round-trips RTP with CSRC, header extension and padding", () => {
        const { a, b } = pair(profile);
        for (let seq = 100; seq < 120; seq++) {
          const plain = rtp(seq, SSRC, 17 * (seq - 99), seq % 3 === 0 ? 4 : 0);
          const protectedPacket = a.protectRtp(plain);
          assert.notDeepEqual(protectedPacket.subarray(24, plain.length), plain.subarray(24));
          assert.deepEqual(protectedPacket.subarray(0, 24), plain.subarray(0, 24), "header stays in the clear");
          assert.deepEqual(b.unprotectRtp(protectedPacket), plain);
        }
        assert.deepEqual(b.stats, { authFailures: 0, replayDrops: 0, malformed: 0 });
      });

      it("round-trips an empty payload", () => {
        const { a, b } = pair(profile);
        const plain = rtp(7, SSRC, 0);
        assert.deepEqual(b.unprotectRtp(a.protectRtp(plain)), plain);
      });

      it("carries the ROC across 65535 -> 0 and still decrypts a late pre-wrap packet", () => {
        const { a, b } = pair(profile);
        const sent = new Map<number, Buffer>();
        for (const seq of [...wrapSeqs.slice(0, 3), 65533, ...wrapSeqs.slice(3)]) sent.set(seq, a.protectRtp(rtp(seq)));
        // 65533 arrives after the wrap, 1 after 3.
        for (const seq of [65530, 65531, 65532, 65534, 65535, 0, 2, 3, 65533, 1]) {
          assert.deepEqual(b.unprotectRtp(sent.get(seq) as Buffer), rtp(seq), `seq ${seq}`);
        }
        // Many wraps in order.
        for (let i = 4; i < 3 * 65536; i += 997) {
          const seq = i & 0xffff;
          assert.deepEqual(b.unprotectRtp(a.protectRtp(rtp(seq))), rtp(seq));
        }
      });

      it("rejects replays and packets older than the window", () => {
        const { a, b } = pair(profile, 64);
        const first = a.protectRtp(rtp(1000));
        assert.ok(b.unprotectRtp(first));
        assert.equal(b.unprotectRtp(first), null);
        const old = a.protectRtp(rtp(1001));
        for (let seq = 1002; seq < 1100; seq++) assert.ok(b.unprotectRtp(a.protectRtp(rtp(seq))));
        assert.equal(b.unprotectRtp(old), null, "1001 is 98 behind a 64-packet window");
        assert.equal(b.stats.replayDrops, 2);
        assert.equal(b.stats.authFailures, 0);
      });

      it("accepts reordering inside the window exactly once", () => {
        const { a, b } = pair(profile);
        const packets = Array.from({ length: 50 }, (_, i) => a.protectRtp(rtp(i)));
        const order = [...packets.keys()].reverse();
        for (const i of order) assert.deepEqual(b.unprotectRtp(packets[i]), rtp(i));
        for (const i of order) assert.equal(b.unprotectRtp(packets[i]), null);
      });

      it("rejects a tampered byte anywhere and counts the failure", () => {
        const { a, b } = pair(profile);
        const good = a.protectRtp(rtp(5));
        for (let i = 0; i < good.length; i++) {
          const bad = Buffer.from(good);
          bad[i] ^= 0x04;
          assert.equal(b.unprotectRtp(bad), null, `byte ${i}`);
        }
        const { authFailures, replayDrops, malformed } = b.stats;
        assert.equal(authFailures + replayDrops + malformed, good.length);
        assert.ok(authFailures >= good.length - 2);
        assert.deepEqual(b.unprotectRtp(good), rtp(5), "failures do not poison state");
      });

      it("returns null without throwing on truncated or garbage input", () => {
        const { a, b } = pair(profile);
        const good = a.protectRtp(rtp(9));
        for (let len = 0; len < good.length; len++) assert.equal(b.unprotectRtp(good.subarray(0, len)), null);
        for (let i = 0; i < 200; i++) {
          const junk = randomBytes(i % 60);
          assert.equal(b.unprotectRtp(junk), null);
          assert.equal(b.unprotectRtcp(junk), null);
        }
        assert.deepEqual(b.unprotectRtp(good), rtp(9));
      });

      it("returns null for the wrong key", () => {
        const { a } = pair(profile);
        const { b: stranger } = pair(profile);
        assert.equal(stranger.unprotectRtp(a.protectRtp(rtp(1))), null);
        assert.equal(stranger.unprotectRtcp(a.protectRtcp(rtcp())), null);
        assert.equal(stranger.stats.authFailures, 2);
      });

      it("keeps ROC and replay state per SSRC", () => {
        const { a, b } = pair(profile);
        const x = a.protectRtp(rtp(65535, 1));
        assert.ok(b.unprotectRtp(x));
        assert.ok(b.unprotectRtp(a.protectRtp(rtp(0, 1))));
        assert.deepEqual(b.unprotectRtp(a.protectRtp(rtp(65535, 2))), rtp(65535, 2), "SSRC 2 still at ROC 0");
        assert.deepEqual(b.unprotectRtp(a.protectRtp(rtp(1, 1))), rtp(1, 1));
      });

      it("round-trips compound SRTCP, rejects replay, tampering and truncation", () => {
        const { a, b } = pair(profile);
        const plain = rtcp();
        const packets = [a.protectRtcp(plain), a.protectRtcp(plain), a.protectRtcp(plain)];
        const overhead = profile === SrtpProfile.AEAD_AES_128_GCM ? 20 : 14;
        assert.equal(packets[0].length, plain.length + overhead);
        assert.notDeepEqual(packets[0].subarray(8, plain.length), plain.subarray(8));
        assert.deepEqual(b.unprotectRtcp(packets[2]), plain);
        assert.deepEqual(b.unprotectRtcp(packets[0]), plain);
        assert.equal(b.unprotectRtcp(packets[0]), null);
        assert.equal(b.stats.replayDrops, 1);
        for (let i = 0; i < packets[1].length; i++) {
          const bad = Buffer.from(packets[1]);
          bad[i] ^= 0x01;
          assert.equal(b.unprotectRtcp(bad), null, `byte ${i}`);
        }
        for (let len = 0; len < packets[1].length; len++) assert.equal(b.unprotectRtcp(packets[1].subarray(0, len)), null);
        assert.deepEqual(b.unprotectRtcp(packets[1]), plain);
      });

      it("throws from protect only on clearly invalid packets", () => {
        const { a } = pair(profile);
        assert.throws(() => a.protectRtp(Buffer.alloc(11, 0x80)), RangeError);
        assert.throws(() => a.protectRtp(Buffer.from([0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 9])), RangeError);
        assert.throws(() => a.protectRtcp(Buffer.alloc(7, 0x80)), RangeError);
        assert.throws(() => a.protectRtcp(Buffer.alloc(8)), RangeError);
      });

      it("round-trips in place inside one arena, interleaved with the allocating API", () => {
        const { a, b } = pair(profile);
        const arena = Buffer.alloc(4096);
        let at = 0;
        const slots: [number, number, Buffer][] = [];
        for (let seq = 65530; seq < 65546; seq++) {
          const plain = rtp(seq & 0xffff, SSRC, 50 + seq * 7 - 65530 * 7, seq % 4 === 0 ? 3 : 0);
          plain.copy(arena, at);
          const n = a.protectRtpInPlace(arena, at, plain.length);
          assert.equal(n, plain.length + a.rtpOverhead);
          slots.push([at, n, plain]);
          at += n + 3;
        }
        // The first packet fixes the receiver's ROC (0, seq 65530); the rest arrive reversed, across the wrap.
        const [first, ...rest] = slots;
        for (const [offset, n, plain] of [first, ...rest.reverse()]) {
          assert.equal(b.unprotectRtpInPlace(arena, offset, n), plain.length);
          assert.deepEqual(arena.subarray(offset, offset + plain.length), plain);
        }
        assert.deepEqual(b.unprotectRtp(a.protectRtp(rtp(10))), rtp(10), "ROC state shared with the allocating API");
        const report = rtcp();
        report.copy(arena, 1);
        const m = a.protectRtcpInPlace(arena, 1, report.length);
        assert.equal(m, report.length + a.rtcpOverhead);
        const copy = Buffer.from(arena.subarray(1, 1 + m));
        arena[m] ^= 1;
        assert.equal(b.unprotectRtcpInPlace(arena, 1, m), -1);
        assert.equal(b.stats.authFailures, 1);
        assert.deepEqual(b.unprotectRtcp(copy), report);
        assert.deepEqual(b.stats, { authFailures: 1, replayDrops: 0, malformed: 0 });
      });
    });
  }
}

describe("ts and native sessions interoperate", () => {
  for (const [name, profile] of Object.entries(SrtpProfile)) {
    it(`${name}: each path decrypts the other's SRTP and SRTCP`, (t) => {
      if (SRTP_PATHS.length < 2) return t.skip("RELAIS_NATIVE=0");
      const [tsPath, nativePath] = SRTP_PATHS;
      const { a, b } = pairOn(profile, undefined, tsPath, nativePath);
      for (const seq of [65534, 65535, 0, 1]) {
        assert.deepEqual(b.unprotectRtp(a.protectRtp(rtp(seq))), rtp(seq));
        assert.deepEqual(a.unprotectRtp(b.protectRtp(rtp(seq))), rtp(seq));
      }
      assert.deepEqual(b.unprotectRtcp(a.protectRtcp(rtcp())), rtcp());
      assert.deepEqual(a.unprotectRtcp(b.protectRtcp(rtcp())), rtcp());
    });
  }
});

for (const path of SRTP_PATHS) {
  describe(`${path.name}: SRTCP with E = 0 (authenticated, not encrypted)`, () => {
    it("AES-CM: accepts a clear SRTCP packet built per RFC 3711 §3.4", () => {
      const { b, k1, s1 } = pairOn(SrtpProfile.AES_CM_128_HMAC_SHA1_80, undefined, path);
      const keys = deriveSessionKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, k1, s1);
      const plain = rtcp();
      const withIndex = Buffer.concat([plain, Buffer.from([0, 0, 0, 42])]);
      const tag = createHmac("sha1", keys.rtcpAuthKey).update(withIndex).digest().subarray(0, 10);
      const packet = Buffer.concat([withIndex, tag]);
      assert.deepEqual(b.unprotectRtcp(packet), plain);
      assert.equal(b.unprotectRtcp(packet), null, "replayed");
    });
  });

  describe(`${path.name}: SRTCP index exhaustion`, () => {
    it("uses index 2^31-1 and then refuses instead of wrapping (RFC 3711 §9.2)", () => {
      const { a, b } = pairOn(SrtpProfile.AEAD_AES_128_GCM, undefined, path);
      assert.ok(b.unprotectRtcp(a.protectRtcp(rtcp())));
      // White-box: jump the send counter to the end of the 31-bit space.
      const state = (a as unknown as { rtcpSend: Map<number, { next: number }> }).rtcpSend.get(SSRC);
      assert.ok(state);
      state.next = 0x7fffffff;
      const last = a.protectRtcp(rtcp());
      assert.equal(last.readUInt32BE(last.length - 4), 0xffffffff, "E flag plus index 2^31-1");
      assert.deepEqual(b.unprotectRtcp(last), rtcp());
      assert.throws(() => a.protectRtcp(rtcp()), /exhausted/);
    });
  });
}
