import type { DisconnectReason, ParticipantInfo, ServerMessage, TrackInfo, TrackSource } from "@relais/protocol";
import type { NegotiatedCodec } from "../sdp/codecs.js";

/** Where a participant's server messages go (a signaling session); the domain never sees sockets. */
export interface SignalSink {
  send(msg: ServerMessage): void;
  /** Ends the session (after a final `leave` message when the server removed the participant). */
  close(reason: DisconnectReason | "replaced"): void;
}

/** A published track (LiveKit's TrackPublication; mediasoup's Producer in the worker). */
export interface TrackPublication {
  sid: string;
  participantSid: string;
  kind: "audio" | "video";
  source: TrackSource;
  name: string;
  muted: boolean;
  /** Muted by a moderator (REST API): the publisher may not unmute it unless it is an admin. */
  mutedByModerator?: boolean;
  mid: string;
  codec: NegotiatedCodec;
  /** Producer id in the worker (= sid). */
  producerId: string;
  /** Simulcast streams, lowest quality first (width/height 0 when the client did not say). */
  layers?: { rid: string; width: number; height: number; maxBitrate?: number }[];
}

/** One forwarded track toward one participant (a Consumer in the worker). */
export interface Subscription {
  mid: string;
  trackSid: string;
  consumerId: string;
  ssrc: number;
  rtxSsrc: number | null;
  codec: NegotiatedCodec;
  streamId: string;
}

export function trackInfo(p: TrackPublication): TrackInfo {
  return { sid: p.sid, kind: p.kind, source: p.source, name: p.name, muted: p.muted, mimeType: p.codec.mimeType };
}

export type ParticipantSnapshot = ParticipantInfo;
