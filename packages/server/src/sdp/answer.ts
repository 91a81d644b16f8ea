import { type ExtensionIds, extensionLines, type NegotiatedCodec } from "./codecs.js";
import type { Fingerprint, SdpSession } from "./types.js";

export interface IceCandidate {
  foundation: string;
  protocol: "udp" | "tcp";
  priority: number;
  ip: string;
  port: number;
}

/** Our side of the transport: ICE-lite credentials, DTLS certificate fingerprint, host candidates. */
export interface LocalTransportDescription {
  iceUfrag: string;
  icePwd: string;
  fingerprint: Fingerprint;
  candidates: IceCandidate[];
}

interface SectionBase {
  mid: string;
}
/** The client sends on this m-section; we receive (a=recvonly). */
export interface PublishSection extends SectionBase {
  role: "publish";
  codec: NegotiatedCodec;
  extensions: ExtensionIds;
  /** Simulcast streams accepted (RFC 8853), in the offer's order; absent = one stream. */
  rids?: string[];
}
/** The client receives a forwarded track on this m-section; we send (a=sendonly). */
export interface SubscribeSection extends SectionBase {
  role: "subscribe";
  codec: NegotiatedCodec;
  extensions: ExtensionIds;
  ssrc: number;
  rtxSsrc: number | null;
  cname: string;
  streamId: string;
  trackId: string;
}
/** The m-section is refused (port 0), e.g. a stopped transceiver or an unsupported codec. */
export interface RejectSection extends SectionBase {
  role: "reject";
}
/** The client's data channels (m=application, RFC 8841): SCTP over the bundled DTLS, terminated by the SFU. */
export interface DataSection extends SectionBase {
  role: "data";
  /** a=max-message-size (RFC 8841 §6): the largest message we accept. */
  maxMessageSize: number;
}
export type SectionAnswer = PublishSection | SubscribeSection | RejectSection | DataSection;

/** Our SCTP port; WebRTC peers use 5000 on both sides (RFC 8841 §5). */
export const SCTP_PORT = 5000;

/** Whether an offered m-section is WebRTC data channels over DTLS/SCTP (RFC 8841 §4). */
export function isDataChannelSection(m: SdpSession["media"][number]): boolean {
  return m.kind === "application" && /(^|\/)DTLS\/SCTP$/.test(m.protocol) && m.formats.includes("webrtc-datachannel");
}

function codecLines(c: NegotiatedCodec): string[] {
  const name = c.mimeType.split("/")[1];
  const lines = [`a=rtpmap:${c.payloadType} ${name}/${c.clockRate}${c.channels > 1 ? `/${c.channels}` : ""}`];
  for (const fb of c.rtcpFeedback) lines.push(`a=rtcp-fb:${c.payloadType} ${fb}`);
  if (c.fmtp) lines.push(`a=fmtp:${c.payloadType} ${c.fmtp}`);
  if (c.rtxPayloadType !== null) {
    lines.push(`a=rtpmap:${c.rtxPayloadType} rtx/${c.clockRate}`, `a=fmtp:${c.rtxPayloadType} apt=${c.payloadType}`);
  }
  return lines;
}

export function candidateLine(c: IceCandidate): string {
  const tcp = c.protocol === "tcp" ? " tcptype passive" : "";
  return `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.ip} ${c.port} typ host${tcp} generation 0`;
}

export interface AnswerOptions {
  sessionId: string;
  sessionVersion: number;
  local: LocalTransportDescription;
  /** One entry per m-section of the offer, in the offer's order (RFC 8829 §5.3.1). */
  sections: SectionAnswer[];
}

