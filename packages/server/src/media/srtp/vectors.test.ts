import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SessionKeys } from "./kdf.js";
import { SrtpProfile } from "./profiles.js";
import { SrtpSession } from "./session.js";
import { SRTP_PATHS } from "./srtp-paths.js";
import type { SrtpTransform } from "./transform.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** The same session keys in both directions and for RTP and RTCP, as the RFC vectors assume. */
function sessionKeys(key: string, salt: string, auth = ""): SessionKeys {
  return { rtpKey: hex(key), rtpSalt: hex(salt), rtpAuthKey: hex(auth), rtcpKey: hex(key), rtcpSalt: hex(salt), rtcpAuthKey: hex(auth) };
}

/**
 * The in-place API on the same vector: the packet sits at an odd offset inside an
 * arena with guard bytes around it that must survive; a failed unprotect leaves it unchanged.
 */
function checkInPlaceRtp(t: SrtpTransform, plain: Buffer, expected: Buffer, headerLength: number, ssrc: number, roc: number, seq: number) {
  const offset = 7;
  const arena = Buffer.alloc(offset + expected.length + 5, 0xee);
  plain.copy(arena, offset);
  assert.equal(t.protectRtpInPlace(arena, offset, plain.length, headerLength, ssrc, roc, seq), expected.length);
  assert.deepEqual(arena.subarray(offset, offset + expected.length), expected);
  assert.ok(arena.subarray(0, offset).every((b) => b === 0xee) && arena.subarray(offset + expected.length).every((b) => b === 0xee));
  const tampered = Buffer.from(arena);
  tampered[offset + expected.length - 1] ^= 1;
  const before = Buffer.from(tampered);
  assert.equal(t.unprotectRtpInPlace(tampered, offset, expected.length, headerLength, ssrc, roc, seq), -1);
  assert.deepEqual(tampered, before, "a failed unprotect leaves the bytes unchanged");
  assert.equal(t.unprotectRtpInPlace(arena, offset, expected.length, headerLength, ssrc, roc, seq), plain.length);
  assert.deepEqual(arena.subarray(offset, offset + plain.length), plain);
  assert.throws(
    () => t.protectRtpInPlace(arena, offset, plain.length + 6, headerLength, ssrc, roc, seq),
    RangeError,
    "no room for the tag",
  );
}

function checkInPlaceRtcp(t: SrtpTransform, plain: Buffer, expected: Buffer, ssrc: number, index: number) {
  const arena = Buffer.alloc(3 + expected.length, 0xee);
  plain.copy(arena, 3);
  assert.equal(t.protectRtcpInPlace(arena, 3, plain.length, ssrc, index), expected.length);
  assert.deepEqual(arena.subarray(3), expected);
  assert.equal(t.unprotectRtcpInPlace(arena, 3, expected.length, ssrc, index, true), plain.length);
  assert.deepEqual(arena.subarray(3, 3 + plain.length), plain);
}

