import type { ServerMessageOf } from "@relais/protocol";
import { DataChannels } from "./data-channels.js";
import { decodeJwtPayload } from "./jwt.js";
import { LocalParticipant } from "./local-participant.js";
import { Negotiator } from "./negotiator.js";
import { canPublishSource, resolveGrants } from "./protocol-constants.js";
import { RemoteParticipantRegistry } from "./remote-participant-registry.js";
import type { EmitRoomEvent } from "./room-events.js";
import type { RoomConnectOptions } from "./room-options.js";
import type { RequestOf, ResponseTo } from "./signal-client.js";

/** The media side of a joined room: one peer connection, who sends what, who receives what. */
export interface MediaSession {
  pc: RTCPeerConnection;
  local: LocalParticipant;
  remote: RemoteParticipantRegistry;
  negotiator: Negotiator;
  data: DataChannels;
}

export interface MediaSessionOptions {
  joined: ServerMessageOf<"joined">;
  token: string;
  connectOptions: RoomConnectOptions;
  emit: EmitRoomEvent;
  sendOffer: (offer: RequestOf<"offer">) => Promise<ResponseTo["offer"]>;
  /** `unpublish`, `mute` and `trackSettings` on the current socket. */
  request: (message: RequestOf<"unpublish"> | RequestOf<"mute"> | RequestOf<"trackSettings">) => Promise<unknown>;
  signalReady: () => Promise<void>;
  isConnected: () => boolean;
  onNegotiationError: (error: unknown) => void;
}

/**
 * Builds the peer connection (ICE servers from `joined`, never a default STUN
 * server) and wires the local participant, the remote registry and the
 * negotiator to it and to each other.
 */
export function createMediaSession(options: MediaSessionOptions): MediaSession {
  const { joined, connectOptions, emit } = options;
  const pc = new RTCPeerConnection({
    iceServers: joined.iceServers,
    bundlePolicy: "max-bundle",
    rtcpMuxPolicy: "require",
    ...connectOptions.rtcConfig,
  });
  const grants = resolveGrants(decodeJwtPayload(options.token)?.grants);
  // Created before the first offer so that it carries the m=application section (RFC 8841).
  const data = new DataChannels({
    pc,
    emit,
    participantByIdentity: (identity) => {
      for (const p of remote.participants.values()) if (p.identity === identity) return p;
      return undefined;
    },
  });
  const renegotiate = () => {
    negotiator.negotiate().catch(options.onNegotiationError);
  };
  const local: LocalParticipant = new LocalParticipant(joined.participant, {
    addSendTransceiver: (track, stream, sendEncodings) =>
      pc.addTransceiver(track, { direction: "sendonly", streams: [stream], ...(sendEncodings ? { sendEncodings } : {}) }),
    negotiate: () => negotiator.negotiate(),
    request: options.request,
    emit,
    canPublish: (source) => canPublishSource(grants, source),
    videoCodec: connectOptions.videoCodec,
    simulcast: connectOptions.simulcast ?? true,
    dynacast: connectOptions.dynacast ?? true,
    publishData: (payload, publishOptions) => data.publish(payload, publishOptions),
  });
  const remote = new RemoteParticipantRegistry({
    addReceiveTransceiver: (kind) => pc.addTransceiver(kind, { direction: "recvonly" }),
    requestNegotiation: renegotiate,
    emit,
    autoSubscribe: (connectOptions.autoSubscribe ?? true) && joined.participant.permissions.canSubscribe,
    adaptiveStream: connectOptions.adaptiveStream ?? true,
    requestTrackSettings: options.request,
  });
  const negotiator: Negotiator = new Negotiator({
    pc,
    signalReady: options.signalReady,
    sendOffer: (offer) => options.sendOffer({ type: "offer", ...offer }),
    collect: () => ({ publications: local.collectPublications(), subscriptions: remote.collectSubscriptions() }),
    applyAnswer: (answer) => {
      local.applyPublicationResults(answer.publications);
      remote.applySubscriptionResults(answer.subscriptions);
    },
    hasDataChannels: true,
  });
  pc.ontrack = (event) => remote.handleTrack(event);
  pc.onconnectionstatechange = () => {
    // ICE restart once the path broke; needs the server to accept new ICE credentials in an offer.
    if (pc.connectionState !== "failed" || !options.isConnected() || typeof pc.restartIce !== "function") return;
    pc.restartIce();
    renegotiate();
  };
  remote.load(joined.participants.filter((p) => p.sid !== joined.participant.sid));
  // The data channels need a negotiation even if nothing is ever published or subscribed.
  renegotiate();
  return { pc, local, remote, negotiator, data };
}
