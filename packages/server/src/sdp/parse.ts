import type { Direction, SdpMedia, SdpSession } from "./types.js";

/** Thrown for a description that cannot be read; callers map it to SDP_INVALID. */
/** Simulcast streams accepted per m-section (browsers send at most 3; RFC 8853 allows more). */
const MAX_RIDS = 4;

export class SdpParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SdpParseError";
  }
}

const DIRECTIONS = new Set(["sendrecv", "sendonly", "recvonly", "inactive"]);
const MAX_SDP_LENGTH = 256 * 1024;
const MAX_MEDIA_SECTIONS = 600;

function newMedia(kind: string, port: number, protocol: string, formats: string[]): SdpMedia {
  return {
    kind,
    port,
    protocol,
    formats,
    mid: null,
    direction: "sendrecv",
    iceUfrag: null,
    icePwd: null,
    fingerprints: [],
    setup: null,
    rtpMaps: [],
    fmtps: new Map(),
    rtcpFbs: new Map(),
    extMaps: [],
    ssrcs: new Map(),
    ssrcGroups: [],
    rids: [],
    simulcastSend: null,
    msid: null,
    rtcpMux: false,
    rtcpRsize: false,
  };
}

function toInt(s: string | undefined, what: string): number {
  const n = Number(s);
  if (s === undefined || s === "" || !Number.isInteger(n) || n < 0) throw new SdpParseError(`invalid ${what}: ${s}`);
  return n;
}

