// The lean client's SDP: Unified Plan, BUNDLE over every m-section, rtcp-mux,
// one ICE ufrag/pwd and DTLS fingerprint, setup:actpass (the SFU is the DTLS
// server). Sending sections carry a=ssrc (and the RTX FID group for video);
// receiving sections are recvonly with the codecs we can take. A simulcast
// section instead lists its streams (RFC 8853 §5.1: a=rid:<id> send per stream,
// a=simulcast:send q;h;f) with the RFC 8852 rid extmaps, and no a=ssrc: the SFU
// learns each stream's SSRC from the rid header extension.

import { parseSdp, transportParameters } from "../sdp/parse.js";
import type { SdpSession } from "../sdp/types.js";
import { EXT_AUDIO_LEVEL, EXT_MID, EXT_REPAIRED_RID, EXT_RID, PT_OPUS, PT_RTX, PT_VP8 } from "./packetize.js";

export interface OfferSection {
  mid: string;
  kind: "audio" | "video";
  direction: "sendonly" | "recvonly";
  /** Sending sections: our SSRC (and RTX SSRC for video). */
  ssrc?: number;
  rtxSsrc?: number | null;
  /** Sending simulcast sections: the rids, lowest quality first (ssrc is then ignored). */
  rids?: string[];
}

export interface OfferOptions {
  sessionId: string;
  version: number;
  iceUfrag: string;
  icePwd: string;
  fingerprint: string;
  cname: string;
  sections: OfferSection[];
}

export function buildOffer(o: OfferOptions): string {
  const mids = o.sections.map((s) => s.mid);
  const out = ["v=0", `o=- ${o.sessionId} ${o.version} IN IP4 127.0.0.1`, "s=-", "t=0 0", `a=group:BUNDLE ${mids.join(" ")}`];
  out.push("a=msid-semantic: WMS *");
  for (const s of o.sections) {
    const pts = s.kind === "audio" ? `${PT_OPUS}` : `${PT_VP8} ${PT_RTX}`;
    out.push(
      `m=${s.kind} 9 UDP/TLS/RTP/SAVPF ${pts}`,
      "c=IN IP4 0.0.0.0",
      "a=rtcp:9 IN IP4 0.0.0.0",
      `a=ice-ufrag:${o.iceUfrag}`,
      `a=ice-pwd:${o.icePwd}`,
      "a=ice-options:trickle",
      `a=fingerprint:sha-256 ${o.fingerprint}`,
      "a=setup:actpass",
      `a=mid:${s.mid}`,
    );
    if (s.kind === "audio") out.push(`a=extmap:${EXT_AUDIO_LEVEL} urn:ietf:params:rtp-hdrext:ssrc-audio-level`);
    out.push(`a=extmap:${EXT_MID} urn:ietf:params:rtp-hdrext:sdes:mid`);
    const simulcast = s.direction === "sendonly" && s.rids !== undefined && s.rids.length > 0;
    if (simulcast)
      out.push(
        `a=extmap:${EXT_RID} urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`,
        `a=extmap:${EXT_REPAIRED_RID} urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id`,
      );
    out.push(`a=${s.direction}`);
    if (s.direction === "sendonly") out.push(`a=msid:${o.cname} ${o.cname}-${s.mid}`);
    out.push("a=rtcp-mux", "a=rtcp-rsize");
    if (s.kind === "audio") {
      out.push(`a=rtpmap:${PT_OPUS} opus/48000/2`, `a=fmtp:${PT_OPUS} minptime=10;useinbandfec=1`);
    } else {
      out.push(
        `a=rtpmap:${PT_VP8} VP8/90000`,
        `a=rtcp-fb:${PT_VP8} goog-remb`,
        `a=rtcp-fb:${PT_VP8} ccm fir`,
        `a=rtcp-fb:${PT_VP8} nack`,
        `a=rtcp-fb:${PT_VP8} nack pli`,
        `a=rtpmap:${PT_RTX} rtx/90000`,
        `a=fmtp:${PT_RTX} apt=${PT_VP8}`,
      );
    }
    if (simulcast) {
      for (const rid of s.rids!) out.push(`a=rid:${rid} send`);
      out.push(`a=simulcast:send ${s.rids!.join(";")}`);
    } else if (s.direction === "sendonly" && s.ssrc !== undefined) {
      const ssrcs = s.rtxSsrc ? [s.ssrc, s.rtxSsrc] : [s.ssrc];
      if (s.rtxSsrc) out.push(`a=ssrc-group:FID ${s.ssrc} ${s.rtxSsrc}`);
      for (const ssrc of ssrcs) out.push(`a=ssrc:${ssrc} cname:${o.cname}`, `a=ssrc:${ssrc} msid:${o.cname} ${o.cname}-${s.mid}`);
    }
  }
  return `${out.join("\r\n")}\r\n`;
}

export interface AnswerInfo {
  iceUfrag: string;
  icePwd: string;
  /** The first UDP host candidate of the answer. */
  address: string;
  port: number;
  /** Per accepted receiving section: the SFU's SSRC and RTX SSRC toward us. */
  receiving: Map<string, { ssrc: number; rtxSsrc: number | null; kind: "audio" | "video"; rtxPayloadType: number | null }>;
  session: SdpSession;
}

const CANDIDATE = /^a=candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ host/im;

/** Reads what the lean client needs from the SFU's answer (parse.ts does not keep candidates). */
export function readAnswer(sdp: string): AnswerInfo {
  const session = parseSdp(sdp);
  const t = transportParameters(session);
  const cand = CANDIDATE.exec(sdp);
  if (!cand) throw new Error("the answer has no UDP host candidate (is media.enableUdp off?)");
  const receiving: AnswerInfo["receiving"] = new Map();
  for (const m of session.media) {
    if (m.port === 0 || m.mid === null || m.direction !== "sendonly") continue;
    const fid = m.ssrcGroups.find((g) => g.semantics === "FID" && g.ssrcs.length === 2);
    const first = m.ssrcs.keys().next();
    const ssrc = fid ? fid.ssrcs[0] : first.done ? null : first.value;
    if (ssrc === null) continue;
    const rtx = m.rtpMaps.find((r) => r.name.toLowerCase() === "rtx");
    receiving.set(m.mid, {
      ssrc,
      rtxSsrc: fid ? fid.ssrcs[1] : null,
      kind: m.kind === "audio" ? "audio" : "video",
      rtxPayloadType: rtx ? rtx.payloadType : null,
    });
  }
  return { iceUfrag: t.iceUfrag, icePwd: t.icePwd, address: cand[1], port: Number(cand[2]), receiving, session };
}
