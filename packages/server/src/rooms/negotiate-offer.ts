import { type ClientMessageOf, canPublishSource, type ServerMessage } from "@relais/protocol";
import { DATA_MAX_MESSAGE_SIZE } from "../media-channel/messages.js";
import type { MediaTransport } from "../media-control/media-transport.js";
import {
  buildAnswer,
  type CodecPolicy,
  type ExtensionIds,
  isDataChannelSection,
  parseSdp,
  publisherSsrcs,
  SdpParseError,
  type SdpSession,
  type SectionAnswer,
  selectExtensions,
  selectPublishCodec,
  selectSubscribeCodec,
  transportParameters,
  withSimulcastExtensions,
} from "../sdp/index.js";
import { newSid, newSsrc } from "../shared/ids.js";
import { RelaisError } from "../shared/relais-error.js";
import type { Participant } from "./participant.js";
import type { Subscription, TrackPublication } from "./types.js";

/** What the room provides to a negotiation: lookups and announcements, no back-pointer to the whole room. */
export interface NegotiationContext {
  policy: CodecPolicy;
  findPublication(trackSid: string): { publication: TrackPublication; owner: Participant } | undefined;
  published(p: Participant, pub: TrackPublication): void;
  unpublished(p: Participant, pub: TrackPublication): void;
}

export interface NegotiationResult {
  sdp: string;
  publications: { mid: string; trackSid: string }[];
  subscriptions: { mid: string; trackSid: string; ok: boolean; error?: string }[];
}

type Offer = ClientMessageOf<"offer">;

function extensionIds(ids: ExtensionIds): ExtensionIds {
  return {
    mid: ids.mid,
    audioLevel: ids.audioLevel,
    absSendTime: ids.absSendTime,
    transportCc: ids.transportCc,
    rid: ids.rid ?? 0,
    repairedRid: ids.repairedRid ?? 0,
  };
}

type SimulcastLayers = NonNullable<Offer["publications"][number]["layers"]>;

/**
 * The simulcast streams of a publishing m-section, lowest quality first: the SDK's
 * `layers` (with their sizes) when they match the offer's `a=simulcast:send`, else
 * the offer's order with sizes unknown. Null = not simulcast.
 */
function simulcastLayers(m: SdpSession["media"][number], request: Offer["publications"][number]): SimulcastLayers | null {
  const rids = m.simulcastSend;
  if (m.kind !== "video" || rids === null || rids.length < 2) return null;
  const sendRids = new Set(m.rids.filter((r) => r.direction === "send").map((r) => r.id));
  if (!rids.every((r) => sendRids.has(r)))
    throw new RelaisError("SDP_INVALID", `m-section ${m.mid}: a=simulcast names a rid without a=rid.`);
  const requested = request.layers;
  if (requested && requested.length === rids.length && requested.every((l) => rids.includes(l.rid))) return requested;
  if (requested)
    throw new RelaisError("SDP_INVALID", `m-section ${m.mid}: publication layers do not match a=simulcast:send ${rids.join(";")}.`);
  return rids.map((rid) => ({ rid, width: 0, height: 0 }));
}

/**
 * Applies a client offer: new sending m-sections become publications (producers),
 * recvonly m-sections listed in `subscriptions` become consumers, stopped ones are
 * released; then builds the answer. Sections already negotiated keep their
 * parameters, so re-offers are idempotent.
 */
