import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { publisherSsrcs } from "./answer.js";
import {
  CHROME_PUBLISH_OFFER,
  CHROME_REOFFER_STOPPED_AND_DATACHANNEL,
  CHROME_REOFFER_WITH_RECVONLY,
  CHROME_SIMULCAST_OFFER,
} from "./fixtures.js";
import { parseSdp, SdpParseError, transportParameters } from "./parse.js";

const URI = {
  audioLevel: "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  absSendTime: "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
  transportCc: "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
  mid: "urn:ietf:params:rtp-hdrext:sdes:mid",
};
const FP1 = "17:F9:34:02:C7:7C:1B:88:CF:F3:97:B9:D9:29:9F:4D:8A:CC:83:8E:ED:C8:A7:FD:56:16:F1:83:C2:94:76:B2";
const STREAM = "d5610fe4-3b0b-4d1f-b359-4a336362ed09";

/** A minimal description: session lines, then one audio section with the given extra lines. */
const minimal = (...lines: string[]) =>
  ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0", ...lines, ""].join("\r\n");

const throwsSdp = (text: string, message: RegExp) =>
  assert.throws(
    () => parseSdp(text),
    (err: unknown) => err instanceof SdpParseError && err.name === "SdpParseError" && message.test(err.message),
  );

describe("parseSdp: Chrome publish offer", () => {
  const s = parseSdp(CHROME_PUBLISH_OFFER);
  const [audio, video] = s.media;

  it("reads the session level: BUNDLE group, no session-level ICE or fingerprint", () => {
    assert.deepEqual(s.groups, [{ semantics: "BUNDLE", mids: ["0", "1"] }]);
    assert.equal(s.iceUfrag, null);
    assert.equal(s.icePwd, null);
    assert.deepEqual(s.fingerprints, []);
    assert.equal(s.media.length, 2);
  });

  it("reads the sendonly audio section", () => {
    assert.ok(audio);
    assert.equal(audio.kind, "audio");
    assert.equal(audio.port, 9);
    assert.equal(audio.protocol, "UDP/TLS/RTP/SAVPF");
    assert.deepEqual(audio.formats, ["111", "63", "9", "0", "8", "13", "110", "126"]);
    assert.equal(audio.mid, "0");
    assert.equal(audio.direction, "sendonly");
    assert.equal(audio.iceUfrag, "9p5e");
    assert.equal(audio.icePwd, "5VSnZNzj/Inb5A9g1Y6NFgYP");
    assert.deepEqual(audio.fingerprints, [{ algorithm: "sha-256", value: FP1 }]);
    assert.equal(audio.setup, "actpass");
    assert.equal(audio.rtcpMux, true);
    assert.equal(audio.rtcpRsize, true);
    assert.equal(audio.msid, `${STREAM} 33d140fd-876c-4ed6-9802-c8b94ac8d0bb`);
    assert.deepEqual(audio.rtpMaps.slice(0, 3), [
      { payloadType: 111, name: "opus", clockRate: 48000, channels: 2 },
      { payloadType: 63, name: "red", clockRate: 48000, channels: 2 },
      { payloadType: 9, name: "G722", clockRate: 8000, channels: 1 },
    ]);
    assert.equal(audio.rtpMaps.length, 8);
    assert.equal(audio.fmtps.get(111), "minptime=10;useinbandfec=1");
    assert.equal(audio.fmtps.get(63), "111/111");
    assert.deepEqual([...audio.rtcpFbs], [[111, ["transport-cc"]]]);
    assert.deepEqual(audio.extMaps, [
      { id: 1, uri: URI.audioLevel },
      { id: 2, uri: URI.absSendTime },
      { id: 3, uri: URI.transportCc },
      { id: 4, uri: URI.mid },
    ]);
    assert.deepEqual(
      [...audio.ssrcs],
      [[1592301539, { cname: "9E+HopXOcVGvuEZ4", msid: `${STREAM} 33d140fd-876c-4ed6-9802-c8b94ac8d0bb` }]],
    );
    assert.deepEqual(audio.ssrcGroups, []);
  });

  it("reads the sendonly video section: codecs, rtx, fmtps, feedback, extmaps, ssrc-group", () => {
    assert.ok(video);
    assert.equal(video.mid, "1");
    assert.equal(video.direction, "sendonly");
    assert.equal(video.formats.length, 23);
    assert.equal(video.rtpMaps.length, 23);
    const name = (pt: number) => video.rtpMaps.find((r) => r.payloadType === pt)?.name;
    assert.deepEqual([96, 97, 102, 45, 98, 118, 120].map(name), ["VP8", "rtx", "H264", "AV1", "VP9", "red", "ulpfec"]);
    assert.equal(video.fmtps.get(97), "apt=96");
    assert.equal(video.fmtps.get(102), "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
    assert.equal(video.fmtps.get(104), "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f");
    assert.equal(video.fmtps.get(45), "level-idx=5;profile=0;tier=0");
    assert.equal(video.fmtps.get(100), "profile-id=2");
    assert.equal(video.fmtps.has(120), false);
    assert.deepEqual(video.rtcpFbs.get(96), ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"]);
    assert.equal(video.rtcpFbs.has(97), false);
    assert.deepEqual(video.extMaps[0], { id: 14, uri: "urn:ietf:params:rtp-hdrext:toffset" });
    assert.deepEqual(
      video.extMaps.map((e) => e.id),
      [14, 2, 13, 3, 5, 6, 7, 8, 4, 10, 11],
    );
    assert.deepEqual(video.ssrcGroups, [{ semantics: "FID", ssrcs: [1782862467, 3797827419] }]);
    assert.deepEqual([...video.ssrcs.keys()], [1782862467, 3797827419]);
    assert.equal(video.ssrcs.get(3797827419)?.cname, "9E+HopXOcVGvuEZ4");
  });

  it("accepts LF line endings like CRLF", () => {
    assert.deepEqual(parseSdp(CHROME_PUBLISH_OFFER.replace(/\r\n/g, "\n")), s);
  });
});

describe("parseSdp: Chrome re-offers", () => {
  it("re-offer with recvonly sections keeps the sending sections and ignores candidates", () => {
    const s = parseSdp(CHROME_REOFFER_WITH_RECVONLY);
    assert.deepEqual(s.groups, [{ semantics: "BUNDLE", mids: ["0", "1", "2", "3"] }]);
    assert.deepEqual(
      s.media.map((m) => [m.kind, m.mid, m.direction, m.port]),
      [
        ["audio", "0", "sendonly", 56426],
        ["video", "1", "sendonly", 41718],
        ["audio", "2", "recvonly", 9],
        ["video", "3", "recvonly", 9],
      ],
    );
    const first = parseSdp(CHROME_PUBLISH_OFFER);
    assert.deepEqual(publisherSsrcs(s.media[1]!), publisherSsrcs(first.media[1]!));
    for (const m of s.media.slice(2)) {
      assert.equal(m.msid, null);
      assert.equal(m.ssrcs.size, 0);
    }
    assert.equal(s.media[3]!.fmtps.get(35), "profile-id=1");
    assert.equal(s.media[3]!.rtpMaps.find((r) => r.payloadType === 49)?.name, "flexfec-03");
  });

  it("stopped section and data channel section", () => {
    const s = parseSdp(CHROME_REOFFER_STOPPED_AND_DATACHANNEL);
    assert.deepEqual(s.groups, [{ semantics: "BUNDLE", mids: ["1", "3"] }]);
    const [stopped, video, app, recv] = s.media;
    assert.deepEqual([stopped!.port, stopped!.direction, stopped!.mid], [0, "inactive", "0"]);
    assert.deepEqual([video!.port, video!.direction], [57327, "sendonly"]);
    assert.equal(app!.kind, "application");
    assert.equal(app!.protocol, "UDP/DTLS/SCTP");
    assert.deepEqual(app!.formats, ["webrtc-datachannel"]);
    assert.deepEqual([app!.port, app!.mid, app!.rtpMaps.length], [0, "2", 0]);
    assert.deepEqual([recv!.mid, recv!.direction], ["3", "recvonly"]);
  });
});

describe("parseSdp: other forms", () => {
  it("session-level ICE credentials and fingerprint (normalized case)", () => {
    const text = minimal().replace(
      "t=0 0",
      "t=0 0\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionpassword0123456789\r\na=fingerprint:SHA-256 ab:cd:ef",
    );
    const s = parseSdp(text);
    assert.equal(s.iceUfrag, "sess");
    assert.equal(s.icePwd, "sessionpassword0123456789");
    assert.deepEqual(s.fingerprints, [{ algorithm: "sha-256", value: "AB:CD:EF" }]);
    assert.equal(s.media[0]!.iceUfrag, null);
    assert.deepEqual(s.media[0]!.fingerprints, []);
  });

  it("wildcard rtcp-fb, extmap with direction, unknown attributes", () => {
    const s = parseSdp(minimal("a=rtcp-fb:* nack", "a=extmap:3/sendrecv urn:x", "a=x-custom:whatever", "a=sendrecv"));
    const m = s.media[0]!;
    assert.deepEqual(m.rtcpFbs.get(-1), ["nack"]);
    assert.deepEqual(m.extMaps, [{ id: 3, uri: "urn:x" }]);
    assert.equal(m.direction, "sendrecv");
  });

  it("a section without a direction attribute is sendrecv", () => {
    assert.equal(parseSdp(minimal()).media[0]!.direction, "sendrecv");
  });
});

describe("parseSdp: malformed input throws SdpParseError", () => {
  it("missing v= line", () => throwsSdp(minimal().replace("v=0\r\n", ""), /missing v=/));
  it("a line that is not type=value", () => throwsSdp(minimal("hello"), /malformed line/));
  it("bad rtpmap", () => {
    throwsSdp(minimal("a=rtpmap:111 opus"), /malformed rtpmap/);
    throwsSdp(minimal("a=rtpmap:111 opus/abc"), /malformed rtpmap/);
    throwsSdp(minimal("a=rtpmap:x opus/48000"), /malformed rtpmap/);
  });
  it("bad m= line and port", () => {
    throwsSdp(minimal().replace("m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=audio 9"), /malformed m= line/);
    throwsSdp(minimal().replace("m=audio 9", "m=audio x"), /invalid port/);
  });
  it("bad extmap, fingerprint, ssrc, fmtp/rtcp-fb payload types", () => {
    throwsSdp(minimal("a=extmap:abc urn:x"), /malformed extmap/);
    throwsSdp(minimal("a=extmap:0 urn:x"), /extmap id out of range/);
    throwsSdp(minimal("a=extmap:256 urn:x"), /extmap id out of range/);
    throwsSdp(minimal("a=fingerprint:sha-256"), /malformed fingerprint/);
    throwsSdp(minimal("a=ssrc:4294967296 cname:x"), /ssrc out of range/);
    throwsSdp(minimal("a=ssrc:abc cname:x"), /malformed ssrc/);
    throwsSdp(minimal("a=ssrc-group:FID 1 x"), /invalid ssrc-group ssrc/);
    throwsSdp(minimal("a=fmtp:-1 apt=96"), /invalid fmtp payload type/);
    throwsSdp(minimal("a=rtcp-fb:9x nack"), /invalid rtcp-fb payload type/);
  });
  it("too many m-sections (600 is the limit)", () => {
    const sections = (n: number) => Array.from({ length: n }, (_, i) => `m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:${i}`).join("\r\n");
    assert.equal(parseSdp(`v=0\r\n${sections(600)}\r\n`).media.length, 600);
    throwsSdp(`v=0\r\n${sections(601)}\r\n`, /too many media sections/);
  });
  it("more than 256 KiB", () => {
    const pad = (total: number) => {
      const base = minimal();
      return base + "a=x-pad:" + "x".repeat(total - base.length - 10) + "\r\n";
    };
    assert.equal(pad(256 * 1024).length, 256 * 1024);
    assert.equal(parseSdp(pad(256 * 1024)).media.length, 1);
    throwsSdp(pad(256 * 1024 + 1), /too large/);
  });
});

describe("transportParameters", () => {
  it("takes ICE credentials, fingerprint and setup from the first section", () => {
    assert.deepEqual(transportParameters(parseSdp(CHROME_PUBLISH_OFFER)), {
      iceUfrag: "9p5e",
      icePwd: "5VSnZNzj/Inb5A9g1Y6NFgYP",
      fingerprints: [{ algorithm: "sha-256", value: FP1 }],
      setup: "actpass",
    });
  });

  it("skips a stopped (port 0) first section", () => {
    // Only the first occurrence (the stopped mid 0) gets other credentials.
    const text = CHROME_REOFFER_STOPPED_AND_DATACHANNEL.replace("a=ice-ufrag:4r2l", "a=ice-ufrag:old0");
    const s = parseSdp(text);
    assert.equal(s.media[0]!.iceUfrag, "old0");
    assert.equal(transportParameters(s).iceUfrag, "4r2l");
  });

  it("falls back to session-level values, and setup defaults to actpass", () => {
    const text = minimal().replace("t=0 0", "t=0 0\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionpassword0123456789\r\na=fingerprint:sha-256 AB");
    assert.deepEqual(transportParameters(parseSdp(text)), {
      iceUfrag: "sess",
      icePwd: "sessionpassword0123456789",
      fingerprints: [{ algorithm: "sha-256", value: "AB" }],
      setup: "actpass",
    });
  });

  it("throws without ICE credentials or fingerprint", () => {
    assert.throws(() => transportParameters(parseSdp(minimal("a=fingerprint:sha-256 AB"))), SdpParseError);
    assert.throws(() => transportParameters(parseSdp(minimal("a=ice-ufrag:abcd", "a=ice-pwd:p"))), /missing DTLS fingerprint/);
    assert.throws(() => transportParameters(parseSdp(minimal("a=ice-ufrag:abcd", "a=fingerprint:sha-256 AB"))), /ice-ufrag\/ice-pwd/);
  });
});

describe("publisherSsrcs", () => {
  it("media and RTX SSRC from the FID group, or the first SSRC", () => {
    const s = parseSdp(CHROME_PUBLISH_OFFER);
    assert.deepEqual(publisherSsrcs(s.media[1]!), { ssrc: 1782862467, rtxSsrc: 3797827419 });
    assert.deepEqual(publisherSsrcs(s.media[0]!), { ssrc: 1592301539, rtxSsrc: null });
  });

  it("null for a section without SSRCs; an incomplete FID group is ignored", () => {
    assert.equal(publisherSsrcs(parseSdp(CHROME_REOFFER_WITH_RECVONLY).media[2]!), null);
    const m = parseSdp(minimal("a=ssrc-group:FID 5", "a=ssrc:5 cname:x", "a=ssrc:6 cname:x")).media[0]!;
    assert.deepEqual(publisherSsrcs(m), { ssrc: 5, rtxSsrc: null });
  });
});

describe("simulcast (RFC 8851 rid, RFC 8853 simulcast)", () => {
  it("reads Chromium's rids and simulcast send list; the offer signals no SSRC", () => {
    const m = parseSdp(CHROME_SIMULCAST_OFFER).media[0]!;
    assert.deepEqual(
      m.rids.map((r) => `${r.id}/${r.direction}`),
      ["q/send", "h/send", "f/send"],
    );
    assert.deepEqual(m.simulcastSend, ["q", "h", "f"]);
    assert.equal(m.ssrcs.size, 0);
  });

  it("takes the first alternative, drops the paused marker, refuses malformed rids", () => {
    const sdp = (extra: string) => `v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n${extra}`;
    assert.deepEqual(parseSdp(sdp("a=simulcast:send ~a,b;c recv x\r\n")).media[0]!.simulcastSend, ["a", "c"]);
    assert.throws(() => parseSdp(sdp("a=rid:bad%id send\r\n")), /malformed rid/);
    assert.throws(() => parseSdp(sdp("a=rid:a send\r\na=rid:b send\r\na=rid:c send\r\na=rid:d send\r\na=rid:e send\r\n")), /too many rids/);
  });
});
