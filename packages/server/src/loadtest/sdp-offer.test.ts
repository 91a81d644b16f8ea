import assert from "node:assert/strict";
import { test } from "node:test";
import { ExtensionUri } from "../sdp/codecs.js";
import { parseSdp } from "../sdp/parse.js";
import { EXT_REPAIRED_RID, EXT_RID } from "./packetize.js";
import { buildOffer } from "./sdp-offer.js";

test("a simulcast section lists its rids (RFC 8853) and rid extmaps (RFC 8852), and no a=ssrc", () => {
  const sdp = buildOffer({
    sessionId: "1",
    version: 1,
    iceUfrag: "ufrag",
    icePwd: "pwdpwdpwdpwdpwdpwdpwdpwd",
    fingerprint: "AA:BB",
    cname: "pub",
    sections: [
      { mid: "a0", kind: "audio", direction: "sendonly", ssrc: 11, rtxSsrc: null },
      { mid: "v0", kind: "video", direction: "sendonly", rids: ["q", "h", "f"] },
    ],
  });
  const [audio, video] = parseSdp(sdp).media;
  assert.deepEqual([...audio.ssrcs.keys()], [11]);
  assert.deepEqual(video.simulcastSend, ["q", "h", "f"]);
  assert.deepEqual(
    video.rids.map((r) => `${r.id} ${r.direction}`),
    ["q send", "h send", "f send"],
  );
  assert.equal(video.ssrcs.size, 0);
  assert.equal(video.ssrcGroups.length, 0);
  assert.equal(video.extMaps.find((e) => e.uri === ExtensionUri.rid)?.id, EXT_RID);
  assert.equal(video.extMaps.find((e) => e.uri === ExtensionUri.repairedRid)?.id, EXT_REPAIRED_RID);
  assert.equal(
    audio.extMaps.find((e) => e.uri === ExtensionUri.rid),
    undefined,
    "only the simulcast section has them",
  );
});
