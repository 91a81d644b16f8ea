import type { ConnectionQuality, DisconnectReason, ParticipantInfo, ResolvedGrants, ServerMessage } from "@relais/protocol";
import type { MediaTransport } from "../media-control/media-transport.js";
import { newSid } from "../shared/ids.js";
import { type SignalSink, type Subscription, type TrackPublication, trackInfo } from "./types.js";

export type ParticipantState = "joining" | "active" | "disconnected" | "left";

/**
 * A member of a room: identity, grants, one media transport, what it publishes
 * and what it receives. Signaling may come and go (resume); the transport stays.
 */
export class Participant {
  readonly sid = newSid("PA");
  readonly resumeKey = newSid("RK", 24);
  readonly joinedAt = Date.now();
  state: ParticipantState = "joining";
  readonly publications = new Map<string, TrackPublication>();
  /** Subscriptions by the subscriber's m-section mid. */
  readonly subscriptions = new Map<string, Subscription>();
  sink: SignalSink | null = null;
  transport: MediaTransport | null = null;
  /** Serializes offers: each waits for the previous answer. */
  negotiation: Promise<unknown> = Promise.resolve();
  sdpVersion = 1;
  resumeTimer: NodeJS.Timeout | null = null;
  /** The client's ICE ufrag once its first offer was applied; a new one means an ICE restart. */
  remoteIceUfrag: string | null = null;
  leaveReason: DisconnectReason | null = null;
  /** Scored by the media worker from loss, jitter and RTT both ways (room-activity.ts). */
  connectionQuality: ConnectionQuality = "unknown";
  /** Mean opinion score behind `connectionQuality` (0 when lost or unknown). */
  connectionScore = 0;

  constructor(
    readonly identity: string,
    public name: string,
    public metadata: string,
    /** Mutable: permissions can change live (REST API). */
    readonly grants: ResolvedGrants,
  ) {}

  send(msg: ServerMessage): void {
    this.sink?.send(msg);
  }

  publicationByMid(mid: string): TrackPublication | undefined {
    for (const p of this.publications.values()) if (p.mid === mid) return p;
    return undefined;
  }

  info(): ParticipantInfo {
    return {
      sid: this.sid,
      identity: this.identity,
      name: this.name,
      metadata: this.metadata,
      joinedAt: this.joinedAt,
      permissions: {
        canPublish: this.grants.publish,
        canSubscribe: this.grants.subscribe,
        canPublishData: this.grants.publishData,
        admin: this.grants.admin,
      },
      tracks: [...this.publications.values()].map(trackInfo),
    };
  }
}
