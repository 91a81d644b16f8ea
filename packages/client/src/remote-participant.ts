import type { ParticipantInfo, ParticipantPermissions, TrackInfo, TrackKind, TrackSource } from "@relais/protocol";

/** A track another participant publishes; `track` is set while this client receives it. */
export class RemoteTrackPublication {
  readonly trackSid: string;
  readonly kind: TrackKind;
  readonly source: TrackSource;
  name: string;
  muted: boolean;
  /** e.g. "video/VP8"; empty until the publisher's offer was negotiated. */
  mimeType: string;
  /** The received track, once subscribed. */
  track?: MediaStreamTrack;
  /** The recvonly transceiver's mid while subscribed. */
  mid?: string;

  constructor(info: TrackInfo) {
    this.trackSid = info.sid;
    this.kind = info.kind;
    this.source = info.source;
    this.name = info.name;
    this.muted = info.muted;
    this.mimeType = info.mimeType;
  }

  get isSubscribed(): boolean {
    return this.track !== undefined;
  }

  /** @internal Applies fields the server may change after publication. */
  update(info: TrackInfo): void {
    this.name = info.name;
    this.muted = info.muted;
    this.mimeType = info.mimeType;
  }
}

/** Another participant of the room, as last described by the server. */
export class RemoteParticipant {
  readonly sid: string;
  readonly identity: string;
  name: string;
  metadata: string;
  permissions: ParticipantPermissions;
  readonly joinedAt: number;
  readonly trackPublications = new Map<string, RemoteTrackPublication>();

  constructor(info: ParticipantInfo) {
    this.sid = info.sid;
    this.identity = info.identity;
    this.name = info.name;
    this.metadata = info.metadata;
    this.permissions = info.permissions;
    this.joinedAt = info.joinedAt;
  }

  /** The first publication of `source`, e.g. the camera. */
  getTrackPublication(source: TrackSource): RemoteTrackPublication | undefined {
    for (const publication of this.trackPublications.values()) if (publication.source === source) return publication;
    return undefined;
  }

  /** @internal Applies name, metadata and permissions; tracks change through their own events. */
  update(info: ParticipantInfo): void {
    this.name = info.name;
    this.metadata = info.metadata;
    this.permissions = info.permissions;
  }
}