/** Parses an SDP offer. Unknown lines are ignored, malformed known lines throw SdpParseError. */
export function parseSdp(text: string): SdpSession {
  if (text.length > MAX_SDP_LENGTH) throw new SdpParseError("description too large");
  const session: SdpSession = { groups: [], iceUfrag: null, icePwd: null, fingerprints: [], setup: null, media: [] };
  let media: SdpMedia | null = null;
  let sawVersion = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.length < 2 || line[1] !== "=") {
      if (line.length === 0) continue;
      throw new SdpParseError(`malformed line: ${line.slice(0, 40)}`);
    }
    const type = line[0];
    const value = line.slice(2);
    if (type === "v") {
      sawVersion = true;
      continue;
    }
    if (type === "m") {
      const parts = value.split(" ");
      if (parts.length < 3) throw new SdpParseError("malformed m= line");
      media = newMedia(parts[0]!, toInt(parts[1]!.split("/")[0], "port"), parts[2]!, parts.slice(3));
      session.media.push(media);
      if (session.media.length > MAX_MEDIA_SECTIONS) throw new SdpParseError("too many media sections");
      continue;
    }
    if (type !== "a") continue;
    const colon = value.indexOf(":");
    const name = colon === -1 ? value : value.slice(0, colon);
    const arg = colon === -1 ? "" : value.slice(colon + 1);
    if (DIRECTIONS.has(name)) {
      if (media) media.direction = name as Direction;
      continue;
    }
    switch (name) {
      case "group": {
        const [semantics, ...mids] = arg.split(" ");
        if (semantics) session.groups.push({ semantics, mids });
        break;
      }
      case "ice-ufrag":
        if (media) media.iceUfrag = arg;
        else session.iceUfrag = arg;
        break;
      case "ice-pwd":
        if (media) media.icePwd = arg;
        else session.icePwd = arg;
        break;
      case "fingerprint": {
        const sp = arg.indexOf(" ");
        if (sp <= 0) throw new SdpParseError("malformed fingerprint");
        const fp = {
          algorithm: arg.slice(0, sp).toLowerCase(),
          value: arg
            .slice(sp + 1)
            .trim()
            .toUpperCase(),
        };
        (media ? media.fingerprints : session.fingerprints).push(fp);
        break;
      }
      case "setup":
        if (media) media.setup = arg;
        else session.setup = arg;
        break;
      case "mid":
        if (media) media.mid = arg;
        break;
      case "msid":
        if (media) media.msid = arg;
        break;
      case "rtcp-mux":
        if (media) media.rtcpMux = true;
        break;
      case "rtcp-rsize":
        if (media) media.rtcpRsize = true;
        break;
      case "rtpmap": {
        if (!media) break;
        const m = /^(\d+) ([^/\s]+)\/(\d+)(?:\/(\d+))?$/.exec(arg);
        if (!m) throw new SdpParseError(`malformed rtpmap: ${arg.slice(0, 40)}`);
        media.rtpMaps.push({ payloadType: Number(m[1]), name: m[2]!, clockRate: Number(m[3]), channels: m[4] ? Number(m[4]) : 1 });
        break;
      }
      case "fmtp": {
        if (!media) break;
        const sp = arg.indexOf(" ");
        if (sp <= 0) break;
        media.fmtps.set(toInt(arg.slice(0, sp), "fmtp payload type"), arg.slice(sp + 1));
        break;
      }
      case "rtcp-fb": {
        if (!media) break;
        const sp = arg.indexOf(" ");
        if (sp <= 0) break;
        const key = arg.slice(0, sp) === "*" ? -1 : toInt(arg.slice(0, sp), "rtcp-fb payload type");
        const list = media.rtcpFbs.get(key) ?? [];
        list.push(arg.slice(sp + 1));
        media.rtcpFbs.set(key, list);
        break;
      }
      case "extmap": {
        if (!media) break;
        const m = /^(\d+)(?:\/\w+)? (\S+)/.exec(arg);
        if (!m) throw new SdpParseError("malformed extmap");
        const id = Number(m[1]);
        if (id < 1 || id > 255) throw new SdpParseError("extmap id out of range");
        media.extMaps.push({ id, uri: m[2]! });
        break;
      }
      case "ssrc": {
        if (!media) break;
        const m = /^(\d+) ([^:\s]+)(?::(.*))?$/.exec(arg);
        if (!m) throw new SdpParseError("malformed ssrc");
        const ssrc = Number(m[1]);
        if (ssrc > 0xffffffff) throw new SdpParseError("ssrc out of range");
        const entry = media.ssrcs.get(ssrc) ?? {};
        if (m[2] === "cname") entry.cname = m[3];
        else if (m[2] === "msid") entry.msid = m[3];
        media.ssrcs.set(ssrc, entry);
        break;
      }
      case "ssrc-group": {
        if (!media) break;
        const [semantics, ...ids] = arg.split(" ");
        if (semantics) media.ssrcGroups.push({ semantics, ssrcs: ids.map((s) => toInt(s, "ssrc-group ssrc")) });
        break;
      }
      case "rid": {
        if (!media) break;
        const m = /^([A-Za-z0-9_-]{1,16}) (send|recv)(?: .*)?$/.exec(arg);
        if (!m) throw new SdpParseError(`malformed rid: ${arg.slice(0, 40)}`);
        if (media.rids.length >= MAX_RIDS) throw new SdpParseError("too many rids");
        media.rids.push({ id: m[1]!, direction: m[2] as "send" | "recv" });
        break;
      }
      case "simulcast": {
        if (!media) break;
        // RFC 8853 §5.1: "send" and/or "recv", each a ;-list of ,-alternatives; "~" marks a paused stream.
        const parts = arg.trim().split(/\s+/);
        for (let i = 0; i + 1 < parts.length; i += 2) {
          if (parts[i] !== "send") continue;
          media.simulcastSend = parts[i + 1]!.split(";")
            .map((alt) => alt.split(",")[0]!.replace(/^~/, ""))
            .filter((id) => id.length > 0)
            .slice(0, MAX_RIDS);
        }
        break;
      }
      default:
        break;
    }
  }
  if (!sawVersion) throw new SdpParseError("missing v= line");
  return session;
}

/** The ICE credentials and DTLS fingerprint of the offer, from the first media section or the session. */
export function transportParameters(s: SdpSession): {
  iceUfrag: string;
  icePwd: string;
  fingerprints: SdpMedia["fingerprints"];
  setup: string;
} {
  const first = s.media.find((m) => m.port !== 0) ?? s.media[0];
  const iceUfrag = first?.iceUfrag ?? s.iceUfrag;
  const icePwd = first?.icePwd ?? s.icePwd;
  const fingerprints = first && first.fingerprints.length > 0 ? first.fingerprints : s.fingerprints;
  const setup = first?.setup ?? s.setup ?? "actpass";
  if (!iceUfrag || !icePwd) throw new SdpParseError("missing ice-ufrag/ice-pwd");
  if (fingerprints.length === 0) throw new SdpParseError("missing DTLS fingerprint");
  return { iceUfrag, icePwd, fingerprints, setup };
}
