import type { ConnectionState, LocalTrackPublication, Participant, RemoteParticipant, Room } from "@relais/client";
import { ChatPanel } from "./chat-panel.js";
import { h } from "./dom.js";
import { describeDisconnect, describeError } from "./error-messages.js";
import { computeGrid } from "./grid-layout.js";
import { icon } from "./icons.js";
import { spotlight } from "./speaker-layout.js";
import { Tile } from "./tile.js";

export interface CallViewOptions {
  /** Offered after the call ended; absent in embeds (the parent page decides). */
  onRejoin?: () => void;
}

const STATUS_TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Connection lost — reconnecting…",
  disconnected: "Disconnected",
};

/** The in-call page: the tile grid, the control bar and the connection status. */
export class CallView {
  readonly element: HTMLElement;
  readonly #room: Room;
  readonly #options: CallViewOptions;
  readonly #grid = h("div", { id: "grid", class: "grid" });
  readonly #status = h("div", { id: "status", class: "status", role: "status", "aria-live": "polite" });
  readonly #count = h("span", { class: "count" });
  readonly #toast = h("div", { class: "toast", role: "alert", hidden: true });
  readonly #moderation = h("div", { id: "moderation-notice", class: "moderation-notice", role: "status", hidden: true });
  readonly #soundButton = h("button", { type: "button", class: "sound-banner", hidden: true }, [
    "Sound is blocked by the browser — click to enable",
  ]);
  readonly #controls = h("nav", { class: "controls", "aria-label": "Call controls" });
  readonly #micButton = controlButton("toggle-microphone");
  readonly #cameraButton = controlButton("toggle-camera");
  readonly #screenButton = controlButton("toggle-screen");
  readonly #leaveButton = controlButton("leave", "danger");
  readonly #chat: ChatPanel;
  /** Participant tiles by participant sid (the local one included). */
  readonly #tiles = new Map<string, Tile>();
  /** Screen-share tiles by trackSid (`local-screen` for ours). */
  readonly #screens = new Map<string, { tile: Tile; participantSid: string }>();
  #toastTimer: ReturnType<typeof setTimeout> | undefined;
  #isEnded = false;
  readonly #resizeObserver = new ResizeObserver(() => this.#layout());

  constructor(room: Room, options: CallViewOptions = {}) {
    this.#room = room;
    this.#options = options;
    this.#chat = new ChatPanel(room);
    this.#controls.append(this.#micButton, this.#cameraButton);
    if (typeof navigator.mediaDevices?.getDisplayMedia === "function") this.#controls.append(this.#screenButton);
    this.#controls.append(this.#chat.toggleButton, this.#leaveButton);
    this.element = h("div", { class: "call", id: "call" }, [
      h("header", { class: "topbar" }, [
        h("div", { class: "brand" }, [icon("logo", "icon logo"), h("span", {}, ["Relais"])]),
        h("div", { class: "room-title" }, [h("strong", {}, [room.name]), this.#count]),
        this.#status,
      ]),
      h("main", { class: "stage" }, [this.#grid, this.#soundButton, this.#toast, this.#moderation, this.#chat.element]),
      this.#controls,
    ]);
    this.#micButton.addEventListener("click", () => void this.setMicrophoneEnabled(!room.localParticipant.isMicrophoneEnabled));
    this.#cameraButton.addEventListener("click", () => void this.setCameraEnabled(!room.localParticipant.isCameraEnabled));
    this.#screenButton.addEventListener("click", () => void this.#toggleScreen());
    this.#leaveButton.addEventListener("click", () => void room.disconnect());
    this.#soundButton.addEventListener("click", () => {
      this.#soundButton.hidden = true;
      for (const tile of this.#allTiles()) tile.playAudio();
    });
    this.#bindRoom();
    this.#syncLocal();
    for (const participant of room.remoteParticipants.values()) this.#syncParticipant(participant);
    this.#setStatus(room.state);
    this.#resizeObserver.observe(this.#grid);
  }

  async setMicrophoneEnabled(enabled: boolean): Promise<void> {
    await this.#act(() => this.#room.localParticipant.setMicrophoneEnabled(enabled));
  }

  async setCameraEnabled(enabled: boolean): Promise<void> {
    await this.#act(() => this.#room.localParticipant.setCameraEnabled(enabled));
  }

  showError(code: string): void {
    const text = describeError(code);
    this.#toast.textContent = `${text.title}. ${text.hint}`;
    this.#toast.hidden = false;
    clearTimeout(this.#toastTimer);
    this.#toastTimer = setTimeout(() => (this.#toast.hidden = true), 6000);
  }

  destroy(): void {
    this.#resizeObserver.disconnect();
    for (const tile of this.#allTiles()) tile.remove();
    this.element.remove();
  }

  #bindRoom(): void {
    const room = this.#room;
    const sync = (_a: unknown, participant?: RemoteParticipant) => participant && this.#syncParticipant(participant);
    room.on("participantJoined", (p) => this.#syncParticipant(p));
    room.on("participantLeft", (p) => this.#removeParticipant(p.sid));
    room.on("participantUpdated", (p) => {
      if (p.sid === room.localParticipant.sid) this.#syncLocal();
      else if (room.remoteParticipants.has(p.sid)) this.#syncParticipant(p as RemoteParticipant);
    });
    room.on("trackPublished", sync);
    room.on("trackUnpublished", sync);
    room.on("trackMuted", sync);
    room.on("trackUnmuted", sync);
    room.on("trackSubscribed", (_track, _pub, p) => this.#syncParticipant(p));
    room.on("trackUnsubscribed", (_track, _pub, p) => this.#syncParticipant(p));
    room.on("localTrackPublished", () => this.#syncLocal());
    room.on("localTrackUnpublished", () => this.#syncLocal());
    room.on("localTrackMuted", (publication, byModerator) => this.#moderated(publication, byModerator, true));
    room.on("localTrackUnmuted", (publication, byModerator) => this.#moderated(publication, byModerator, false));
    room.on("activeSpeakersChanged", (speakers) => this.#renderSpeakers(speakers));
    room.on("connectionQualityChanged", (quality, p) => this.#tiles.get(p.sid)?.setConnectionQuality(quality));
    room.on("connectionStateChanged", (state) => this.#setStatus(state));
    room.on("disconnected", (reason) => this.#ended(reason));
  }

  #syncLocal(): void {
    if (this.#isEnded) return;
    const local = this.#room.localParticipant;
    const tile = this.#tile(local.sid, local.identity, local.name, true);
    tile.setConnectionQuality(local.connectionQuality);
    tile.setSpeaking(local.isSpeaking);
    const camera = local.getTrackPublication("camera");
    tile.setVideo(camera?.track);
    tile.setVideoMuted(camera?.muted ?? true);
    tile.setMicMuted(!local.isMicrophoneEnabled);
    const screen = local.getTrackPublication("screen_share");
    this.#syncScreen("local-screen", local.sid, local.identity, local.name, true, screen?.track);
    if (!screen) this.#dropScreen("local-screen");
    this.#renderControls();
    this.#layout();
  }

  #syncParticipant(participant: RemoteParticipant): void {
    if (this.#isEnded || !this.#room.remoteParticipants.has(participant.sid)) return;
    const tile = this.#tile(participant.sid, participant.identity, participant.name, false);
    tile.setName(participant.name);
    tile.setConnectionQuality(participant.connectionQuality);
    tile.setSpeaking(participant.isSpeaking);
    const camera = participant.getTrackPublication("camera");
    tile.setVideo(camera?.track);
    tile.setVideoMuted(camera?.muted ?? true);
    tile.observeWith(camera);
    const microphone = participant.getTrackPublication("microphone");
    tile.setAudio(microphone?.track);
    tile.setMicMuted(!microphone || microphone.muted);
    const screens = new Set<string>();
    for (const publication of participant.trackPublications.values()) {
      if (publication.source !== "screen_share") continue;
      screens.add(publication.trackSid);
      const screen = this.#syncScreen(
        publication.trackSid,
        participant.sid,
        participant.identity,
        participant.name,
        false,
        publication.track,
      );
      screen.setAudio(participant.getTrackPublication("screen_share_audio")?.track);
      screen.observeWith(publication);
    }
    for (const [key, screen] of this.#screens) if (screen.participantSid === participant.sid && !screens.has(key)) this.#dropScreen(key);
    this.#layout();
  }

  #removeParticipant(sid: string): void {
    this.#tiles.get(sid)?.remove();
    this.#tiles.delete(sid);
    for (const [key, screen] of this.#screens) if (screen.participantSid === sid) this.#dropScreen(key);
    this.#layout();
  }

  #tile(sid: string, identity: string, name: string, local: boolean): Tile {
    let tile = this.#tiles.get(sid);
    if (!tile) {
      tile = new Tile({
        identity,
        participantSid: sid,
        name,
        source: "camera",
        local,
        onAutoplayBlocked: () => (this.#soundButton.hidden = false),
      });
      this.#tiles.set(sid, tile);
      // The local tile stays first; others follow in join order.
      this.#grid.append(tile.element);
    }
    return tile;
  }

  #syncScreen(
    key: string,
    participantSid: string,
    identity: string,
    name: string,
    local: boolean,
    track: MediaStreamTrack | undefined,
  ): Tile {
    let screen = this.#screens.get(key);
    if (!screen) {
      const tile = new Tile({
        identity,
        participantSid,
        name,
        source: "screen_share",
        local,
        onAutoplayBlocked: () => (this.#soundButton.hidden = false),
      });
      screen = { tile, participantSid };
      this.#screens.set(key, screen);
      this.#grid.prepend(tile.element);
    }
    screen.tile.setVideo(track);
    return screen.tile;
  }

  #dropScreen(key: string): void {
    this.#screens.get(key)?.tile.remove();
    this.#screens.delete(key);
  }

  *#allTiles(): Iterable<Tile> {
    yield* this.#tiles.values();
    for (const screen of this.#screens.values()) yield screen.tile;
  }

  /** Outlines the speakers' tiles; in a crowded grid the dominant speaker takes the large tile. */
  #renderSpeakers(speakers: readonly Participant[]): void {
    const speaking = new Set(speakers.map((p) => p.sid));
    for (const [sid, tile] of this.#tiles) tile.setSpeaking(speaking.has(sid));
    this.#layout();
  }

  /** A moderator muted (or unmuted) one of our tracks: say so, and lock the button meanwhile. */
  #moderated(publication: LocalTrackPublication, byModerator: boolean, muted: boolean): void {
    if (byModerator) {
      const what = publication.source === "microphone" ? "microphone" : publication.source.replace(/_/g, " ");
      this.#moderation.textContent = muted ? `Your ${what} was muted by a moderator.` : `A moderator unmuted your ${what}.`;
      this.#moderation.hidden = false;
      this.#moderation.dataset.muted = String(muted);
    }
    this.#syncLocal();
  }

  #layout(): void {
    const count = this.#tiles.size + this.#screens.size;
    const { pinnedSid, cells } = spotlight(count, this.#room.activeSpeakers[0]?.sid);
    for (const [sid, tile] of this.#tiles) tile.setPinned(sid === pinnedSid);
    this.#grid.classList.toggle("spotlight", pinnedSid !== null);
    const { columns, rows } = computeGrid(cells, this.#grid.clientWidth, this.#grid.clientHeight);
    this.#grid.style.setProperty("--columns", String(columns));
    this.#grid.style.setProperty("--rows", String(rows));
    const people = this.#tiles.size;
    this.#count.textContent = `${people} ${people === 1 ? "participant" : "participants"}`;
  }

  #renderControls(): void {
    const local = this.#room.localParticipant;
    setControl(this.#micButton, local.isMicrophoneEnabled, "mic", "micOff", "Mute", "Unmute");
    // A moderator's mute holds until a moderator lifts it (admins may lift it themselves).
    const locked = local.getTrackPublication("microphone")?.mutedByModerator === true && !local.permissions.admin;
    this.#micButton.disabled = locked;
    if (locked) this.#micButton.replaceChildren(icon("micOff"), h("span", {}, ["Muted by a moderator"]));
    this.#cameraButton.disabled = !local.permissions.canPublish;
    if (!locked && this.#moderation.dataset.muted === "true") this.#moderation.hidden = true;
    setControl(this.#cameraButton, local.isCameraEnabled, "camera", "cameraOff", "Stop video", "Start video");
    const sharing = local.getTrackPublication("screen_share") !== undefined;
    this.#screenButton.replaceChildren(icon("screen"), h("span", {}, [sharing ? "Stop sharing" : "Share screen"]));
    this.#screenButton.classList.toggle("active", sharing);
    this.#leaveButton.replaceChildren(icon("leave"), h("span", {}, ["Leave"]));
  }

  async #toggleScreen(): Promise<void> {
    const local = this.#room.localParticipant;
    const screen = local.getTrackPublication("screen_share");
    await this.#act(async () => {
      if (screen?.trackSid) await local.unpublishTrack(screen.trackSid);
      else if (!screen) await local.publishScreen();
    }, "NotAllowedError"); // Cancelling the screen picker is not worth an error.
  }

  async #act(action: () => Promise<void>, ignoredCode?: string): Promise<void> {
    try {
      await action();
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? (error as { name?: unknown }).name ?? "INTERNAL");
      if (code !== ignoredCode) this.showError(code);
    } finally {
      this.#syncLocal();
    }
  }

  #setStatus(state: ConnectionState): void {
    this.#status.textContent = STATUS_TEXT[state];
    this.#status.dataset.state = state;
  }

  #ended(reason: string): void {
    this.#isEnded = true;
    this.#controls.hidden = true;
    const rejoin = this.#options.onRejoin;
    const panel = h("div", { class: "ended", id: "ended", "data-reason": reason }, [
      h("h2", {}, [describeDisconnect(reason)]),
      rejoin ? h("button", { type: "button", class: "primary", id: "rejoin" }, ["Rejoin"]) : null,
    ]);
    panel.querySelector("button")?.addEventListener("click", () => rejoin?.());
    for (const tile of this.#allTiles()) tile.remove();
    this.#tiles.clear();
    this.#screens.clear();
    this.#grid.replaceChildren(panel);
  }
}

function controlButton(id: string, variant = ""): HTMLButtonElement {
  return h("button", { type: "button", id, class: `control ${variant}`.trim() });
}

function setControl(
  button: HTMLButtonElement,
  on: boolean,
  onIcon: "mic" | "camera",
  offIcon: "micOff" | "cameraOff",
  onLabel: string,
  offLabel: string,
): void {
  button.replaceChildren(icon(on ? onIcon : offIcon), h("span", {}, [on ? onLabel : offLabel]));
  button.classList.toggle("off", !on);
  button.dataset.on = String(on);
}
