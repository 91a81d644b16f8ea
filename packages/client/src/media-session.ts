import type { ServerMessageOf } from "@relais/protocol";
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
}

export interface MediaSessionOptions {
  joined: ServerMessageOf<"joined">;
  token: string;
  connectOptions: RoomConnectOptions;
  emit: EmitRoomEvent;
  sendOffer: (offer: RequestOf<"offer">) => Promise<ResponseTo["offer"]>;
  /** `unpublish` and `mute` on the current socket. */
  request: (message: RequestOf<"unpublish"> | RequestOf<"mute">) => Promise<unknown>;
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
  const renegotiate = () => {
    negotiator.negotiate().catch(options.onNegotiationError);
  };
  const local: LocalParticipant = new LocalParticipant(joined.participant, {
    addSendTransceiver: (track, stream) => pc.addTransceiver(track, { direction: "sendonly", streams: [stream] }),
    negotiate: () => negotiator.negotiate(),
    request: options.request,
    emit,
    canPublish: (source) => canPublishSource(grants, source),
    videoCodec: connectOptions.videoCodec,
  });
  const remote = new RemoteParticipantRegistry({
    addReceiveTransceiver: (kind) => pc.addTransceiver(kind, { direction: "recvonly" }),
    requestNegotiation: renegotiate,
    emit,
    autoSubscribe: (connectOptions.autoSubscribe ?? true) && joined.participant.permissions.canSubscribe,
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
  });
  pc.ontrack = (event) => remote.handleTrack(event);
  pc.onconnectionstatechange = () => {
    // ICE restart once the path broke; needs the server to accept new ICE credentials in an offer.
    if (pc.connectionState !== "failed" || !options.isConnected() || typeof pc.restartIce !== "function") return;
    pc.restartIce();
    renegotiate();
  };
  remote.load(joined.participants.filter((p) => p.sid !== joined.participant.sid));
  return { pc, local, remote, negotiator };
}
