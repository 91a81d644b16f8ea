import type {
  ConnectionQuality,
  ParticipantInfo,
  ParticipantPermissions,
  PublicationRequest,
  ServerMessageOf,
  TrackInfo,
  TrackSource,
} from "@relais/protocol";
import { applyVideoCodecPreference, type VideoCodec } from "./codec-preferences.js";
import type { DataPublishOptions } from "./data-channels.js";
import { clientError, isRelaisError, isTransientSignalError, RelaisError } from "./errors.js";
import { LocalTrackPublication } from "./local-track-publication.js";
import type { EmitRoomEvent } from "./room-events.js";
import type { RequestOf } from "./signal-client.js";
import { planCameraSimulcast } from "./simulcast-layers.js";

export { LocalTrackPublication };

export interface LocalParticipantOptions {
  /** Adds a sendonly transceiver for `track`; `sendEncodings` for simulcast (lowest quality first). */
  addSendTransceiver: (track: MediaStreamTrack, stream: MediaStream, sendEncodings?: RTCRtpEncodingParameters[]) => RTCRtpTransceiver;
  /** Runs (or joins) a negotiation; resolves once an answer covering every current change was applied. */
  negotiate: () => Promise<void>;
  /** Sends an `unpublish` or `mute` request on the current signaling socket. */
  request: (message: RequestOf<"unpublish"> | RequestOf<"mute">) => Promise<unknown>;
  emit: EmitRoomEvent;
  /** Whether the token allows publishing `source` (checked before asking the server). */
  canPublish: (source: TrackSource) => boolean;
  videoCodec?: VideoCodec;
  /** Send cameras as several simulcast streams (RoomConnectOptions.simulcast). */
  simulcast: boolean;
  /** Apply the server's `subscribedQualityUpdate` to the senders (RoomConnectOptions.dynacast). */
  dynacast: boolean;
  /** Sends a data packet on the data channels (docs/data-channels.md). */
  publishData?: (payload: Uint8Array, options: DataPublishOptions) => Promise<void>;
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
  /** Among the room's active speakers (the server's `speakersChanged`). */
  isSpeaking = false;
  /** Smoothed audio level while speaking, linear 0..1 (0 when not speaking). */
  audioLevel = 0;
  /** As the server scores this client's connection; `unknown` until the first report. */
  connectionQuality: ConnectionQuality = "unknown";
  readonly #pending = new Set<LocalTrackPublication>();
  /** Unpublish requests that a dropped socket lost; re-sent after a resume. */
  readonly #unsentUnpublishes = new Set<string>();
  readonly #options: LocalParticipantOptions;
  /** Dynacast updates that overtook the answer naming their track (applied once it is known). */
  readonly #earlyQualityUpdates = new Map<string, ServerMessageOf<"subscribedQualityUpdate">["layers"]>();

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

