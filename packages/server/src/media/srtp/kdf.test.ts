import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aesCmPrf, deriveSessionKeys, KdfLabel } from "./kdf.js";
import { SrtpProfile, srtpKeyLengths } from "./profiles.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

// RFC 3711 Appendix B.3.
const MASTER_KEY = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
const MASTER_SALT = hex("0EC675AD498AFEEBB6960B3AABE6");

describe("SRTP key derivation", () => {
  it("matches RFC 3711 B.3 (cipher key, cipher salt, 94-octet auth key)", () => {
    assert.deepEqual(aesCmPrf(MASTER_KEY, MASTER_SALT, KdfLabel.RTP_ENCRYPTION, 16), hex("C61E7A93744F39EE10734AFE3FF7A087"));
    assert.deepEqual(aesCmPrf(MASTER_KEY, MASTER_SALT, KdfLabel.RTP_SALT, 14), hex("30CBBC08863D8C85D49DB34A9AE1"));
    assert.deepEqual(
      aesCmPrf(MASTER_KEY, MASTER_SALT, KdfLabel.RTP_AUTH, 94),
      hex(`CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE
           E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25
           6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2`),
    );
  });

  it("derives the RFC 3711 B.3 session keys for AES_CM_128_HMAC_SHA1_80", () => {
    const keys = deriveSessionKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT);
    assert.deepEqual(keys.rtpKey, hex("C61E7A93744F39EE10734AFE3FF7A087"));
    assert.deepEqual(keys.rtpSalt, hex("30CBBC08863D8C85D49DB34A9AE1"));
    assert.deepEqual(keys.rtpAuthKey, hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
    // SRTCP labels 3/4/5: RFC 3711 prints no vector; these values are the ones
    // libre's and other independent SRTP test suites use for the B.3 master key.
    assert.deepEqual(keys.rtcpKey, hex("4c1aa45a81f73d61c800bbb00fbb1eaa"));
    assert.deepEqual(keys.rtcpAuthKey, hex("8d54534feb49ae8e7993a6bd0b844fc323a93dfd"));
    assert.deepEqual(keys.rtcpSalt, hex("9581c7ad87b3e530bf3e4454a8b3"));
  });

  it("derives 12-byte salts and no auth keys for AEAD_AES_128_GCM (RFC 7714 §12)", () => {
    // RFC 7714 has no KDF vector; the expected salt is the libsrtp/webrtc-rs result
    // (96-bit master salt zero-padded to 112 bits, label at octet 7).
    const key = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
    const salt = Buffer.from(Array.from({ length: 12 }, (_, i) => 0x40 + i));
    const keys = deriveSessionKeys(SrtpProfile.AEAD_AES_128_GCM, key, salt);
    assert.equal(keys.rtpKey.length, 16);
    assert.deepEqual(keys.rtpSalt, hex("1fcd5d561e66dc49ec1c3ccb"));
    assert.equal(keys.rtcpSalt.length, 12);
    assert.equal(keys.rtpAuthKey.length, 0);
    assert.equal(keys.rtcpAuthKey.length, 0);
  });

  it("rejects master keys and salts of the wrong length", () => {
    assert.throws(() => deriveSessionKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT.subarray(0, 12)), RangeError);
    assert.throws(() => deriveSessionKeys(SrtpProfile.AEAD_AES_128_GCM, MASTER_KEY, MASTER_SALT), RangeError);
    assert.throws(() => deriveSessionKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, MASTER_KEY.subarray(0, 15), MASTER_SALT), RangeError);
  });

  it("reports the DTLS-SRTP key lengths per profile", () => {
    assert.deepEqual(srtpKeyLengths(SrtpProfile.AES_CM_128_HMAC_SHA1_80), { keyLength: 16, saltLength: 14 });
    assert.deepEqual(srtpKeyLengths(SrtpProfile.AEAD_AES_128_GCM), { keyLength: 16, saltLength: 12 });
  });
});
