import { isRelaisError, isTransientSignalError } from "./errors.js";
import { desiredTrackSettings, type ElementBox, type TrackSettings } from "./rendered-size.js";

/** The browser APIs adaptive stream reads (tests pass fakes). */
export interface AdaptiveStreamEnvironment {
  ResizeObserver?: typeof ResizeObserver;
  IntersectionObserver?: typeof IntersectionObserver;
  document?: Pick<Document, "visibilityState" | "addEventListener" | "removeEventListener">;
  devicePixelRatio: () => number;
  objectFit: (element: HTMLVideoElement) => string;
}

export interface AdaptiveStreamOptions {
  /** Sends `trackSettings` for this track; rejections are logged, never thrown. */
  send: (settings: TrackSettings) => Promise<unknown>;
  /** `observe()` tracks elements only when true (RoomConnectOptions.adaptiveStream). */
  observeElements: boolean;
  /** Changes are coalesced over this long before a request goes out (default 100 ms). */
  coalesceMs?: number;
  environment?: AdaptiveStreamEnvironment;
}

function browserEnvironment(): AdaptiveStreamEnvironment {
  const g = globalThis as Partial<typeof globalThis>;
  return {
    ResizeObserver: g.ResizeObserver,
    IntersectionObserver: g.IntersectionObserver,
    document: g.document,
    devicePixelRatio: () => g.devicePixelRatio ?? 1,
    objectFit: (element) => g.getComputedStyle?.(element).objectFit ?? "",
  };
}

/**
 * Adaptive stream for one remote video track: watches the elements that show it
 * (size, viewport, page visibility) and keeps the server told at which size it is
 * shown, so it forwards the smallest simulcast stream that is enough (or nothing).
 * Requests go out only while subscribed, only when the settings changed, one at a time.
 */
export class AdaptiveStream {
  readonly #options: AdaptiveStreamOptions;
  readonly #env: AdaptiveStreamEnvironment;
  /** Observed elements → whether IntersectionObserver last saw them in the viewport. */
  readonly #elements = new Map<HTMLVideoElement, { intersecting: boolean }>();
  #resizeObserver: ResizeObserver | undefined;
  #intersectionObserver: IntersectionObserver | undefined;
  /** Set once `observe()` was used: from then on, no visible element means disabled. */
  #observing = false;
  #manualSize: { width: number; height: number } | undefined;
  #manualEnabled: boolean | undefined;
  #subscribed = false;
  /** The settings the server has, as a key; undefined = unknown (send whatever is wanted). */
  #sentKey: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = false;
  /** A flush came while a request was out: flush again once it is answered. */
  #flushAgain = false;
  #closed = false;
  readonly #schedule = () => this.#scheduleFlush();

  constructor(options: AdaptiveStreamOptions) {
    this.#options = options;
    this.#env = options.environment ?? browserEnvironment();
  }

