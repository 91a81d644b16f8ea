/** The parts of RTCRtpSender that dynacast uses (tests pass a fake). */
export interface EncodingSender {
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
}

/** One simulcast stream and whether someone watches it (the server's `subscribedQualityUpdate`). */
export interface LayerActivity {
  rid: string;
  active: boolean;
}

/**
 * Sets `encodings[i].active` from `layers`, matching by rid; encodings the update does
 * not name keep their state. Returns whether anything changed.
 */
export function applyLayerActivity(encodings: RTCRtpEncodingParameters[], layers: readonly LayerActivity[]): boolean {
  let changed = false;
  for (const encoding of encodings) {
    const wanted = layers.find((l) => l.rid === encoding.rid);
    if (!wanted || (encoding.active ?? true) === wanted.active) continue;
    encoding.active = wanted.active;
    changed = true;
  }
  return changed;
}

/**
 * Dynacast for one sender: the publisher stops encoding the simulcast streams nobody
 * watches. `setParameters` calls never overlap (a second one while the first is pending
 * fails with InvalidStateError in browsers), and only the latest update is applied.
 */
export class SenderLayerActivity {
  readonly #sender: EncodingSender;
  readonly #onApplied: (activeRids: string[]) => void;
  #latest: readonly LayerActivity[] | undefined;
  /** The loop applying updates; resolves once no update is left. */
  #drain: Promise<void> = Promise.resolve();
  #running = false;
  #closed = false;

  constructor(sender: EncodingSender, onApplied: (activeRids: string[]) => void) {
    this.#sender = sender;
    this.#onApplied = onApplied;
  }

  /** Queues `layers`; resolves once it (or a later update) was applied or failed. */
  update(layers: readonly LayerActivity[]): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#latest = layers;
    if (this.#running) return this.#drain;
    this.#running = true;
    this.#drain = this.#run();
    return this.#drain;
  }

  /** Ignores every later update (the publication ended). */
  close(): void {
    this.#closed = true;
    this.#latest = undefined;
  }

  async #run(): Promise<void> {
    try {
      while (this.#latest && !this.#closed) {
        const layers = this.#latest;
        this.#latest = undefined;
        try {
          const parameters = this.#sender.getParameters();
          if (applyLayerActivity(parameters.encodings, layers)) await this.#sender.setParameters(parameters);
          if (!this.#closed) this.#onApplied(activeRids(parameters.encodings));
        } catch (error) {
          // The transceiver stopped or the connection closed: nothing left to encode.
          console.warn("[relais] dynacast: setParameters failed", error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

/** The rids of the encodings being sent. */
export function activeRids(encodings: readonly RTCRtpEncodingParameters[]): string[] {
  const rids: string[] = [];
  for (const encoding of encodings) if (encoding.rid !== undefined && encoding.active !== false) rids.push(encoding.rid);
  return rids;
}
