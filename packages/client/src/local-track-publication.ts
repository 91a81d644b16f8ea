import type { SimulcastLayer, TrackKind, TrackSource } from "@relais/protocol";
import { type LayerActivity, SenderLayerActivity } from "./dynacast.js";

/** A track this client sends. `trackSid` is set once the server answered the offer that carried it. */
export class LocalTrackPublication {
  trackSid?: string;
  readonly kind: TrackKind;
  readonly source: TrackSource;
  readonly name: string;
  muted: boolean;
  /** Muted by a moderator: unmuting needs the admin permission (or the moderator's unmute). */
  mutedByModerator = false;
  readonly track: MediaStreamTrack;
  /** The sendonly transceiver carrying the track. */
  readonly transceiver: RTCRtpTransceiver;
  /** True when the SDK acquired the track (publishCamera…), so it stops it on unpublish. */
  readonly ownsTrack: boolean;
  /** Simulcast streams, lowest quality first; undefined when the track is sent as one stream. */
  readonly layers: readonly SimulcastLayer[] | undefined;
  /** Dynacast: the rids of the simulcast streams being encoded (all of them until the server says otherwise). */
  activeLayers: string[];
  readonly #layerActivity: SenderLayerActivity | undefined;

  constructor(init: {
    track: MediaStreamTrack;
    source: TrackSource;
    name: string;
    muted: boolean;
    transceiver: RTCRtpTransceiver;
    ownsTrack: boolean;
    layers?: readonly SimulcastLayer[];
  }) {
    this.track = init.track;
    this.kind = init.track.kind === "audio" ? "audio" : "video";
    this.source = init.source;
    this.name = init.name;
    this.muted = init.muted;
    this.transceiver = init.transceiver;
    this.ownsTrack = init.ownsTrack;
    this.layers = init.layers;
    this.activeLayers = init.layers?.map((l) => l.rid) ?? [];
    this.#layerActivity = init.layers ? new SenderLayerActivity(init.transceiver.sender, (rids) => (this.activeLayers = rids)) : undefined;
  }

  /** The transceiver's mid, once an offer assigned it. */
  get mid(): string | undefined {
    return this.transceiver.mid ?? undefined;
  }

  get isPublished(): boolean {
    return this.trackSid !== undefined;
  }

  /** @internal Dynacast: encode only the simulcast streams someone watches. */
  setLayerActivity(layers: readonly LayerActivity[]): Promise<void> {
    return this.#layerActivity?.update(layers) ?? Promise.resolve();
  }

  /** @internal The publication ended: later dynacast updates are ignored. */
  end(): void {
    this.#layerActivity?.close();
  }
}
