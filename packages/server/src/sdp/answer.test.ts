import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildAnswer,
  candidateLine,
  isDataChannelSection,
  type LocalTransportDescription,
  publisherSsrcs,
  type SectionAnswer,
} from "./answer.js";
import { type CodecPolicy, type NegotiatedCodec, selectExtensions, selectPublishCodec, selectSubscribeCodec } from "./codecs.js";
import { CHROME_PUBLISH_OFFER, CHROME_REOFFER_STOPPED_AND_DATACHANNEL, CHROME_REOFFER_WITH_RECVONLY } from "./fixtures.js";
import { parseSdp, transportParameters } from "./parse.js";
import type { SdpMedia, SdpSession } from "./types.js";

const POLICY: CodecPolicy = { videoCodecs: ["VP8", "H264", "VP9", "AV1"], transportCc: true };
const LOCAL: LocalTransportDescription = {
  iceUfrag: "Rl9xQa3T",
  icePwd: "b2Zpx8WkqLyR0ny4Tc7mHdEs5uVg1iJf",
  fingerprint: {
    algorithm: "sha-256",
    value: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
  },
  candidates: [
    { foundation: "1", protocol: "udp", priority: 2130706431, ip: "192.0.2.10", port: 7882 },
    { foundation: "2", protocol: "tcp", priority: 1671430143, ip: "192.0.2.10", port: 7883 },
  ],
};
const SUB_SSRC = { audio: { ssrc: 1111, rtxSsrc: null }, video: { ssrc: 2222, rtxSsrc: 3333 } };

/**
 * What negotiateOffer does, without rooms: sending sections are published, recvonly ones
 * subscribe to the producer of the same kind (when `subscribe`), anything else is rejected.
 */
function negotiate(text: string, subscribe = true): { offer: SdpSession; sections: SectionAnswer[]; answer: string } {
  const offer = parseSdp(text);
  const producers = new Map<string, NegotiatedCodec>();
  const sections = offer.media.map((m): SectionAnswer => {
    if (m.port === 0 || m.mid === null || (m.kind !== "audio" && m.kind !== "video")) return { role: "reject", mid: m.mid ?? "" };
    const extensions = selectExtensions(m.extMaps, m.kind, m.direction === "recvonly" ? "subscribe" : "publish", POLICY);
    if (m.direction !== "recvonly") {
      const codec = selectPublishCodec(m, POLICY)!;
      producers.set(m.kind, codec);
      return { role: "publish", mid: m.mid, codec, extensions };
    }
    const codec = subscribe ? selectSubscribeCodec(m, producers.get(m.kind)!, POLICY) : null;
    if (!codec) return { role: "reject", mid: m.mid };
    const ids = SUB_SSRC[m.kind as "audio" | "video"];
    if (ids.rtxSsrc === null) codec.rtxPayloadType = null;
    return { role: "subscribe", mid: m.mid, codec, extensions, ...ids, cname: "PA_owner", streamId: "PA_owner", trackId: `TR_${m.mid}` };
  });
  return { offer, sections, answer: buildAnswer(offer, { sessionId: "4242", sessionVersion: 7, local: LOCAL, sections }) };
}

/** The lines of the answer's m-section `i`. */
function sectionLines(answer: string, i: number): string[] {
  const parts = answer.split("\r\nm=");
  return `m=${parts[i + 1]}`.trimEnd().split("\r\n");
}

const rtpmapOf = (m: SdpMedia, pt: number) => m.rtpMaps.find((r) => r.payloadType === pt);

