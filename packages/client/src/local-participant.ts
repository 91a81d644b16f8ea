import type {
  ParticipantInfo,
  ParticipantPermissions,
  PublicationRequest,
  ServerMessageOf,
  TrackInfo,
  TrackSource,
} from "@relais/protocol";
import { applyVideoCodecPreference, type VideoCodec } from "./codec-preferences.js";
import { clientError, isRelaisError, isTransientSignalError, RelaisError } from "./errors.js";
import { LocalTrackPublication } from "./local-track-publication.js";
import type { EmitRoomEvent } from "./room-events.js";
import type { RequestOf } from "./signal-client.js";

export { LocalTrackPublication };

export interface LocalParticipantOptions {
  /** Adds a sendonly transceiver for `track`. */
  addSendTransceiver: (track: MediaStreamTrack, stream: MediaStream) => RTCRtpTransceiver;
  /** Runs (or joins) a negotiation; resolves once an answer covering every current change was applied. */
  negotiate: () => Promise<void>;
  /** Sends an `unpublish` or `mute` request on the current signaling socket. */
  request: (message: RequestOf<"unpublish"> | RequestOf<"mute">) => Promise<unknown>;
  emit: EmitRoomEvent;
  /** Whether the token allows publishing `source` (checked before asking the server). */
  canPublish: (source: TrackSource) => boolean;
  videoCodec?: VideoCodec;
}

export interface PublishTrackOptions {
  source: TrackSource;
  name?: string;
  muted?: boolean;
}

export interface CameraOptions {
  deviceId?: string;
  width?: number;
  height?: number;
  frameRate?: number;
}

/** This client in the room: publishes, mutes and unpublishes its tracks. */
export class LocalParticipant {
  sid: string;
  readonly identity: string;
  name: string;
  metadata: string;
  permissions: ParticipantPermissions;
  /** Published tracks by trackSid. Tracks waiting for their answer are not listed yet. */
  readonly trackPublications = new Map<string, LocalTrackPublication>();
  readonly #pending = new Set<LocalTrackPublication>();
  /** Unpublish requests that a dropped socket lost; re-sent after a resume. */
  readonly #unsentUnpublishes = new Set<string>();
  readonly #options: LocalParticipantOptions;

  constructor(info: ParticipantInfo, options: LocalParticipantOptions) {
    this.sid = info.sid;
    this.identity = info.identity;
    this.name = info.name;
    this.metadata = info.metadata;
    this.permissions = info.permissions;
    this.#options = options;
  }