  /**
   * Mutes or unmutes a publication: `track.enabled` plus a `mute` request. Unmuting a track
   * a moderator muted fails with PERMISSION_DENIED unless this participant is an admin.
   */
  async setTrackMuted(publication: LocalTrackPublication, muted: boolean): Promise<void> {
    if (!muted && publication.mutedByModerator && !this.permissions.admin) {
      throw new RelaisError("PERMISSION_DENIED", "A moderator muted this track.");
    }
    if (!muted) publication.mutedByModerator = false;
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
      const request: PublicationRequest = {
        mid,
        kind: publication.kind,
        source: publication.source,
        name: publication.name,
        muted: publication.muted,
      };
      if (publication.layers) request.layers = [...publication.layers];
      requests.push(request);
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
        const early = this.#earlyQualityUpdates.get(result.trackSid);
        if (early) void publication.setLayerActivity(early);
        this.#options.emit("localTrackPublished", publication);
      }
    }
    this.#earlyQualityUpdates.clear();
  }

  /**
   * @internal Dynacast: the server says which simulcast streams of our track anyone
   * watches; the sender stops encoding the others. Unknown or ended tracks are ignored.
   */
  subscribedQualityUpdate(message: ServerMessageOf<"subscribedQualityUpdate">): void {
    if (!this.#options.dynacast) return;
    const publication = this.trackPublications.get(message.trackSid);
    if (publication && publication.transceiver.direction !== "stopped") void publication.setLayerActivity(message.layers);
    // The server reports as soon as it creates the track, possibly before its answer arrives.
    else if (!publication && this.#pending.size > 0 && this.#earlyQualityUpdates.size < 32) {
      this.#earlyQualityUpdates.set(message.trackSid, message.layers);
    }
  }

  /** @internal The server ended one of our publications (e.g. permissions changed). */
  serverUnpublished(trackSid: string): void {
    const publication = this.trackPublications.get(trackSid);
    if (publication) void this.#unpublish(publication, { notifyServer: false });
  }

  /**
   * Sends `payload` to the other participants through the SFU (all of them, or
   * `destinationIdentities`), on the reliable channel unless `reliable: false`.
   * Rejects with DATA_TOO_LARGE above 64 KiB, PERMISSION_DENIED without the publishData grant.
   */
  async publishData(payload: Uint8Array, options: DataPublishOptions = {}): Promise<void> {
    if (!this.permissions.canPublishData) throw new RelaisError("PERMISSION_DENIED", "The access token does not allow publishing data.");
    if (!this.#options.publishData) throw clientError("DATA_CHANNEL_CLOSED");
    await this.#options.publishData(payload, options);
  }

  /** @internal The server (an admin) muted or unmuted one of our publications. */
  serverMuted(trackSid: string, muted: boolean, byModerator = false): void {
    const publication = this.trackPublications.get(trackSid);
    if (!publication) return;
    publication.muted = muted;
    publication.track.enabled = !muted;
    if (byModerator) publication.mutedByModerator = muted;
    this.#options.emit(muted ? "localTrackMuted" : "localTrackUnmuted", publication, byModerator);
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
    for (const publication of this.#all()) {
      publication.end();
      if (publication.ownsTrack) publication.track.stop();
    }
    this.#pending.clear();
    this.#earlyQualityUpdates.clear();
    this.trackPublications.clear();
  }

  /** @internal Applies a server update of our own participant. */
  update(info: ParticipantInfo): void {
    this.name = info.name;
    this.metadata = info.metadata;
    this.permissions = info.permissions;
    // Publishing revoked: the server already dropped our tracks; stop sending them.
    if (!info.permissions.canPublish) for (const trackSid of [...this.trackPublications.keys()]) this.serverUnpublished(trackSid);
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
    // Simulcast (RFC 8853) for cameras only: a screen share is text and detail, better sent as one stream.
    const simulcast =
      this.#options.simulcast && options.source === "camera" && track.kind === "video"
        ? planCameraSimulcast(track.getSettings().width, track.getSettings().height)
        : null;
    const transceiver = this.#options.addSendTransceiver(track, stream, simulcast?.encodings);
    if (track.kind === "video") applyVideoCodecPreference(transceiver, this.#options.videoCodec);
    const publication = new LocalTrackPublication({
      track,
      source: options.source,
      name: options.name ?? options.source,
      muted,
      transceiver,
      ownsTrack,
      ...(simulcast ? { layers: simulcast.layers } : {}),
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
    publication.end();
    stopTransceiver(publication.transceiver);
    if (publication.ownsTrack) publication.track.stop();
    this.#options.negotiate().catch(() => {});
  }

  async #unpublish(publication: LocalTrackPublication, options: { notifyServer?: boolean } = {}): Promise<void> {
    const trackSid = publication.trackSid;
    if (trackSid === undefined || this.trackPublications.get(trackSid) !== publication) return;
    this.trackPublications.delete(trackSid);
    publication.end();
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
