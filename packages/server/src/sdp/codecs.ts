import type { ExtMap, SdpMedia } from "./types.js";

/** A codec as negotiated on one m-section: what the SFU needs to forward it without decoding. */
export interface NegotiatedCodec {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels: number;
  fmtp: string;
  rtcpFeedback: string[];
  /** RTX payload type (RFC 4588) whose apt is payloadType, or null. */
  rtxPayloadType: number | null;
}

export const ExtensionUri = {
  mid: "urn:ietf:params:rtp-hdrext:sdes:mid",
  audioLevel: "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  absSendTime: "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
  transportCc: "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
  /** RFC 8852: which simulcast stream (rid) a packet belongs to, and the rid an RTX packet repairs. */
  rid: "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
  repairedRid: "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
} as const;

/** Header extension ids negotiated on an m-section (0 = not negotiated). */
export interface ExtensionIds {
  mid: number;
  audioLevel: number;
  absSendTime: number;
  transportCc: number;
  /** Simulcast publishers only (0 or absent = not negotiated). */
  rid?: number;
  repairedRid?: number;
}

export type VideoCodecName = "VP8" | "VP9" | "H264" | "AV1";

export interface CodecPolicy {
  /** Video codecs accepted from publishers, in no particular order (the client's order wins). */
  videoCodecs: VideoCodecName[];
  /** Negotiate transport-wide congestion control feedback with publishers. */
  transportCc: boolean;
}

const FEEDBACK_VIDEO = ["nack", "nack pli", "ccm fir", "goog-remb"];

