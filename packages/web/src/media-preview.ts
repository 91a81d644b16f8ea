export interface MediaPreviewOptions {
  /** Camera size to ask for (an ideal, not a requirement); the browser's default when absent. */
  resolution?: { width: number; height: number } | null;
}

/** Camera and microphone chosen on the join page, kept open so joining reuses them. */
export class MediaPreview {
  videoTrack: MediaStreamTrack | undefined;
  audioTrack: MediaStreamTrack | undefined;
  cameraDeviceId: string | undefined;
  microphoneDeviceId: string | undefined;
  /** The name of the last getUserMedia failure (e.g. NotAllowedError), if any. */
  lastError: string | undefined;
  readonly #resolution: { width: number; height: number } | null;

  constructor(options: MediaPreviewOptions = {}) {
    this.#resolution = options.resolution ?? null;
  }

  /** Opens the requested devices; a failure on one kind still opens the other. */
  async start(options: { camera: boolean; microphone: boolean }): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.lastError = "NotSupportedError";
      return;
    }
    if (!options.camera && !options.microphone) return;
    try {
      const video = options.camera ? this.#videoConstraints(undefined) : false;
      const stream = await navigator.mediaDevices.getUserMedia({ video, audio: options.microphone });
      this.#adopt(stream);
      this.lastError = undefined;
    } catch (error) {
      this.lastError = errorName(error);
      // One missing or busy device must not cost the other one.
      if (options.camera) await this.#open("video");
      if (options.microphone) await this.#open("audio");
    }
  }

  async setCameraDevice(deviceId: string): Promise<void> {
    this.cameraDeviceId = deviceId;
    if (this.videoTrack) await this.#open("video");
  }

  async setMicrophoneDevice(deviceId: string): Promise<void> {
    this.microphoneDeviceId = deviceId;
    const wasEnabled = this.audioTrack?.enabled ?? true;
    await this.#open("audio");
    if (this.audioTrack) this.audioTrack.enabled = wasEnabled;
  }

  /** Camera off releases the device (the light goes out); on opens it again. */
  async setCameraEnabled(enabled: boolean): Promise<void> {
    if (!enabled) {
      this.videoTrack?.stop();
      this.videoTrack = undefined;
    } else if (!this.videoTrack) await this.#open("video");
  }

  /** Microphone off keeps the device but sends silence once joined. */
  async setMicrophoneEnabled(enabled: boolean): Promise<void> {
    if (!this.audioTrack && enabled) await this.#open("audio");
    if (this.audioTrack) this.audioTrack.enabled = enabled;
  }

  get microphoneEnabled(): boolean {
    return this.audioTrack?.enabled ?? false;
  }

  async listDevices(): Promise<{ cameras: MediaDeviceInfo[]; microphones: MediaDeviceInfo[] }> {
    const devices = (await navigator.mediaDevices?.enumerateDevices?.().catch(() => [])) ?? [];
    return {
      cameras: devices.filter((d) => d.kind === "videoinput" && d.deviceId),
      microphones: devices.filter((d) => d.kind === "audioinput" && d.deviceId),
    };
  }

  stop(): void {
    this.videoTrack?.stop();
    this.audioTrack?.stop();
    this.videoTrack = this.audioTrack = undefined;
  }

  async #open(kind: "video" | "audio"): Promise<void> {
    const deviceId = kind === "video" ? this.cameraDeviceId : this.microphoneDeviceId;
    const audio: MediaTrackConstraints | true = deviceId ? { deviceId: { exact: deviceId } } : true;
    try {
      const stream = await navigator.mediaDevices.getUserMedia(kind === "video" ? { video: this.#videoConstraints(deviceId) } : { audio });
      this.#adopt(stream);
    } catch (error) {
      this.lastError = errorName(error);
    }
  }

  #videoConstraints(deviceId: string | undefined): MediaTrackConstraints | true {
    const constraints: MediaTrackConstraints = {};
    if (deviceId) constraints.deviceId = { exact: deviceId };
    if (this.#resolution) {
      constraints.width = { ideal: this.#resolution.width };
      constraints.height = { ideal: this.#resolution.height };
    }
    return Object.keys(constraints).length > 0 ? constraints : true;
  }

  #adopt(stream: MediaStream): void {
    for (const track of stream.getTracks()) {
      if (track.kind === "video") {
        this.videoTrack?.stop();
        this.videoTrack = track;
        this.cameraDeviceId = track.getSettings().deviceId ?? this.cameraDeviceId;
      } else {
        this.audioTrack?.stop();
        this.audioTrack = track;
        this.microphoneDeviceId = track.getSettings().deviceId ?? this.microphoneDeviceId;
      }
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error || error instanceof DOMException ? error.name : "Error";
}
