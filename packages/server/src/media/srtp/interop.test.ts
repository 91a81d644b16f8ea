import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { RtpPacket, SrtcpSession as WeriftSrtcp, SrtpSession as WeriftSrtp } from "werift";
import { SrtpProfile, type SrtpProfileId, srtpKeyLengths } from "./profiles.js";
import { SrtpSession } from "./session.js";

/** Ours and werift's sessions keyed as the two ends of one DTLS-SRTP association. */
function endpoints(profile: SrtpProfileId) {
  const { keyLength, saltLength } = srtpKeyLengths(profile);
  const ourKey = randomBytes(keyLength);
  const ourSalt = randomBytes(saltLength);
  const theirKey = randomBytes(keyLength);
  const theirSalt = randomBytes(saltLength);
  const ours = new SrtpSession({
    profile,
    localMasterKey: ourKey,
    localMasterSalt: ourSalt,
    remoteMasterKey: theirKey,
    remoteMasterSalt: theirSalt,
  });
  const keys = { localMasterKey: theirKey, localMasterSalt: theirSalt, remoteMasterKey: ourKey, remoteMasterSalt: ourSalt };
  return { ours, theirRtp: new WeriftSrtp({ keys, profile }), theirRtcp: new WeriftSrtcp({ keys, profile }) };
}

function rtp(seq: number, extension: boolean): Buffer {
  const header = extension
    ? Buffer.from([0x91, 0x6f, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe, 0xbe, 0xde, 0, 1, 0x11, 0x7f, 0x22, 0x00])
    : Buffer.from([0x80, 0x6f, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0]);
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(0x5eed5eed, 8);
  return Buffer.concat([header, randomBytes(200 + (seq % 50))]);
}

const rtcp = Buffer.from("80c90001deadbeef81ca0002deadbeef01024142", "hex");

for (const [name, profile] of Object.entries(SrtpProfile)) {
  describe(`interop with werift ${name}`, () => {
    for (const extension of [false, true]) {
      it(`werift decrypts our SRTP and we decrypt werift's (header extension: ${extension})`, () => {
        const { ours, theirRtp } = endpoints(profile);
        for (const seq of [65500, 65535, 0, 1, 2, 100]) {
          const plain = rtp(seq, extension);
          assert.deepEqual(theirRtp.decrypt(ours.protectRtp(plain)), plain, `ours -> werift seq ${seq}`);
          const parsed = RtpPacket.deSerialize(plain);
          const fromThem = theirRtp.encrypt(parsed.payload, parsed.header);
          assert.deepEqual(ours.unprotectRtp(fromThem), plain, `werift -> ours seq ${seq}`);
        }
      });
    }

    it("werift decrypts our SRTCP and we decrypt werift's", () => {
      const { ours, theirRtcp } = endpoints(profile);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(theirRtcp.decrypt(ours.protectRtcp(rtcp)), rtcp);
        assert.deepEqual(ours.unprotectRtcp(theirRtcp.encrypt(rtcp)), rtcp);
      }
    });
  });
}
