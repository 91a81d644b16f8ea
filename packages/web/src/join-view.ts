import { AlertBox } from "./alert-box.js";
import { AudioMeter } from "./audio-meter.js";
import { h } from "./dom.js";
import { describeError } from "./error-messages.js";
import { icon } from "./icons.js";
import type { MediaPreview } from "./media-preview.js";

export interface JoinViewOptions {
  room: string;
  /** Prefill for the name field (the token's `name` claim or `?name=`). */
  name: string;
  identity: string | undefined;
  preview: MediaPreview;
  /** Called with the chosen name; reject with a RelaisError-like `{ code }` to show it. */
  onJoin: (name: string) => Promise<void>;
}

/** The pre-join page: camera/microphone preview with device choice, name, join button. */
export class JoinView {
  readonly element: HTMLElement;
  readonly #options: JoinViewOptions;
  readonly #video = h("video", { autoplay: true, playsinline: true, class: "mirror" });
  readonly #placeholder = h("div", { class: "preview-placeholder" }, [icon("cameraOff", "icon big"), h("span", {}, ["Camera is off"])]);
  readonly #micButton = h("button", { type: "button", class: "round", id: "preview-mic" });
  readonly #camButton = h("button", { type: "button", class: "round", id: "preview-camera" });
  readonly #meterBar = h("div", { class: "meter-bar" });
  readonly #cameraSelect = h("select", { id: "camera-select", "aria-label": "Camera" });
  readonly #micSelect = h("select", { id: "microphone-select", "aria-label": "Microphone" });
  readonly #nameInput = h("input", { id: "display-name", type: "text", maxlength: 128, autocomplete: "name", required: true });
  readonly #joinButton = h("button", { type: "submit", class: "primary", id: "join-button" }, ["Join meeting"]);
  readonly #deviceNote = h("p", { class: "device-note", hidden: true });
  readonly #alert = new AlertBox();
  #meter: AudioMeter | undefined;

  constructor(options: JoinViewOptions) {
    this.#options = options;
    this.#video.muted = true;
    this.#nameInput.value = options.name;
    const form = h("form", { class: "join-form-fields", novalidate: true }, [
      h("label", { for: "display-name" }, ["Your name"]),
      this.#nameInput,
      this.#joinButton,
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#join();
    });
    this.#micButton.addEventListener("click", () => void this.#toggleMic());
    this.#camButton.addEventListener("click", () => void this.#toggleCamera());
    this.#cameraSelect.addEventListener("change", () => void this.#changeDevice("video"));
    this.#micSelect.addEventListener("change", () => void this.#changeDevice("audio"));

    this.element = h("main", { class: "join-card", id: "join" }, [
      h("section", { class: "preview" }, [
        h("div", { class: "preview-stage" }, [
          this.#video,
          this.#placeholder,
          h("div", { class: "preview-controls" }, [this.#micButton, this.#camButton]),
        ]),
        h("div", { class: "meter", title: "Microphone level" }, [this.#meterBar]),
        h("div", { class: "devices" }, [
          h("label", {}, [h("span", {}, ["Camera"]), this.#cameraSelect]),
          h("label", {}, [h("span", {}, ["Microphone"]), this.#micSelect]),
        ]),
        this.#deviceNote,
      ]),
      h("section", { class: "join-form" }, [
        h("p", { class: "eyebrow" }, ["Meeting"]),
        h("h1", {}, [options.room]),
        h("p", { class: "lead" }, ["Check your camera and microphone, then join when you're ready."]),
        form,
        this.#alert.element,
        options.identity ? h("p", { class: "fineprint" }, ["Joining as ", h("code", {}, [options.identity])]) : null,
      ]),
    ]);
    this.#render();
    navigator.mediaDevices?.addEventListener?.("devicechange", () => void this.#refreshDevices());
  }

  /** Opens the devices and fills the selects; call once the view is in the document. */
  async start(options: { camera: boolean; microphone: boolean }): Promise<void> {
    await this.#options.preview.start(options);
    await this.#refreshDevices();
    this.#render();
  }

  destroy(): void {
    this.#meter?.stop();
    this.#video.srcObject = null;
    this.element.remove();
  }

  async #join(): Promise<void> {
    const name = this.#nameInput.value.trim();
    if (!name) {
      this.#nameInput.focus();
      return;
    }
    this.#alert.hide();
    this.#joinButton.disabled = true;
    this.#joinButton.textContent = "Joining…";
    try {
      await this.#options.onJoin(name);
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      this.#alert.show(typeof code === "string" ? code : "INTERNAL");
      this.#joinButton.disabled = false;
      this.#joinButton.textContent = "Join meeting";
    }
  }

  async #toggleMic(): Promise<void> {
    const preview = this.#options.preview;
    await preview.setMicrophoneEnabled(!preview.microphoneEnabled);
    this.#render();
  }

  async #toggleCamera(): Promise<void> {
    const preview = this.#options.preview;
    await preview.setCameraEnabled(!preview.videoTrack);
    this.#render();
  }

  async #changeDevice(kind: "video" | "audio"): Promise<void> {
    const preview = this.#options.preview;
    if (kind === "video") await preview.setCameraDevice(this.#cameraSelect.value);
    else await preview.setMicrophoneDevice(this.#micSelect.value);
    this.#render();
  }

  async #refreshDevices(): Promise<void> {
    const preview = this.#options.preview;
    const { cameras, microphones } = await preview.listDevices();
    fillSelect(this.#cameraSelect, cameras, preview.cameraDeviceId, "No camera found");
    fillSelect(this.#micSelect, microphones, preview.microphoneDeviceId, "No microphone found");
  }

  #render(): void {
    const preview = this.#options.preview;
    const video = preview.videoTrack;
    const audio = preview.audioTrack;
    const current = this.#video.srcObject as MediaStream | null;
    if (video && current?.getVideoTracks()[0] !== video) this.#video.srcObject = new MediaStream([video]);
    if (!video) this.#video.srcObject = null;
    this.#video.hidden = !video;
    this.#placeholder.hidden = !!video;
    setToggle(this.#camButton, !!video, "camera", "cameraOff", "Turn camera off", "Turn camera on");
    setToggle(this.#micButton, preview.microphoneEnabled, "mic", "micOff", "Mute microphone", "Unmute microphone");
    this.#meter?.stop();
    this.#meter = audio ? new AudioMeter(audio, this.#meterBar) : undefined;
    if (!audio) this.#meterBar.style.transform = "scaleX(0)";
    const problem = preview.lastError && (!video || !audio) ? describeError(preview.lastError) : null;
    this.#deviceNote.hidden = !problem;
    this.#deviceNote.textContent = problem ? `${problem.title}. ${problem.hint}` : "";
  }
}

function setToggle(
  button: HTMLButtonElement,
  on: boolean,
  onIcon: "mic" | "camera",
  offIcon: "micOff" | "cameraOff",
  onLabel: string,
  offLabel: string,
): void {
  button.replaceChildren(icon(on ? onIcon : offIcon));
  button.classList.toggle("off", !on);
  button.dataset.on = String(on);
  button.setAttribute("aria-label", on ? onLabel : offLabel);
  button.title = on ? onLabel : offLabel;
}

function fillSelect(select: HTMLSelectElement, devices: MediaDeviceInfo[], selected: string | undefined, emptyLabel: string): void {
  select.replaceChildren(
    ...(devices.length
      ? devices.map((d, i) => h("option", { value: d.deviceId, selected: d.deviceId === selected }, [d.label || `Device ${i + 1}`]))
      : [h("option", { value: "" }, [emptyLabel])]),
  );
  select.disabled = devices.length === 0;
}