function fmtpParams(fmtp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of fmtp.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

function rtxFor(media: SdpMedia, pt: number): number | null {
  for (const r of media.rtpMaps) {
    if (r.name.toLowerCase() !== "rtx") continue;
    if (fmtpParams(media.fmtps.get(r.payloadType) ?? "").get("apt") === String(pt)) return r.payloadType;
  }
  return null;
}

function h264Acceptable(fmtp: string): boolean {
  const p = fmtpParams(fmtp);
  // Packetization mode 1 (non-interleaved) is what every browser sends; mode 0 would need single-NAL packets.
  return p.get("packetization-mode") === "1";
}

/** Two H264/VP9 formats are interchangeable for forwarding when their profile parameters match (RFC 6184 §8.2.2). */
function sameFormat(name: string, a: string, b: string): boolean {
  const pa = fmtpParams(a);
  const pb = fmtpParams(b);
  if (name === "h264") {
    const profA = (pa.get("profile-level-id") ?? "42001f").slice(0, 4).toLowerCase();
    const profB = (pb.get("profile-level-id") ?? "42001f").slice(0, 4).toLowerCase();
    return profA === profB && (pa.get("packetization-mode") ?? "0") === (pb.get("packetization-mode") ?? "0");
  }
  if (name === "vp9") return (pa.get("profile-id") ?? "0") === (pb.get("profile-id") ?? "0");
  if (name === "av1") return (pa.get("profile") ?? "0") === (pb.get("profile") ?? "0");
  return true;
}

function feedbackFor(media: SdpMedia, pt: number, kind: string, policy: CodecPolicy): string[] {
  const offered = new Set([...(media.rtcpFbs.get(pt) ?? []), ...(media.rtcpFbs.get(-1) ?? [])]);
  const wanted = kind === "video" ? [...FEEDBACK_VIDEO] : [];
  if (policy.transportCc) wanted.push("transport-cc");
  return wanted.filter((fb) => offered.has(fb));
}

function build(media: SdpMedia, pt: number, policy: CodecPolicy): NegotiatedCodec {
  const map = media.rtpMaps.find((r) => r.payloadType === pt)!;
  return {
    mimeType: `${media.kind}/${map.name}`,
    payloadType: pt,
    clockRate: map.clockRate,
    channels: map.channels,
    fmtp: media.fmtps.get(pt) ?? "",
    rtcpFeedback: feedbackFor(media, pt, media.kind, policy),
    rtxPayloadType: media.kind === "video" ? rtxFor(media, pt) : null,
  };
}

/**
 * Picks the codec a publisher will send on this m-section: the first one in the
 * client's order that the SFU forwards (Opus for audio, the policy's video codecs).
 */
export function selectPublishCodec(media: SdpMedia, policy: CodecPolicy): NegotiatedCodec | null {
  const allowed = new Set<string>(media.kind === "audio" ? ["opus"] : policy.videoCodecs.map((c) => c.toLowerCase()));
  for (const f of media.formats) {
    const pt = Number(f);
    const map = media.rtpMaps.find((r) => r.payloadType === pt);
    if (!map) continue;
    const name = map.name.toLowerCase();
    if (!allowed.has(name)) continue;
    if (name === "h264" && !h264Acceptable(media.fmtps.get(pt) ?? "")) continue;
    return build(media, pt, policy);
  }
  return null;
}

/** Finds the subscriber's payload type for a producer's codec, or null when the subscriber cannot receive it. */
export function selectSubscribeCodec(media: SdpMedia, producer: NegotiatedCodec, policy: CodecPolicy): NegotiatedCodec | null {
  const [kind, name] = producer.mimeType.toLowerCase().split("/");
  if (kind !== media.kind) return null;
  for (const r of media.rtpMaps) {
    if (r.name.toLowerCase() !== name || r.clockRate !== producer.clockRate) continue;
    if (!sameFormat(name!, media.fmtps.get(r.payloadType) ?? "", producer.fmtp)) continue;
    // transport-cc toward subscribers too: their feedback drives our send-side bandwidth estimate.
    const codec = build(media, r.payloadType, policy);
    // The subscriber decodes the producer's bitstream, so the producer's fmtp describes it.
    codec.fmtp = producer.fmtp;
    return codec;
  }
  return null;
}

/** Which header extensions the SFU accepts on an m-section, with the client's ids. */
export function selectExtensions(extMaps: ExtMap[], kind: string, role: "publish" | "subscribe", policy: CodecPolicy): ExtensionIds {
  const find = (uri: string) => extMaps.find((e) => e.uri === uri)?.id ?? 0;
  const ids: ExtensionIds = { mid: find(ExtensionUri.mid), audioLevel: 0, absSendTime: 0, transportCc: 0 };
  if (kind === "audio") ids.audioLevel = find(ExtensionUri.audioLevel);
  if (policy.transportCc) ids.transportCc = find(ExtensionUri.transportCc);
  if (role === "publish") ids.absSendTime = find(ExtensionUri.absSendTime);
  return ids;
}

/** A simulcast publisher's m-section also needs the rid extensions (RFC 8852) to tell its streams apart. */
export function withSimulcastExtensions(ids: ExtensionIds, extMaps: ExtMap[]): ExtensionIds {
  const find = (uri: string) => extMaps.find((e) => e.uri === uri)?.id ?? 0;
  return { ...ids, rid: find(ExtensionUri.rid), repairedRid: find(ExtensionUri.repairedRid) };
}

export function extensionLines(ids: ExtensionIds): string[] {
  const lines: string[] = [];
  if (ids.audioLevel) lines.push(`a=extmap:${ids.audioLevel} ${ExtensionUri.audioLevel}`);
  if (ids.absSendTime) lines.push(`a=extmap:${ids.absSendTime} ${ExtensionUri.absSendTime}`);
  if (ids.transportCc) lines.push(`a=extmap:${ids.transportCc} ${ExtensionUri.transportCc}`);
  if (ids.mid) lines.push(`a=extmap:${ids.mid} ${ExtensionUri.mid}`);
  if (ids.rid) lines.push(`a=extmap:${ids.rid} ${ExtensionUri.rid}`);
  if (ids.repairedRid) lines.push(`a=extmap:${ids.repairedRid} ${ExtensionUri.repairedRid}`);
  return lines;
}