/** What Chrome checks when it applies an answer to its offer (JSEP, RFC 8829 §5.3 and RFC 8843). */
function assertAcceptable(offer: SdpSession, text: string): void {
  assert.ok(text.startsWith("v=0\r\n") && text.endsWith("\r\n"));
  assert.doesNotMatch(text, /[^\r]\n|\r\n\r\n/, "CRLF line endings, no empty lines");
  const answer = parseSdp(text);
  assert.equal(answer.media.length, offer.media.length);
  const accepted: string[] = [];
  answer.media.forEach((a, i) => {
    const o = offer.media[i]!;
    assert.equal(a.kind, o.kind);
    assert.equal(a.protocol, o.protocol);
    if (o.mid !== null) assert.equal(a.mid, o.mid);
    if (a.port === 0) return;
    accepted.push(a.mid!);
    assert.equal(a.port, 9);
    assert.equal(a.setup, "passive");
    assert.equal(a.rtcpMux, true);
    assert.equal(a.rtcpRsize, o.rtcpRsize);
    assert.deepEqual([a.iceUfrag, a.icePwd, a.fingerprints], [LOCAL.iceUfrag, LOCAL.icePwd, [LOCAL.fingerprint]]);
    const expected = o.direction === "recvonly" ? "sendonly" : "recvonly";
    assert.equal(a.direction, expected);
    for (const f of a.formats) {
      const pt = Number(f);
      assert.ok(o.formats.includes(f), `format ${f} was offered`);
      assert.deepEqual(rtpmapOf(a, pt), rtpmapOf(o, pt), `rtpmap ${pt} as offered`);
      for (const fb of a.rtcpFbs.get(pt) ?? []) assert.ok(o.rtcpFbs.get(pt)?.includes(fb), `rtcp-fb ${pt} ${fb} was offered`);
      if (rtpmapOf(a, pt)?.name === "rtx")
        assert.ok(a.formats.includes(a.fmtps.get(pt)!.replace("apt=", "")), "apt names an answered format");
    }
    for (const e of a.extMaps)
      assert.ok(
        o.extMaps.some((x) => x.id === e.id && x.uri === e.uri),
        `extmap ${e.id} was offered`,
      );
    for (const g of a.ssrcGroups) for (const s of g.ssrcs) assert.ok(a.ssrcs.get(s)?.cname, `ssrc ${s} has a cname`);
    if (a.direction === "sendonly") assert.ok(a.msid !== null && a.ssrcs.size > 0);
    else assert.equal(a.ssrcs.size, 0);
  });
  const bundle = answer.groups.filter((g) => g.semantics === "BUNDLE");
  if (accepted.length === 0) assert.deepEqual(bundle, []);
  else {
    assert.deepEqual(bundle, [{ semantics: "BUNDLE", mids: accepted }]);
    assert.equal(transportParameters(answer).setup, "passive");
  }
}

