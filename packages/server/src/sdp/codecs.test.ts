import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CodecPolicy,
  ExtensionUri,
  extensionLines,
  type NegotiatedCodec,
  selectExtensions,
  selectPublishCodec,
  selectSubscribeCodec,
} from "./codecs.js";
import { CHROME_PUBLISH_OFFER, CHROME_REOFFER_WITH_RECVONLY } from "./fixtures.js";
import { parseSdp } from "./parse.js";
import type { SdpMedia } from "./types.js";

const ALL: CodecPolicy = { videoCodecs: ["VP8", "H264", "VP9", "AV1"], transportCc: true };
const only = (...videoCodecs: CodecPolicy["videoCodecs"]): CodecPolicy => ({ videoCodecs, transportCc: true });

const publish = parseSdp(CHROME_PUBLISH_OFFER);
const pubAudio = publish.media[0]!;
const pubVideo = publish.media[1]!;
const reoffer = parseSdp(CHROME_REOFFER_WITH_RECVONLY);
const subAudio = reoffer.media[2]!;
const subVideo = reoffer.media[3]!;

/** The same section with another m= line format order (the client's preference). */
const reorder = (m: SdpMedia, formats: string[]): SdpMedia => ({ ...m, formats });

/** One video section built from lines, e.g. for payload type layouts Chrome does not use. */
const videoSection = (formats: string, ...lines: string[]): SdpMedia =>
  parseSdp(["v=0", `m=video 9 UDP/TLS/RTP/SAVPF ${formats}`, "a=mid:0", ...lines, ""].join("\r\n")).media[0]!;

const VIDEO_FB = ["nack", "nack pli", "ccm fir", "goog-remb"];

