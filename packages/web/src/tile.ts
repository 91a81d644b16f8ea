import type { ConnectionQuality, TrackSource } from "@relais/protocol";
import { h } from "./dom.js";
import { initials } from "./grid-layout.js";
import { icon } from "./icons.js";

export interface TileOptions {
  identity: string;
  participantSid: string;
  name: string;
  /** `camera` for a participant's tile, `screen_share` for a screen. */
  source: Extract<TrackSource, "camera" | "screen_share">;
  local: boolean;
  /** Called when the browser refused to start audio without a user gesture. */
  onAutoplayBlocked?: () => void;
}

/** A remote video publication (RemoteTrackPublication.observe, adaptive stream). */
export interface ObservablePublication {
  observe(element: HTMLVideoElement): () => void;
}

/** One grid cell: a participant (camera, microphone) or a screen share. */
export class Tile {
  readonly element: HTMLDivElement;
  readonly #options: TileOptions;
  readonly #video = h("video", { autoplay: true, playsinline: true });
  readonly #audio = h("audio", { autoplay: true });
  readonly #avatar = h("div", { class: "avatar", "aria-hidden": "true" });
  readonly #name = h("span", { class: "name" });
  readonly #micOff = h("span", { class: "mic-off", title: "Microphone muted", "aria-label": "Microphone muted", role: "img" }, [
    icon("micOff"),
  ]);
  readonly #quality = h("span", { class: "quality", role: "img", hidden: true }, [h("i"), h("i"), h("i")]);
  #videoTrack: MediaStreamTrack | undefined;
  #audioTrack: MediaStreamTrack | undefined;
  #videoMuted = false;
  /** The remote publication whose adaptive stream watches this tile's video, and how to stop it. */
  #observed: { publication: ObservablePublication; unobserve: () => void } | undefined;

  constructor(options: TileOptions) {
    this.#options = options;
    const screen = options.source === "screen_share";
    // Never play our own audio back; videos are muted so autoplay is always allowed.
    this.#video.muted = true;
    this.#video.hidden = true;
    this.#audio.hidden = true;
    if (options.local && !screen) this.#video.classList.add("mirror");
    this.element = h(
      "div",
      {
        class: `tile${screen ? " screen" : ""}${options.local ? " local" : ""}`,
        "data-participant-identity": options.identity,
        "data-participant-sid": options.participantSid,
        "data-track-source": options.source,
        "data-local": options.local ? "true" : null,
      },
      [
        this.#video,
        this.#audio,
        this.#avatar,
        h("div", { class: "label" }, [
          screen ? icon("screen") : this.#micOff,
          this.#name,
          options.local && !screen ? h("span", { class: "you" }, ["You"]) : null,
          screen ? null : this.#quality,
        ]),
      ],
    );
    this.setName(options.name);
    this.setMicMuted(!screen);
  }

  setName(name: string): void {
    const display = name || this.#options.identity;
    this.#name.textContent = this.#options.source === "screen_share" ? `${display}'s screen` : display;
    this.#avatar.textContent = initials(display);
  }

  /** Shows `track`, or the avatar when there is none or it is muted. */
  setVideo(track: MediaStreamTrack | undefined): void {
    if (track === this.#videoTrack) return;
    this.#videoTrack = track;
    this.#video.srcObject = track ? new MediaStream([track]) : null;
    this.#renderVideo();
  }

  setVideoMuted(muted: boolean): void {
    this.#videoMuted = muted;
    this.#renderVideo();
  }

  /** The element that shows the video. */
  get videoElement(): HTMLVideoElement {
    return this.#video;
  }

  /**
   * Adaptive stream: lets `publication` watch this tile's video element (its size and
   * visibility decide which simulcast stream the server sends); undefined stops it.
   */
  observeWith(publication: ObservablePublication | undefined): void {
    if (this.#observed?.publication === publication) return;
    this.#observed?.unobserve();
    this.#observed = publication ? { publication, unobserve: publication.observe(this.#video) } : undefined;
  }

  /** Plays a remote audio track (never used for the local participant). */
  setAudio(track: MediaStreamTrack | undefined): void {
    if (track === this.#audioTrack || this.#options.local) return;
    this.#audioTrack = track;
    this.#audio.srcObject = track ? new MediaStream([track]) : null;
    if (track) this.playAudio();
  }

  /** Retries audio playback (after a click when autoplay was blocked). */
  playAudio(): void {
    if (!this.#audioTrack) return;
    this.#audio.play().catch(() => this.#options.onAutoplayBlocked?.());
  }

  setMicMuted(muted: boolean): void {
    this.#micOff.hidden = !muted;
    this.element.classList.toggle("muted", muted);
  }

  /** Outlines the tile while its participant is among the active speakers (`data-speaking`). */
  setSpeaking(speaking: boolean): void {
    this.element.classList.toggle("speaking", speaking);
    if (speaking) this.element.dataset.speaking = "true";
    else delete this.element.dataset.speaking;
  }

  /** The large tile of a crowded grid (the dominant speaker). */
  setPinned(pinned: boolean): void {
    this.element.classList.toggle("pinned", pinned);
  }

  /** Signal bars with an accessible label; hidden until the server scored the connection. */
  setConnectionQuality(quality: ConnectionQuality): void {
    const label = `Connection: ${quality}`;
    this.#quality.hidden = quality === "unknown";
    this.#quality.dataset.quality = quality;
    this.#quality.setAttribute("aria-label", label);
    this.#quality.title = label;
  }

  remove(): void {
    this.observeWith(undefined);
    this.#video.srcObject = null;
    this.#audio.srcObject = null;
    this.element.remove();
  }

  #renderVideo(): void {
    const showVideo = this.#videoTrack !== undefined && !this.#videoMuted;
    this.#video.hidden = !showVideo;
    this.#avatar.hidden = showVideo;
    this.element.classList.toggle("has-video", showVideo);
  }
}
