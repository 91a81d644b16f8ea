/** A parsed session description (RFC 8866) with what WebRTC (RFC 8829) needs. */
export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export interface Fingerprint {
  algorithm: string;
  value: string;
}

export interface RtpMap {
  payloadType: number;
  name: string;
  clockRate: number;
  channels: number;
}

export interface ExtMap {
  id: number;
  uri: string;
}

export interface SsrcGroup {
  semantics: string;
  ssrcs: number[];
}

export interface SdpMedia {
  kind: string;
  port: number;
  protocol: string;
  formats: string[];
  mid: string | null;
  direction: Direction;
  iceUfrag: string | null;
  icePwd: string | null;
  fingerprints: Fingerprint[];
  setup: string | null;
  rtpMaps: RtpMap[];
  fmtps: Map<number, string>;
  rtcpFbs: Map<number, string[]>;
  extMaps: ExtMap[];
  /** ssrc → attributes (cname, msid). Insertion order is the order of first appearance. */
  ssrcs: Map<number, { cname?: string; msid?: string }>;
  ssrcGroups: SsrcGroup[];
  /** RFC 8851 `a=rid` lines: id and direction. */
  rids: { id: string; direction: "send" | "recv" }[];
  /** RFC 8853 `a=simulcast:send` streams in order (first alternative of each; `~` paused prefix removed), or null. */
  simulcastSend: string[] | null;
  msid: string | null;
  rtcpMux: boolean;
  rtcpRsize: boolean;
}

export interface SdpSession {
  groups: { semantics: string; mids: string[] }[];
  iceUfrag: string | null;
  icePwd: string | null;
  fingerprints: Fingerprint[];
  setup: string | null;
  media: SdpMedia[];
}
