import type { TrackKind, TrackSource } from "@relais/protocol";

/** A track this client sends. `trackSid` is set once the server answered the offer that carried it. */
export class LocalTrackPublication {
  trackSid?: string;
  readonly kind: TrackKind;
  readonly source: TrackSource;
  readonly name: string;
  muted: boolean;
  readonly track: MediaStreamTrack;
  /** The sendonly transceiver carrying the track. */
  readonly transceiver: RTCRtpTransceiver;
  /** True when the SDK acquired the track (publishCamera…), so it stops it on unpublish. */
  readonly ownsTrack: boolean;

  constructor(init: {
    track: MediaStreamTrack;
    source: TrackSource;
    name: string;
    muted: boolean;
    transceiver: RTCRtpTransceiver;
    ownsTrack: boolean;
  }) {
    this.track = init.track;
    this.kind = init.track.kind === "audio" ? "audio" : "video";
    this.source = init.source;
    this.name = init.name;
    this.muted = init.muted;
    this.transceiver = init.transceiver;
    this.ownsTrack = init.ownsTrack;
  }

  /** The transceiver's mid, once an offer assigned it. */
  get mid(): string | undefined {
    return this.transceiver.mid ?? undefined;
  }

  get isPublished(): boolean {
    return this.trackSid !== undefined;
  }
}