describe("buildAnswer: publish offer", () => {
  const { offer, answer } = negotiate(CHROME_PUBLISH_OFFER);

  it("is an answer Chrome accepts", () => assertAcceptable(offer, answer));

  it("session level: origin, ICE-lite, BUNDLE", () => {
    const head = answer.slice(0, answer.indexOf("\r\nm="));
    assert.deepEqual(head.split("\r\n"), [
      "v=0",
      "o=- 4242 7 IN IP4 127.0.0.1",
      "s=-",
      "t=0 0",
      "a=ice-lite",
      "a=group:BUNDLE 0 1",
      "a=msid-semantic: WMS *",
    ]);
  });

  it("audio section: recvonly opus with our transport and candidates", () => {
    assert.deepEqual(sectionLines(answer, 0), [
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      "c=IN IP4 0.0.0.0",
      "a=rtcp:9 IN IP4 0.0.0.0",
      `a=ice-ufrag:${LOCAL.iceUfrag}`,
      `a=ice-pwd:${LOCAL.icePwd}`,
      `a=fingerprint:sha-256 ${LOCAL.fingerprint.value}`,
      "a=setup:passive",
      "a=mid:0",
      "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
      "a=recvonly",
      "a=rtcp-mux",
      "a=rtcp-rsize",
      "a=rtpmap:111 opus/48000/2",
      "a=rtcp-fb:111 transport-cc",
      "a=fmtp:111 minptime=10;useinbandfec=1",
      "a=candidate:1 1 udp 2130706431 192.0.2.10 7882 typ host generation 0",
      "a=candidate:2 1 tcp 1671430143 192.0.2.10 7883 typ host tcptype passive generation 0",
      "a=end-of-candidates",
    ]);
  });

  it("video section: VP8 + RTX, only the extensions we use", () => {
    const lines = sectionLines(answer, 1);
    assert.equal(lines[0], "m=video 9 UDP/TLS/RTP/SAVPF 96 97");
    assert.deepEqual(
      lines.filter((l) => l.startsWith("a=extmap")).map((l) => l.split(" ")[0]),
      ["a=extmap:2", "a=extmap:3", "a=extmap:4"],
    );
    for (const l of ["a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "a=recvonly"]) {
      assert.ok(lines.includes(l), l);
    }
    assert.ok(!lines.some((l) => l.startsWith("a=ssrc") || l.startsWith("a=msid")));
    assert.equal(lines.at(-1), "a=end-of-candidates");
  });
});

describe("buildAnswer: re-offer with subscriptions", () => {
  const { offer, answer } = negotiate(CHROME_REOFFER_WITH_RECVONLY);

  it("is an answer Chrome accepts", () => assertAcceptable(offer, answer));

  it("subscribe sections are sendonly with msid, FID group and ssrc lines", () => {
    const video = sectionLines(answer, 3);
    assert.equal(video[0], "m=video 9 UDP/TLS/RTP/SAVPF 96 97");
    assert.ok(video.includes("a=sendonly"));
    assert.ok(video.includes("a=msid:PA_owner TR_3"));
    const ssrcLines = video.filter((l) => l.startsWith("a=ssrc"));
    assert.deepEqual(ssrcLines, [
      "a=ssrc-group:FID 2222 3333",
      "a=ssrc:2222 cname:PA_owner",
      "a=ssrc:2222 msid:PA_owner TR_3",
      "a=ssrc:3333 cname:PA_owner",
      "a=ssrc:3333 msid:PA_owner TR_3",
    ]);
    assert.deepEqual(
      video.filter((l) => l.startsWith("a=extmap")),
      [
        "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
      ],
    );
    // The subscriber's transport-cc feedback drives our send-side bandwidth estimate.
    assert.ok(video.includes("a=rtcp-fb:96 transport-cc"), "transport-cc feedback toward subscribers");
  });

  it("an audio subscription without RTX has one SSRC and no group", () => {
    const audio = sectionLines(answer, 2);
    assert.deepEqual(
      audio.filter((l) => l.startsWith("a=ssrc")),
      ["a=ssrc:1111 cname:PA_owner", "a=ssrc:1111 msid:PA_owner TR_2"],
    );
    assert.deepEqual(
      audio.filter((l) => l.startsWith("a=extmap")).map((l) => l.split(" ")[0]),
      ["a=extmap:1", "a=extmap:3", "a=extmap:4"],
    );
  });

  it("parsed back, the subscriber sees our SSRCs and stream", () => {
    const a = parseSdp(answer);
    assert.deepEqual(publisherSsrcs(a.media[3]!), { ssrc: 2222, rtxSsrc: 3333 });
    assert.deepEqual(a.media[3]!.ssrcs.get(3333), { cname: "PA_owner", msid: "PA_owner TR_3" });
    assert.equal(a.media[3]!.msid, "PA_owner TR_3");
  });

  it("BUNDLE lists only the accepted mids, in offer order", () => {
    const { offer: o, answer: refused } = negotiate(CHROME_REOFFER_WITH_RECVONLY, false);
    assertAcceptable(o, refused);
    assert.match(refused, /\r\na=group:BUNDLE 0 1\r\n/);
    assert.deepEqual(sectionLines(refused, 2), ["m=audio 0 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:2", "a=inactive"]);
  });
});

describe("buildAnswer: stopped section and data channel", () => {
  const { offer, answer } = negotiate(CHROME_REOFFER_STOPPED_AND_DATACHANNEL);

  it("is an answer Chrome accepts", () => assertAcceptable(offer, answer));

  it("rejected sections keep their mid with port 0 and leave the BUNDLE group", () => {
    assert.match(answer, /\r\na=group:BUNDLE 1 3\r\n/);
    assert.deepEqual(sectionLines(answer, 0), ["m=audio 0 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=inactive"]);
    assert.deepEqual(sectionLines(answer, 2), [
      "m=application 0 UDP/DTLS/SCTP webrtc-datachannel",
      "c=IN IP4 0.0.0.0",
      "a=mid:2",
      "a=inactive",
    ]);
    assert.equal(answer.match(/a=end-of-candidates/g)?.length, 2);
  });
});

describe("buildAnswer: edge cases", () => {
  it("all rejected: no BUNDLE group; a section without mid gets no a=mid", () => {
    const offer = parseSdp("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n");
    const text = buildAnswer(offer, { sessionId: "1", sessionVersion: 1, local: LOCAL, sections: [{ role: "reject", mid: "" }] });
    assertAcceptable(offer, text);
    assert.doesNotMatch(text, /a=group|a=mid/);
  });

  it("needs one answer section per offered m-section", () => {
    const offer = parseSdp(CHROME_PUBLISH_OFFER);
    assert.throws(
      () => buildAnswer(offer, { sessionId: "1", sessionVersion: 1, local: LOCAL, sections: [] }),
      /one answer section per offered/,
    );
  });

  it("candidateLine: udp, and tcp as passive (we only accept connections)", () => {
    assert.equal(candidateLine(LOCAL.candidates[0]!), "a=candidate:1 1 udp 2130706431 192.0.2.10 7882 typ host generation 0");
    const v6 = { foundation: "3", protocol: "tcp" as const, priority: 1, ip: "2001:db8::1", port: 443 };
    assert.equal(candidateLine(v6), "a=candidate:3 1 tcp 1 2001:db8::1 443 typ host tcptype passive generation 0");
  });
});

/** What Chrome offers for a PeerConnection with only data channels (the SDK's first offer before any track). */
const CHROME_DATA_ONLY_OFFER = [
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0",
  "a=extmap-allow-mixed",
  "a=msid-semantic: WMS",
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
  "c=IN IP4 0.0.0.0",
  "a=ice-ufrag:4r2l",
  "a=ice-pwd:R930dpB4PrXlEaJEFjzHxi/e",
  "a=ice-options:trickle",
  "a=fingerprint:sha-256 52:05:58:80:53:5E:E9:2D:A4:F6:01:BF:7D:03:74:9E:CD:6D:C4:51:B4:FE:D1:EE:90:66:A1:AA:5D:14:5E:07",
  "a=setup:actpass",
  "a=mid:0",
  "a=sctp-port:5000",
  "a=max-message-size:262144",
  "",
].join("\r\n");

describe("buildAnswer: data channels (RFC 8841)", () => {
  it("answers m=application with sctp-port, max-message-size and DTLS passive, in BUNDLE", () => {
    const offer = parseSdp(CHROME_DATA_ONLY_OFFER);
    assert.equal(isDataChannelSection(offer.media[0]!), true);
    const text = buildAnswer(offer, {
      sessionId: "1",
      sessionVersion: 1,
      local: LOCAL,
      sections: [{ role: "data", mid: "0", maxMessageSize: 65536 }],
    });
    assert.match(text, /\r\na=group:BUNDLE 0\r\n/);
    const lines = sectionLines(text, 0);
    assert.equal(lines[0], "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
    for (const line of ["a=setup:passive", "a=mid:0", "a=sctp-port:5000", "a=max-message-size:65536", "a=end-of-candidates"]) {
      assert.ok(lines.includes(line), `${line} in the data section`);
    }
    assert.ok(!lines.some((l) => l.startsWith("a=rtcp") || l.startsWith("a=rtpmap")), "no RTP attributes on a data section");
    const answer = parseSdp(text);
    const m = answer.media[0]!;
    assert.deepEqual([m.kind, m.port, m.protocol, m.formats], ["application", 9, "UDP/DTLS/SCTP", ["webrtc-datachannel"]]);
    assert.deepEqual([m.iceUfrag, m.icePwd, m.fingerprints], [LOCAL.iceUfrag, LOCAL.icePwd, [LOCAL.fingerprint]]);
    assert.equal(lines.filter((l) => l.startsWith("a=candidate:")).length, LOCAL.candidates.length);
  });

  it("bundles the data section with media sections", () => {
    const { offer, sections } = negotiate(CHROME_REOFFER_STOPPED_AND_DATACHANNEL);
    // The fixture's data section is stopped (port 0); re-open it as the SDK's offers do.
    const dataIndex = offer.media.findIndex(isDataChannelSection);
    assert.ok(dataIndex >= 0);
    offer.media[dataIndex]!.port = 9;
    sections[dataIndex] = { role: "data", mid: offer.media[dataIndex]!.mid!, maxMessageSize: 65536 };
    const text = buildAnswer(offer, { sessionId: "1", sessionVersion: 2, local: LOCAL, sections });
    assert.match(text, /\r\na=group:BUNDLE 1 2 3\r\n/);
    assert.equal(sectionLines(text, dataIndex)[0], "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
  });

  it("recognises only DTLS/SCTP webrtc-datachannel application sections", () => {
    const offer = parseSdp(CHROME_PUBLISH_OFFER);
    assert.ok(offer.media.every((m) => !isDataChannelSection(m)));
    const legacy = parseSdp("v=0\r\nm=application 9 UDP/BFCP 5000\r\na=mid:0\r\n");
    assert.equal(isDataChannelSection(legacy.media[0]!), false);
    const tcp = parseSdp("v=0\r\nm=application 9 TCP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n");
    assert.equal(isDataChannelSection(tcp.media[0]!), true);
  });
});