/** Builds the SFU's answer (ICE-lite, DTLS passive, rtcp-mux, BUNDLE over the accepted sections). */
export function buildAnswer(offer: SdpSession, o: AnswerOptions): string {
  if (o.sections.length !== offer.media.length) throw new Error("one answer section per offered m-section is required");
  const accepted = o.sections.filter((s) => s.role !== "reject").map((s) => s.mid);
  const out = ["v=0", `o=- ${o.sessionId} ${o.sessionVersion} IN IP4 127.0.0.1`, "s=-", "t=0 0", "a=ice-lite"];
  if (accepted.length > 0) out.push(`a=group:BUNDLE ${accepted.join(" ")}`);
  out.push("a=msid-semantic: WMS *");
  o.sections.forEach((s, i) => {
    const m = offer.media[i]!;
    if (s.role === "reject") {
      out.push(`m=${m.kind} 0 ${m.protocol} ${m.formats[0] ?? "0"}`, "c=IN IP4 0.0.0.0");
      if (m.mid !== null) out.push(`a=mid:${m.mid}`);
      out.push("a=inactive");
      return;
    }
    if (s.role === "data") {
      out.push(
        `m=application 9 ${m.protocol} webrtc-datachannel`,
        "c=IN IP4 0.0.0.0",
        `a=ice-ufrag:${o.local.iceUfrag}`,
        `a=ice-pwd:${o.local.icePwd}`,
        `a=fingerprint:${o.local.fingerprint.algorithm} ${o.local.fingerprint.value}`,
        "a=setup:passive",
        `a=mid:${s.mid}`,
        `a=sctp-port:${SCTP_PORT}`,
        `a=max-message-size:${s.maxMessageSize}`,
      );
      for (const cand of o.local.candidates) out.push(candidateLine(cand));
      out.push("a=end-of-candidates");
      return;
    }
    const c = s.codec;
    const pts = c.rtxPayloadType !== null ? `${c.payloadType} ${c.rtxPayloadType}` : `${c.payloadType}`;
    out.push(
      `m=${m.kind} 9 ${m.protocol} ${pts}`,
      "c=IN IP4 0.0.0.0",
      "a=rtcp:9 IN IP4 0.0.0.0",
      `a=ice-ufrag:${o.local.iceUfrag}`,
      `a=ice-pwd:${o.local.icePwd}`,
      `a=fingerprint:${o.local.fingerprint.algorithm} ${o.local.fingerprint.value}`,
      "a=setup:passive",
      `a=mid:${s.mid}`,
      ...extensionLines(s.extensions),
      s.role === "publish" ? "a=recvonly" : "a=sendonly",
    );
    if (s.role === "subscribe") out.push(`a=msid:${s.streamId} ${s.trackId}`);
    if (s.role === "publish" && s.rids && s.rids.length > 0) {
      for (const rid of s.rids) out.push(`a=rid:${rid} recv`);
      out.push(`a=simulcast:recv ${s.rids.join(";")}`);
    }
    out.push("a=rtcp-mux");
    if (m.rtcpRsize) out.push("a=rtcp-rsize");
    out.push(...codecLines(c));
    if (s.role === "subscribe") {
      if (s.rtxSsrc !== null) out.push(`a=ssrc-group:FID ${s.ssrc} ${s.rtxSsrc}`);
      for (const ssrc of s.rtxSsrc !== null ? [s.ssrc, s.rtxSsrc] : [s.ssrc]) {
        out.push(`a=ssrc:${ssrc} cname:${s.cname}`, `a=ssrc:${ssrc} msid:${s.streamId} ${s.trackId}`);
      }
    }
    for (const cand of o.local.candidates) out.push(candidateLine(cand));
    out.push("a=end-of-candidates");
  });
  return `${out.join("\r\n")}\r\n`;
}

/** The publisher's media SSRC and its RTX SSRC (ssrc-group FID), from the offer's a=ssrc lines. */
export function publisherSsrcs(m: SdpSession["media"][number]): { ssrc: number; rtxSsrc: number | null } | null {
  const fid = m.ssrcGroups.find((g) => g.semantics === "FID" && g.ssrcs.length === 2);
  if (fid) return { ssrc: fid.ssrcs[0]!, rtxSsrc: fid.ssrcs[1]! };
  const first = m.ssrcs.keys().next();
  return first.done ? null : { ssrc: first.value, rtxSsrc: null };
}