export async function negotiateOffer(
  ctx: NegotiationContext,
  p: Participant,
  transport: MediaTransport,
  offer: Offer,
): Promise<NegotiationResult> {
  let sdp: SdpSession;
  let remote: ReturnType<typeof transportParameters>;
  try {
    sdp = parseSdp(offer.sdp);
    remote = transportParameters(sdp);
  } catch (err) {
    throw new RelaisError("SDP_INVALID", err instanceof SdpParseError ? `Invalid SDP: ${err.message}` : undefined);
  }
  if (remote.setup === "passive")
    throw new RelaisError("SDP_INVALID", "The SFU is always the DTLS server: offer setup:actpass or setup:active.");
  const wantedPubs = new Map(offer.publications.map((x) => [x.mid, x]));
  // Refuse before changing anything: a rejected offer leaves no half-made publication behind.
  validateNewPublications(ctx, p, sdp, wantedPubs);
  if (p.remoteIceUfrag === null) {
    await transport.setRemoteParameters(remote.iceUfrag, remote.fingerprints);
    p.remoteIceUfrag = remote.iceUfrag;
  } else if (p.remoteIceUfrag !== remote.iceUfrag) {
    // ICE restart (RFC 8445 §9): new credentials on both sides, DTLS and SRTP stay.
    await transport.restartIce(remote.iceUfrag);
    p.remoteIceUfrag = remote.iceUfrag;
  }
  const wantedSubs = new Map(offer.subscriptions.map((x) => [x.mid, x.trackSid]));
  const sections: SectionAnswer[] = [];
  const pubResults: NegotiationResult["publications"] = [];
  const subResults: NegotiationResult["subscriptions"] = [];
  const seenMids = new Set<string>();

  for (const m of sdp.media) {
    const mid = m.mid;
    if (mid === null || seenMids.has(mid)) {
      sections.push({ role: "reject", mid: mid ?? "" });
      continue;
    }
    seenMids.add(mid);
    // Data channels (RFC 8841): SCTP over the bundled DTLS, terminated and relayed by the worker.
    if (m.port !== 0 && isDataChannelSection(m)) {
      sections.push({ role: "data", mid, maxMessageSize: DATA_MAX_MESSAGE_SIZE });
      continue;
    }
    const stopped = m.port === 0 || m.direction === "inactive" || (m.kind !== "audio" && m.kind !== "video");
    const clientSends = m.direction === "sendonly" || m.direction === "sendrecv";
    const existingPub = p.publicationByMid(mid);
    const existingSub = p.subscriptions.get(mid);

    if (stopped || (!clientSends && existingPub)) {
      if (existingPub) await unpublish(ctx, p, transport, existingPub);
    }
    if (stopped || (existingSub && wantedSubs.get(mid) !== existingSub.trackSid)) {
      if (existingSub) await releaseSubscription(p, transport, existingSub);
    }
    if (stopped) {
      sections.push({ role: "reject", mid });
      continue;
    }

    if (clientSends) {
      const pub = p.publicationByMid(mid);
      if (pub) {
        const ext = selectExtensions(m.extMaps, m.kind, "publish", ctx.policy);
        sections.push(
          pub.layers
            ? {
                role: "publish",
                mid,
                codec: pub.codec,
                extensions: withSimulcastExtensions(ext, m.extMaps),
                rids: pub.layers.map((l) => l.rid),
              }
            : { role: "publish", mid, codec: pub.codec, extensions: ext },
        );
        pubResults.push({ mid, trackSid: pub.sid });
        continue;
      }
      const request = wantedPubs.get(mid);
      if (!request || request.kind !== m.kind) {
        sections.push({ role: "reject", mid });
        continue;
      }
      if (!canPublishSource(p.grants, request.source))
        throw new RelaisError("PERMISSION_DENIED", `The token does not grant publishing ${request.source}.`);
      const codec = selectPublishCodec(m, ctx.policy);
      if (!codec) throw new RelaisError("CODEC_UNSUPPORTED", `No supported ${m.kind} codec offered on m-section ${mid}.`);
      const layers = simulcastLayers(m, request);
      // Simulcast streams signal no SSRC: the worker learns them from the rid header extension (RFC 8852).
      const ssrcs = layers ? { ssrc: 0, rtxSsrc: null } : publisherSsrcs(m);
      if (!ssrcs) throw new RelaisError("SDP_INVALID", `m-section ${mid} sends media but signals no a=ssrc.`);
      let extensions = selectExtensions(m.extMaps, m.kind, "publish", ctx.policy);
      if (layers) {
        extensions = withSimulcastExtensions(extensions, m.extMaps);
        if (!extensions.rid)
          throw new RelaisError("SDP_INVALID", `m-section ${mid} uses simulcast without the rtp-stream-id header extension.`);
      }
      const sid = newSid("TR_" + (m.kind === "audio" ? "AU" : "VI"));
      const rtx = codec.rtxPayloadType !== null ? ssrcs.rtxSsrc : null;
      await transport.produce({
        producerId: sid,
        kind: m.kind,
        mid,
        ssrc: ssrcs.ssrc,
        rtxSsrc: rtx,
        layers: layers ? layers.map((l) => ({ rid: l.rid, width: l.width, height: l.height })) : null,
        // Dynacast: the publisher stops encoding the streams nobody watches (RTCRtpSender encodings[i].active).
        ...(layers ? { onLayersWanted: (active: boolean[]) => p.send(layersWantedUpdate(sid, layers, active)) } : {}),
        codec: {
          mimeType: codec.mimeType,
          payloadType: codec.payloadType,
          clockRate: codec.clockRate,
          rtxPayloadType: codec.rtxPayloadType,
        },
        extensions: extensionIds(extensions),
      });
      const publication: TrackPublication = {
        sid,
        participantSid: p.sid,
        kind: m.kind,
        source: request.source,
        name: request.name ?? request.source,
        muted: request.muted ?? false,
        mid,
        codec,
        producerId: sid,
        ...(layers ? { layers } : {}),
      };
      p.publications.set(sid, publication);
      sections.push({ role: "publish", mid, codec, extensions, ...(layers ? { rids: layers.map((l) => l.rid) } : {}) });
      pubResults.push({ mid, trackSid: sid });
      ctx.published(p, publication);
      continue;
    }

    // The client receives on this m-section.
    const trackSid = wantedSubs.get(mid);
    if (trackSid === undefined) {
      sections.push({ role: "reject", mid });
      continue;
    }
    const sub = p.subscriptions.get(mid) ?? (await subscribe(ctx, p, transport, m, mid, trackSid, subResults));
    if (!sub) {
      sections.push({ role: "reject", mid });
      continue;
    }
    if (!subResults.some((r) => r.mid === mid)) subResults.push({ mid, trackSid, ok: true });
    sections.push({
      role: "subscribe",
      mid,
      codec: sub.codec,
      extensions: selectExtensions(m.extMaps, m.kind, "subscribe", ctx.policy),
      ssrc: sub.ssrc,
      rtxSsrc: sub.rtxSsrc,
      cname: sub.streamId,
      streamId: sub.streamId,
      trackId: sub.trackSid,
    });
  }

  // Publications whose m-section vanished from the offer are gone too.
  for (const pub of [...p.publications.values()]) if (!seenMids.has(pub.mid)) await unpublish(ctx, p, transport, pub);
  for (const sub of [...p.subscriptions.values()]) if (!seenMids.has(sub.mid)) await releaseSubscription(p, transport, sub);

  const answer = buildAnswer(sdp, {
    sessionId: p.sid.replace(/\D/g, "").slice(0, 12) || "1",
    sessionVersion: p.sdpVersion++,
    local: { iceUfrag: transport.iceUfrag, icePwd: transport.icePwd, fingerprint: transport.fingerprint, candidates: transport.candidates },
    sections,
  });
  return { sdp: answer, publications: pubResults, subscriptions: subResults };
}