  getTrackPublication(source: TrackSource): LocalTrackPublication | undefined {
    for (const publication of this.#all()) if (publication.source === source) return publication;
    return undefined;
  }

  get isMicrophoneEnabled(): boolean {
    const publication = this.getTrackPublication("microphone");
    return publication !== undefined && !publication.muted;
  }

  get isCameraEnabled(): boolean {
    const publication = this.getTrackPublication("camera");
    return publication !== undefined && !publication.muted;
  }

  /** Publishes a track the caller owns (the SDK never stops it). */
  publishTrack(track: MediaStreamTrack, options: PublishTrackOptions): Promise<LocalTrackPublication> {
    return this.#publish(track, options, false);
  }

  /** Opens the camera and publishes it; returns the existing publication if one is live. */
  async publishCamera(options: CameraOptions = {}): Promise<LocalTrackPublication> {
    const existing = this.getTrackPublication("camera");
    if (existing) return existing;
    const video: MediaTrackConstraints = {};
    if (options.deviceId) video.deviceId = { exact: options.deviceId };
    if (options.width) video.width = { ideal: options.width };
    if (options.height) video.height = { ideal: options.height };
    if (options.frameRate) video.frameRate = { ideal: options.frameRate };
    const stream = await navigator.mediaDevices.getUserMedia({ video: Object.keys(video).length ? video : true });
    return this.#publish(stream.getVideoTracks()[0], { source: "camera", name: "camera" }, true);
  }

  /** Opens the microphone and publishes it; returns the existing publication if one is live. */
  async publishMicrophone(options: { deviceId?: string } = {}): Promise<LocalTrackPublication> {
    const existing = this.getTrackPublication("microphone");
    if (existing) return existing;
    const audio: MediaTrackConstraints | true = options.deviceId ? { deviceId: { exact: options.deviceId } } : true;
    const stream = await navigator.mediaDevices.getUserMedia({ audio });
    return this.#publish(stream.getAudioTracks()[0], { source: "microphone", name: "microphone" }, true);
  }

  /**
   * Asks the user for a screen (getDisplayMedia) and publishes it. The
   * publication ends by itself when the user stops sharing from the browser UI.
   */
  async publishScreen(options: { audio?: boolean } = {}): Promise<LocalTrackPublication> {
    const existing = this.getTrackPublication("screen_share");
    if (existing) return existing;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: options.audio ?? false });
    const [video] = stream.getVideoTracks();
    if ("contentHint" in video) video.contentHint = "detail";
    const [audio] = stream.getAudioTracks();
    const publication = await this.#publish(video, { source: "screen_share", name: "screen" }, true);
    if (audio) await this.#publish(audio, { source: "screen_share_audio", name: "screen audio" }, true).catch(() => audio.stop());
    video.addEventListener("ended", () => {
      void this.#unpublish(publication);
      const audioPublication = this.getTrackPublication("screen_share_audio");
      if (audioPublication) void this.#unpublish(audioPublication);
    });
    return publication;
  }

  /** Stops sending the track: `unpublish` to the server, stop the transceiver, renegotiate. */
  async unpublishTrack(trackSid: string): Promise<void> {
    const publication = this.trackPublications.get(trackSid);
    if (!publication) throw new RelaisError("TRACK_NOT_FOUND", `No local track ${trackSid}`);
    await this.#unpublish(publication);
  }

  /** Unmutes the microphone, publishing it first if needed; `false` mutes it. */
  async setMicrophoneEnabled(enabled: boolean, options: { deviceId?: string } = {}): Promise<void> {
    await this.#setSourceEnabled("microphone", enabled, () => this.publishMicrophone(options));
  }

  /** Unmutes the camera, publishing it first if needed; `false` mutes it (the track sends black frames). */
  async setCameraEnabled(enabled: boolean, options: CameraOptions = {}): Promise<void> {
    await this.#setSourceEnabled("camera", enabled, () => this.publishCamera(options));
  }

  /** Mutes or unmutes a publication: `track.enabled` plus a `mute` request. */
  async setTrackMuted(publication: LocalTrackPublication, muted: boolean): Promise<void> {
    publication.muted = muted;
    publication.track.enabled = !muted;
    if (!publication.trackSid) return; // The next offer carries `muted`.
    await this.#options.request({ type: "mute", trackSid: publication.trackSid, muted }).catch((error: unknown) => {
      // While reconnecting the resume reconciliation re-sends the state.
      if (!isTransientSignalError(error) && !isRelaisError(error, "NOT_CONNECTED")) throw error;
    });
  }

  /** @internal Publications for the offer; call after setLocalDescription. */
  collectPublications(): PublicationRequest[] {
    const requests: PublicationRequest[] = [];
    for (const publication of this.#all()) {
      const mid = publication.mid;
      if (mid === undefined || publication.transceiver.direction === "stopped") continue;
      requests.push({ mid, kind: publication.kind, source: publication.source, name: publication.name, muted: publication.muted });
    }
    return requests;
  }

  /** @internal Assigns server trackSids from the answer and announces new publications. */
  applyPublicationResults(results: ServerMessageOf<"answer">["publications"]): void {
    for (const result of results) {
      for (const publication of this.#pending) {
        if (publication.mid !== result.mid) continue;
        publication.trackSid = result.trackSid;
        this.#pending.delete(publication);
        this.trackPublications.set(result.trackSid, publication);
        this.#options.emit("localTrackPublished", publication);
      }
    }
  }

  /** @internal The server ended one of our publications (e.g. permissions changed). */
  serverUnpublished(trackSid: string): void {
    const publication = this.trackPublications.get(trackSid);
    if (publication) void this.#unpublish(publication, { notifyServer: false });
  }

  /** @internal The server (an admin) muted or unmuted one of our publications. */
  serverMuted(trackSid: string, muted: boolean): void {
    const publication = this.trackPublications.get(trackSid);
    if (!publication) return;
    publication.muted = muted;
    publication.track.enabled = !muted;
  }

  /** @internal After a resume: re-send what a dropped socket may have lost. */
  async reconcile(serverTracks: readonly TrackInfo[]): Promise<void> {
    const onServer = new Map(serverTracks.map((t) => [t.sid, t]));
    const requests: Promise<unknown>[] = [];
    for (const trackSid of this.#unsentUnpublishes) {
      if (onServer.has(trackSid)) requests.push(this.#options.request({ type: "unpublish", trackSid }));
    }
    this.#unsentUnpublishes.clear();
    for (const [trackSid, publication] of this.trackPublications) {
      const info = onServer.get(trackSid);
      if (info && info.muted !== publication.muted) {
        requests.push(this.#options.request({ type: "mute", trackSid, muted: publication.muted }));
      }
    }
    await Promise.allSettled(requests);
  }

  /** @internal The room closed: stop the tracks the SDK acquired. */
  stopAll(): void {
    for (const publication of this.#all()) if (publication.ownsTrack) publication.track.stop();
    this.#pending.clear();
    this.trackPublications.clear();
  }

  /** @internal Applies a server update of our own participant. */
  update(info: ParticipantInfo): void {
    this.name = info.name;
    this.metadata = info.metadata;
    this.permissions = info.permissions;
  }

  *#all(): Iterable<LocalTrackPublication> {
    yield* this.trackPublications.values();
    yield* this.#pending;
  }

  async #setSourceEnabled(source: TrackSource, enabled: boolean, publish: () => Promise<LocalTrackPublication>): Promise<void> {
    const publication = this.getTrackPublication(source);
    if (publication) await this.setTrackMuted(publication, !enabled);
    else if (enabled) await publish();
  }

  async #publish(track: MediaStreamTrack | undefined, options: PublishTrackOptions, ownsTrack: boolean): Promise<LocalTrackPublication> {
    if (!track) throw new RelaisError("TRACK_NOT_FOUND", "The media stream has no track of the requested kind.");
    if (!this.permissions.canPublish || !this.#options.canPublish(options.source)) {
      if (ownsTrack) track.stop();
      throw new RelaisError("PERMISSION_DENIED", `The access token does not allow publishing ${options.source}.`);
    }
    const muted = options.muted ?? false;
    if (muted) track.enabled = false;
    const stream = new MediaStream([track]);
    const transceiver = this.#options.addSendTransceiver(track, stream);
    if (track.kind === "video") applyVideoCodecPreference(transceiver, this.#options.videoCodec);
    const publication = new LocalTrackPublication({
      track,
      source: options.source,
      name: options.name ?? options.source,
      muted,
      transceiver,
      ownsTrack,
    });
    this.#pending.add(publication);
    try {
      await this.#options.negotiate();
    } catch (error) {
      this.#discard(publication);
      throw error;
    }
    if (!publication.trackSid) {
      this.#discard(publication);
      throw clientError("NEGOTIATION_FAILED", { reason: "the answer did not accept the publication" });
    }
    return publication;
  }

  /** Drops a publication the server never accepted. */
  #discard(publication: LocalTrackPublication): void {
    this.#pending.delete(publication);
    stopTransceiver(publication.transceiver);
    if (publication.ownsTrack) publication.track.stop();
    this.#options.negotiate().catch(() => {});
  }

  async #unpublish(publication: LocalTrackPublication, options: { notifyServer?: boolean } = {}): Promise<void> {
    const trackSid = publication.trackSid;
    if (trackSid === undefined || this.trackPublications.get(trackSid) !== publication) return;
    this.trackPublications.delete(trackSid);
    stopTransceiver(publication.transceiver);
    if (publication.ownsTrack) publication.track.stop();
    this.#options.emit("localTrackUnpublished", publication);
    if (options.notifyServer !== false) {
      await this.#options.request({ type: "unpublish", trackSid }).catch((error: unknown) => {
        if (isTransientSignalError(error) || isRelaisError(error, "NOT_CONNECTED")) this.#unsentUnpublishes.add(trackSid);
        else if (!isRelaisError(error, "TRACK_NOT_FOUND")) throw error;
      });
    }
    await this.#options.negotiate();
  }
}

function stopTransceiver(transceiver: RTCRtpTransceiver): void {
  try {
    transceiver.stop();
  } catch {
    // The peer connection is already closed.
  }
}