  /** Starts tracking `element`; the returned function stops it. */
  observe(element: HTMLVideoElement): () => void {
    if (!this.#options.observeElements || this.#closed) return () => {};
    if (!this.#observing) this.#startObserving();
    if (!this.#elements.has(element)) {
      this.#elements.set(element, { intersecting: true });
      this.#resizeObserver?.observe(element);
      this.#intersectionObserver?.observe(element);
      // The intrinsic size (needed for object-fit: cover) is known once the first frame arrived.
      element.addEventListener("resize", this.#schedule);
      this.#scheduleFlush();
    }
    return () => this.#unobserve(element);
  }

  setVideoDimensions(width: number, height: number): void {
    this.#manualSize = { width, height };
    this.#scheduleFlush();
  }

  setEnabled(enabled: boolean): void {
    this.#manualEnabled = enabled;
    this.#scheduleFlush();
  }

  /** The subscription started or ended; a new one starts without settings on the server. */
  setSubscribed(subscribed: boolean): void {
    this.#subscribed = subscribed;
    this.#sentKey = undefined;
    if (subscribed) this.#scheduleFlush();
  }

  /** Sends the current settings again (after a resume on a new socket). */
  resend(): void {
    this.#sentKey = undefined;
    this.#scheduleFlush();
  }

  /** What would be asked for now; undefined when nothing was ever set (server default: top stream). */
  current(): TrackSettings | undefined {
    if (!this.#observing && this.#manualSize === undefined && this.#manualEnabled === undefined) return undefined;
    const boxes: ElementBox[] = [];
    const pageVisible = this.#env.document?.visibilityState !== "hidden";
    for (const [element, state] of this.#elements) {
      if (!element.isConnected) continue;
      boxes.push({
        width: element.clientWidth,
        height: element.clientHeight,
        videoWidth: element.videoWidth,
        videoHeight: element.videoHeight,
        objectFit: this.#env.objectFit(element),
        visible: pageVisible && state.intersecting,
      });
    }
    // Without observed elements there is nothing to be invisible: enabled unless set otherwise.
    const enabled = this.#manualEnabled ?? (this.#observing ? undefined : true);
    return desiredTrackSettings(boxes, this.#env.devicePixelRatio(), { size: this.#manualSize, enabled });
  }

  /** Stops observing everything; no request goes out afterwards. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const element of this.#elements.keys()) element.removeEventListener("resize", this.#schedule);
    this.#elements.clear();
    this.#resizeObserver?.disconnect();
    this.#intersectionObserver?.disconnect();
    this.#env.document?.removeEventListener("visibilitychange", this.#schedule);
  }

  #startObserving(): void {
    this.#observing = true;
    const env = this.#env;
    if (env.ResizeObserver) this.#resizeObserver = new env.ResizeObserver(this.#schedule);
    if (env.IntersectionObserver) {
      this.#intersectionObserver = new env.IntersectionObserver((entries) => {
        for (const entry of entries) {
          const state = this.#elements.get(entry.target as HTMLVideoElement);
          if (state) state.intersecting = entry.isIntersecting;
        }
        this.#scheduleFlush();
      });
    }
    env.document?.addEventListener("visibilitychange", this.#schedule);
  }

  #unobserve(element: HTMLVideoElement): void {
    if (!this.#elements.delete(element)) return;
    this.#resizeObserver?.unobserve(element);
    this.#intersectionObserver?.unobserve(element);
    element.removeEventListener("resize", this.#schedule);
    this.#scheduleFlush();
  }

  /** Called from observer callbacks: must never throw, so it only arms a timer. */
  #scheduleFlush(): void {
    if (this.#closed || !this.#subscribed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, this.#options.coalesceMs ?? 100);
  }

  async #flush(): Promise<void> {
    if (this.#closed || !this.#subscribed) return;
    if (this.#inFlight) {
      this.#flushAgain = true;
      return;
    }
    let settings: TrackSettings | undefined;
    try {
      settings = this.current();
    } catch (error) {
      console.warn("[relais] adaptive stream: cannot measure the video elements", error);
      return;
    }
    if (!settings) return;
    const key = `${settings.width}x${settings.height}${settings.disabled ? " disabled" : ""}`;
    if (key === this.#sentKey) return;
    this.#inFlight = true;
    this.#sentKey = key;
    try {
      await this.#options.send(settings);
    } catch (error) {
      if (this.#sentKey === key) this.#sentKey = undefined;
      // A dropped socket is followed by a resume, which sends the settings again.
      if (!isTransientSignalError(error) && !isRelaisError(error, "NOT_CONNECTED") && !isRelaisError(error, "DISCONNECTED")) {
        console.warn("[relais] adaptive stream: trackSettings failed", error);
      }
    } finally {
      this.#inFlight = false;
    }
    if (this.#flushAgain) {
      this.#flushAgain = false;
      this.#scheduleFlush();
    }
  }
}