function validateNewPublications(
  ctx: NegotiationContext,
  p: Participant,
  sdp: SdpSession,
  wanted: Map<string, Offer["publications"][number]>,
): void {
  for (const m of sdp.media) {
    if (m.mid === null || m.port === 0 || (m.direction !== "sendonly" && m.direction !== "sendrecv")) continue;
    const request = wanted.get(m.mid);
    if (!request || request.kind !== m.kind || p.publicationByMid(m.mid)) continue;
    if (!canPublishSource(p.grants, request.source))
      throw new RelaisError("PERMISSION_DENIED", `The token does not grant publishing ${request.source}.`);
    if (!selectPublishCodec(m, ctx.policy))
      throw new RelaisError("CODEC_UNSUPPORTED", `No supported ${m.kind} codec offered on m-section ${m.mid}.`);
    if (!simulcastLayers(m, request) && !publisherSsrcs(m))
      throw new RelaisError("SDP_INVALID", `m-section ${m.mid} sends media but signals no a=ssrc.`);
  }
}

async function subscribe(
  ctx: NegotiationContext,
  p: Participant,
  transport: MediaTransport,
  m: SdpSession["media"][number],
  mid: string,
  trackSid: string,
  results: NegotiationResult["subscriptions"],
): Promise<Subscription | null> {
  const fail = (error: string) => {
    results.push({ mid, trackSid, ok: false, error });
    return null;
  };
  if (!p.grants.subscribe) return fail("PERMISSION_DENIED");
  const found = ctx.findPublication(trackSid);
  if (!found || found.owner === p) return fail("TRACK_NOT_FOUND");
  const { publication } = found;
  if (publication.kind !== m.kind) return fail("TRACK_NOT_FOUND");
  const codec = selectSubscribeCodec(m, publication.codec, ctx.policy);
  if (!codec) return fail("CODEC_UNSUPPORTED");
  const taken = new Set<number>();
  for (const s of p.subscriptions.values()) {
    taken.add(s.ssrc);
    if (s.rtxSsrc !== null) taken.add(s.rtxSsrc);
  }
  const ssrc = newSsrc(taken);
  taken.add(ssrc);
  const rtxSsrc = codec.rtxPayloadType !== null && publication.codec.rtxPayloadType !== null ? newSsrc(taken) : null;
  if (rtxSsrc === null) codec.rtxPayloadType = null;
  const consumerId = newSid("CO");
  try {
    await transport.consume({
      consumerId,
      producerId: publication.producerId,
      mid,
      cname: found.owner.sid,
      priority: publication.source === "screen_share" ? "screen" : "normal",
      ssrc,
      rtxSsrc,
      codec: { mimeType: codec.mimeType, payloadType: codec.payloadType, clockRate: codec.clockRate, rtxPayloadType: codec.rtxPayloadType },
      extensions: selectExtensions(m.extMaps, m.kind, "subscribe", ctx.policy),
    });
  } catch {
    return fail("TRACK_NOT_FOUND");
  }
  const sub: Subscription = { mid, trackSid, consumerId, ssrc, rtxSsrc, codec, streamId: found.owner.sid };
  p.subscriptions.set(mid, sub);
  return sub;
}

export async function releaseSubscription(p: Participant, transport: MediaTransport, sub: Subscription): Promise<void> {
  p.subscriptions.delete(sub.mid);
  await transport.closeConsumer(sub.consumerId);
}

export async function unpublish(
  ctx: NegotiationContext,
  p: Participant,
  transport: MediaTransport | null,
  pub: TrackPublication,
): Promise<void> {
  if (!p.publications.delete(pub.sid)) return;
  await transport?.closeProducer(pub.producerId);
  ctx.unpublished(p, pub);
}

/** Dynacast: which of a publication's simulcast layers (lowest first) anyone watches, for its publisher. */
export function layersWantedUpdate(trackSid: string, layers: readonly { rid: string }[], active: readonly boolean[]): ServerMessage {
  return { type: "subscribedQualityUpdate", trackSid, layers: layers.map((l, i) => ({ rid: l.rid, active: active[i] === true })) };
}