describe("selectPublishCodec", () => {
  it("audio: opus with its fmtp, channels and transport-cc feedback", () => {
    assert.deepEqual(selectPublishCodec(pubAudio, ALL), {
      mimeType: "audio/opus",
      payloadType: 111,
      clockRate: 48000,
      channels: 2,
      fmtp: "minptime=10;useinbandfec=1",
      rtcpFeedback: ["transport-cc"],
      rtxPayloadType: null,
    });
    assert.deepEqual(selectPublishCodec(pubAudio, { ...ALL, transportCc: false })?.rtcpFeedback, []);
  });

  it("audio: RED listed first is skipped, no opus means no codec", () => {
    assert.equal(selectPublishCodec(reorder(pubAudio, ["63", "111"]), ALL)?.payloadType, 111);
    assert.equal(selectPublishCodec(reorder(pubAudio, ["63", "9", "0", "8"]), ALL), null);
  });

  it("video: the client's first allowed codec (VP8) with its RTX and the supported feedback", () => {
    assert.deepEqual(selectPublishCodec(pubVideo, ALL), {
      mimeType: "video/VP8",
      payloadType: 96,
      clockRate: 90000,
      channels: 1,
      fmtp: "",
      rtcpFeedback: [...VIDEO_FB, "transport-cc"],
      rtxPayloadType: 97,
    });
  });

  it("the client's order wins over the policy's order", () => {
    assert.equal(selectPublishCodec(reorder(pubVideo, ["98", "99", "96", "97"]), only("VP8", "VP9"))?.mimeType, "video/VP9");
    assert.equal(selectPublishCodec(reorder(pubVideo, ["45", "46", "96"]), ALL)?.mimeType, "video/AV1");
  });

  it("a policy restricts the video codecs", () => {
    const h264 = selectPublishCodec(pubVideo, only("H264"));
    assert.deepEqual([h264?.mimeType, h264?.payloadType, h264?.rtxPayloadType], ["video/H264", 102, 103]);
    assert.equal(h264?.fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
    const vp9 = selectPublishCodec(pubVideo, only("VP9"));
    assert.deepEqual([vp9?.payloadType, vp9?.rtxPayloadType, vp9?.fmtp], [98, 99, "profile-id=0"]);
    const av1 = selectPublishCodec(pubVideo, only("AV1"));
    assert.deepEqual([av1?.payloadType, av1?.rtxPayloadType, av1?.fmtp], [45, 46, "level-idx=5;profile=0;tier=0"]);
    assert.equal(selectPublishCodec(pubVideo, only()), null);
  });

  it("H264 packetization-mode 0 is refused", () => {
    // 104 (42001f) and 114 (42e01f) are mode 0; 108 (42e01f) is mode 1.
    assert.equal(selectPublishCodec(reorder(pubVideo, ["104", "107", "114", "115", "108", "109"]), only("H264"))?.payloadType, 108);
    assert.equal(selectPublishCodec(reorder(pubVideo, ["104", "114", "39"]), only("H264")), null);
    const noMode = videoSection("100", "a=rtpmap:100 H264/90000", "a=fmtp:100 profile-level-id=42e01f");
    assert.equal(selectPublishCodec(noMode, only("H264")), null);
  });

  it("the RTX payload type is found by apt, not by position", () => {
    const m = videoSection(
      "96 97 120",
      "a=rtpmap:96 VP8/90000",
      "a=rtpmap:97 rtx/90000",
      "a=fmtp:97 apt=98",
      "a=rtpmap:120 rtx/90000",
      "a=fmtp:120 apt=96",
    );
    assert.equal(selectPublishCodec(m, ALL)?.rtxPayloadType, 120);
    assert.equal(selectPublishCodec(videoSection("96", "a=rtpmap:96 VP8/90000"), ALL)?.rtxPayloadType, null);
  });

  it("feedback is limited to what the client offered (per payload type or *), in our order", () => {
    const m = videoSection("96", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 goog-remb", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 x-unknown");
    assert.deepEqual(selectPublishCodec(m, ALL)?.rtcpFeedback, ["nack pli", "goog-remb"]);
    const wild = videoSection("96", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:* nack", "a=rtcp-fb:96 transport-cc");
    assert.deepEqual(selectPublishCodec(wild, ALL)?.rtcpFeedback, ["nack", "transport-cc"]);
    assert.deepEqual(selectPublishCodec(wild, { ...ALL, transportCc: false })?.rtcpFeedback, ["nack"]);
  });

  it("a format without rtpmap is skipped", () => {
    assert.equal(selectPublishCodec(videoSection("96 100", "a=rtpmap:100 VP8/90000"), ALL)?.payloadType, 100);
  });
});

describe("selectSubscribeCodec", () => {
  const producer = (policy: CodecPolicy, formats?: string[]): NegotiatedCodec =>
    selectPublishCodec(formats ? reorder(pubVideo, formats) : pubVideo, policy)!;

  it("VP8 to a Chrome subscriber: its payload types, with transport-cc (our send-side estimate needs its feedback)", () => {
    assert.deepEqual(selectSubscribeCodec(subVideo, producer(ALL), ALL), {
      mimeType: "video/VP8",
      payloadType: 96,
      clockRate: 90000,
      channels: 1,
      fmtp: "",
      rtcpFeedback: [...VIDEO_FB, "transport-cc"],
      rtxPayloadType: 97,
    });
    assert.deepEqual(selectSubscribeCodec(subVideo, producer(ALL), { ...ALL, transportCc: false })?.rtcpFeedback, VIDEO_FB);
  });

  it("returns the subscriber's payload types, not the producer's", () => {
    const m = videoSection("120 121", "a=rtpmap:120 VP8/90000", "a=rtpmap:121 rtx/90000", "a=fmtp:121 apt=120", "a=rtcp-fb:120 nack");
    const c = selectSubscribeCodec(m, producer(ALL), ALL);
    assert.deepEqual([c?.payloadType, c?.rtxPayloadType, c?.rtcpFeedback], [120, 121, ["nack"]]);
  });

  it("opus to a recvonly audio section", () => {
    const c = selectSubscribeCodec(subAudio, selectPublishCodec(pubAudio, ALL)!, ALL);
    assert.deepEqual(
      [c?.mimeType, c?.payloadType, c?.channels, c?.rtxPayloadType, c?.rtcpFeedback],
      ["audio/opus", 111, 2, null, ["transport-cc"]],
    );
    assert.equal(c?.fmtp, "minptime=10;useinbandfec=1");
  });

  it("H264 matches on profile (42e0 ≠ 4200) and packetization mode, not on level", () => {
    const cb = producer(only("H264"), ["108", "109"]); // 42e01f, mode 1
    assert.equal(selectSubscribeCodec(subVideo, cb, ALL)?.payloadType, 108); // not 102 (42001f), listed first
    const main = producer(only("H264"), ["116", "117"]); // 4d001f
    assert.equal(selectSubscribeCodec(subVideo, main, ALL)?.payloadType, 116);
    const higherLevel = { ...cb, fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034" };
    const c = selectSubscribeCodec(subVideo, higherLevel, ALL);
    assert.equal(c?.payloadType, 108);
    assert.equal(c?.fmtp, higherLevel.fmtp); // the subscriber decodes the producer's bitstream
    const high = { ...cb, fmtp: "packetization-mode=1;profile-level-id=640c1f" };
    assert.equal(selectSubscribeCodec(subVideo, high, ALL), null);
  });

  it("VP9 matches on profile-id (absent = 0), AV1 on profile", () => {
    const vp9 = producer(only("VP9"));
    assert.equal(selectSubscribeCodec(subVideo, { ...vp9, fmtp: "profile-id=2" }, ALL)?.payloadType, 100);
    assert.equal(selectSubscribeCodec(subVideo, { ...vp9, fmtp: "profile-id=1" }, ALL)?.payloadType, 35);
    assert.equal(selectSubscribeCodec(subVideo, { ...vp9, fmtp: "" }, ALL)?.payloadType, 98);
    const av1 = producer(only("AV1"));
    assert.equal(selectSubscribeCodec(subVideo, av1, ALL)?.payloadType, 45);
    assert.equal(selectSubscribeCodec(subVideo, { ...av1, fmtp: "level-idx=5;profile=1;tier=0" }, ALL)?.payloadType, 47);
  });

  it("null when the subscriber cannot receive it", () => {
    const vp8only = videoSection("96", "a=rtpmap:96 VP8/90000");
    assert.equal(selectSubscribeCodec(vp8only, producer(only("AV1")), ALL), null);
    assert.equal(selectSubscribeCodec(subVideo, selectPublishCodec(pubAudio, ALL)!, ALL), null); // kind
    assert.equal(selectSubscribeCodec(subVideo, { ...producer(ALL), clockRate: 48000 }, ALL), null); // clock rate
  });
});

describe("selectExtensions / extensionLines", () => {
  it("publish: mid, audio level, abs-send-time and transport-cc (by policy)", () => {
    assert.deepEqual(selectExtensions(pubAudio.extMaps, "audio", "publish", ALL), {
      mid: 4,
      audioLevel: 1,
      absSendTime: 2,
      transportCc: 3,
    });
    assert.deepEqual(selectExtensions(pubVideo.extMaps, "video", "publish", ALL), {
      mid: 4,
      audioLevel: 0,
      absSendTime: 2,
      transportCc: 3,
    });
    assert.equal(selectExtensions(pubVideo.extMaps, "video", "publish", { ...ALL, transportCc: false }).transportCc, 0);
  });

  it("subscribe: mid, transport-cc (by policy) and audio level for audio; never abs-send-time", () => {
    assert.deepEqual(selectExtensions(subAudio.extMaps, "audio", "subscribe", ALL), {
      mid: 4,
      audioLevel: 1,
      absSendTime: 0,
      transportCc: 3,
    });
    assert.deepEqual(selectExtensions(subVideo.extMaps, "video", "subscribe", ALL), {
      mid: 4,
      audioLevel: 0,
      absSendTime: 0,
      transportCc: 3,
    });
    assert.equal(selectExtensions(subVideo.extMaps, "video", "subscribe", { ...ALL, transportCc: false }).transportCc, 0);
    assert.deepEqual(selectExtensions([], "video", "publish", ALL), { mid: 0, audioLevel: 0, absSendTime: 0, transportCc: 0 });
  });

  it("extmap lines with the client's ids; 0 = omitted", () => {
    assert.deepEqual(extensionLines({ mid: 4, audioLevel: 1, absSendTime: 2, transportCc: 3 }), [
      `a=extmap:1 ${ExtensionUri.audioLevel}`,
      `a=extmap:2 ${ExtensionUri.absSendTime}`,
      `a=extmap:3 ${ExtensionUri.transportCc}`,
      `a=extmap:4 ${ExtensionUri.mid}`,
    ]);
    assert.deepEqual(extensionLines({ mid: 9, audioLevel: 0, absSendTime: 0, transportCc: 0 }), [`a=extmap:9 ${ExtensionUri.mid}`]);
  });
});