for (const path of SRTP_PATHS) {
  describe(`${path.name}: RFC 3711 Appendix B.2: AES-CM keystream`, () => {
    it("produces the keystream for counters 0000..0002 and FEFF..FF01", () => {
      const t = path.cm(sessionKeys("2B7E151628AED2A6ABF7158809CF4F3C", "F0F1F2F3F4F5F6F7F8F9FAFBFCFD", "00".repeat(20)));
      // SSRC 0, index 0 makes the IV exactly F0F1...FCFD0000; a zero payload encrypts to the keystream.
      const blocks = 0xff02;
      const rtp = Buffer.alloc(12 + blocks * 16);
      rtp[0] = 0x80;
      const ks = t.protectRtp(rtp, 12, 0, 0, 0).subarray(12, 12 + blocks * 16);
      const block = (n: number) =>
        ks
          .subarray(n * 16, n * 16 + 16)
          .toString("hex")
          .toUpperCase();
      assert.equal(block(0x0000), "E03EAD0935C95E80E166B16DD92B4EB4");
      assert.equal(block(0x0001), "D23513162B02D0F72A43A2FE4A5F97AB");
      assert.equal(block(0x0002), "41E95B3BB0A2E8DD477901E4FCA894C0");
      assert.equal(block(0xfeff), "EC8CDF7398607CB0F2D21675EA9EA1E4");
      assert.equal(block(0xff00), "362B7C3C6773516318A077D7FC5073AE");
      assert.equal(block(0xff01), "6A2CC3787889374FBEB4C81B17BA6C44");
    });
  });

  describe(`${path.name}: libsrtp srtp_driver reference packets (AES_CM_128_HMAC_SHA1_80, B.3 master key)`, () => {
    const options = {
      profile: SrtpProfile.AES_CM_128_HMAC_SHA1_80,
      localMasterKey: hex("e1f97a0d3e018be0d64fa32c06de4139"),
      localMasterSalt: hex("0ec675ad498afeebb6960b3aabe6"),
      remoteMasterKey: hex("e1f97a0d3e018be0d64fa32c06de4139"),
      remoteMasterSalt: hex("0ec675ad498afeebb6960b3aabe6"),
    } as const;
    const rtp = hex("800f1234decafbadcafebabe" + "ab".repeat(16));
    const srtp = hex("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb");
    const rtcp = hex("81c8000bcafebabe" + "ab".repeat(16));
    // SRTCP index 1: libsrtp increments before its first packet, we start at 0.
    const srtcp = hex("81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798");

    it("protects and unprotects the RTP packet", () => {
      const s = new SrtpSession({ ...options, native: path.native });
      assert.deepEqual(s.protectRtp(rtp), srtp);
      assert.deepEqual(s.unprotectRtp(srtp), rtp);
    });

    it("protects and unprotects the RTCP packet", () => {
      const s = new SrtpSession({ ...options, native: path.native });
      s.protectRtcp(rtcp);
      assert.deepEqual(s.protectRtcp(rtcp), srtcp);
      assert.deepEqual(s.unprotectRtcp(srtcp), rtcp);
    });

    it("protects and unprotects both packets in place inside an arena", () => {
      const s = new SrtpSession({ ...options, native: path.native });
      const arena = Buffer.alloc(256, 0xee);
      rtp.copy(arena, 11);
      assert.equal(s.protectRtpInPlace(arena, 11, rtp.length), srtp.length);
      assert.deepEqual(arena.subarray(11, 11 + srtp.length), srtp);
      assert.equal(arena[10], 0xee);
      assert.equal(arena[11 + srtp.length], 0xee);
      assert.equal(s.unprotectRtpInPlace(arena, 11, srtp.length), rtp.length);
      assert.deepEqual(arena.subarray(11, 11 + rtp.length), rtp);
      assert.equal(s.unprotectRtpInPlace(arena, 11, srtp.length), -1, "replayed (and no longer valid)");
      s.protectRtcp(rtcp);
      rtcp.copy(arena, 100);
      assert.equal(s.protectRtcpInPlace(arena, 100, rtcp.length), srtcp.length);
      assert.deepEqual(arena.subarray(100, 100 + srtcp.length), srtcp);
      assert.equal(s.unprotectRtcpInPlace(arena, 100, srtcp.length), rtcp.length);
      assert.deepEqual(arena.subarray(100, 100 + rtcp.length), rtcp);
      assert.throws(() => s.protectRtpInPlace(arena, 250, rtp.length), RangeError);
    });

    it("rejects every truncation of the reference packets", () => {
      const s = new SrtpSession({ ...options, native: path.native });
      for (let len = 0; len < srtp.length; len++) assert.equal(s.unprotectRtp(srtp.subarray(0, len)), null);
      for (let len = 0; len < srtcp.length; len++) assert.equal(s.unprotectRtcp(srtcp.subarray(0, len)), null);
      assert.deepEqual(s.unprotectRtp(srtp), rtp);
      assert.deepEqual(s.unprotectRtcp(srtcp), rtcp);
    });
  });

  describe(`${path.name}: RFC 7714 test vectors (AEAD_AES_128_GCM, session keys given directly)`, () => {
    const keys = sessionKeys("000102030405060708090a0b0c0d0e0f", "517569642070726f2071756f");
    // §16.1.1: SSRC 5501a0b2, ROC 0, SEQ f17b; payload "Gallia est omnis divisa in partes tres".
    const rtp = hex(`8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973
                   20646976 69736120 696e2070 61727465 73207472 6573`);
    const srtp = hex(`8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca
                    be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1
                    6a9152cf 765ee439 0cce`);
    // §17: SSRC "Mars", SRTCP index 0x5d4.
    const rtcp = hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930
                    4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef`);
    const srtcp = hex(`81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7
                     6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458
                     96cf4d2f c5abf872 45d9eade 800005d4`);
    // §17.3: authenticated only (E = 0).
    const srtcpClear = Buffer.concat([rtcp, hex("841dd9683dd78ec92ae58790125f62b3 000005d4")]);

    it("§16.1 encrypts and decrypts the RTP packet", () => {
      const t = path.gcm(keys);
      assert.deepEqual(t.protectRtp(rtp, 12, 0x5501a0b2, 0, 0xf17b), srtp);
      assert.deepEqual(t.unprotectRtp(srtp, 12, 0x5501a0b2, 0, 0xf17b), rtp);
      assert.equal(t.unprotectRtp(srtp, 12, 0x5501a0b2, 1, 0xf17b), null, "wrong ROC must fail");
      const tampered = Buffer.from(srtp);
      tampered[20] ^= 1;
      assert.equal(t.unprotectRtp(tampered, 12, 0x5501a0b2, 0, 0xf17b), null);
      checkInPlaceRtp(t, rtp, srtp, 12, 0x5501a0b2, 0, 0xf17b);
    });

    it("§17.1 encrypts and decrypts the SRTCP packet", () => {
      const t = path.gcm(keys);
      assert.deepEqual(t.protectRtcp(rtcp, 0x4d617273, 0x5d4), srtcp);
      assert.deepEqual(t.unprotectRtcp(srtcp, 0x4d617273, 0x5d4, true), rtcp);
      checkInPlaceRtcp(t, rtcp, srtcp, 0x4d617273, 0x5d4);
    });

    it("§17.3 verifies the unencrypted (E = 0) SRTCP packet", () => {
      const t = path.gcm(keys);
      assert.deepEqual(t.unprotectRtcp(srtcpClear, 0x4d617273, 0x5d4, false), rtcp);
      const tampered = Buffer.from(srtcpClear);
      tampered[30] ^= 0x80;
      assert.equal(t.unprotectRtcp(tampered, 0x4d617273, 0x5d4, false), null);
      const inPlace = Buffer.from(srtcpClear);
      assert.equal(t.unprotectRtcpInPlace(tampered, 0, tampered.length, 0x4d617273, 0x5d4, false), -1);
      assert.equal(t.unprotectRtcpInPlace(inPlace, 0, inPlace.length, 0x4d617273, 0x5d4, false), rtcp.length);
      assert.deepEqual(inPlace.subarray(0, rtcp.length), rtcp);
    });
  });
}
