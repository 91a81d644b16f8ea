import type { ConnectionQuality, ParticipantInfo, ParticipantPermissions, TrackInfo, TrackKind, TrackSource } from "@relais/protocol";
import { AdaptiveStream, type AdaptiveStreamOptions } from "./adaptive-stream.js";
import type { TrackSettings } from "./rendered-size.js";

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
  readonly #adaptive: AdaptiveStream | undefined;

  /** `adaptiveStream` is set for video tracks by the room (how to send `trackSettings`). */
  constructor(info: TrackInfo, adaptiveStream?: AdaptiveStreamOptions) {
    this.trackSid = info.sid;
    this.kind = info.kind;
    this.source = info.source;
    this.name = info.name;
    this.muted = info.muted;
    this.mimeType = info.mimeType;
    this.#adaptive = info.kind === "video" && adaptiveStream ? new AdaptiveStream(adaptiveStream) : undefined;
  }

  get isSubscribed(): boolean {
    return this.track !== undefined;
  }

  /**
   * Adaptive stream: `element` shows this video track. While it (or another observed
   * element) is visible, the server forwards the smallest simulcast stream covering the
   * largest of them; when none is visible (hidden, scrolled away, removed, page in the
   * background) it forwards nothing. Call the returned function when the element stops
   * showing the track. Does nothing with `adaptiveStream: false` or for audio.
   */
  observe(element: HTMLVideoElement): () => void {
    return this.#adaptive?.observe(element) ?? (() => {});
  }

  /** Asks for the stream covering `width`×`height` device pixels, whatever the observed elements say. */
  setVideoDimensions(width: number, height: number): void {
    this.#adaptive?.setVideoDimensions(width, height);
  }

  /** `false`: the server forwards nothing of this video until `setEnabled(true)`, whatever the observed elements say. */
  setEnabled(enabled: boolean): void {
    this.#adaptive?.setEnabled(enabled);
  }

  /** What this client asks the server for this video track; undefined when nothing was set (the top stream). */
  get trackSettings(): TrackSettings | undefined {
    return this.#adaptive?.current();
  }

  /** @internal The subscription started (track received) or ended. */
  subscriptionChanged(): void {
    this.#adaptive?.setSubscribed(this.track !== undefined);
  }

  /** @internal After a resume: send the settings again on the new socket. */
  resendTrackSettings(): void {
    this.#adaptive?.resend();
  }

  /** @internal The track was unpublished: stop observing. */
  close(): void {
    this.#adaptive?.close();
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
  /** Among the room's active speakers (the server's `speakersChanged`). */
  isSpeaking = false;
  /** Smoothed audio level while speaking, linear 0..1 (0 when not speaking). */
  audioLevel = 0;
  /** As the server scores it from loss, jitter and round-trip time; `unknown` until the first report. */
  connectionQuality: ConnectionQuality = "unknown";

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
