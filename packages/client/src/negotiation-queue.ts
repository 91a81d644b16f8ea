/**
 * Serializes negotiations. At most one runs at a time; requests made while one
 * is in flight are coalesced into a single follow-up run, because one new offer
 * covers every change made since the previous one. Until the running one has
 * read the state it negotiates (it calls `captured()` just before createOffer),
 * new requests simply join it.
 *
 *   request() ─▶ run #1 ──captured()──────▶ done
 *   request() ─┤ (joins run #1)
 *   request() ─────────────────┐ (after capture)
 *   request() ─────────────────┴─▶ follow-up run #2 (shared) ─▶ done
 */
export class NegotiationQueue {
  readonly #run: (captured: () => void) => Promise<void>;
  #inFlight: Promise<void> | null = null;
  #capturedState = false;
  #followUp: Deferred | null = null;

  constructor(run: (captured: () => void) => Promise<void>) {
    this.#run = run;
  }

  /** True while a run is in flight or queued. */
  get busy(): boolean {
    return this.#inFlight !== null;
  }

  /** Resolves when a run that started after this call has completed. */
  request(): Promise<void> {
    if (this.#inFlight === null) return this.#start();
    if (!this.#capturedState) return this.#inFlight;
    this.#followUp ??= deferred();
    return this.#followUp.promise;
  }

  #start(): Promise<void> {
    const run = this.#run;
    this.#capturedState = false;
    const promise = (async () => run(() => (this.#capturedState = true)))();
    this.#inFlight = promise;
    const settle = () => {
      this.#inFlight = null;
      const followUp = this.#followUp;
      this.#followUp = null;
      if (followUp) this.#start().then(followUp.resolve, followUp.reject);
    };
    promise.then(settle, settle);
    return promise;
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A follow-up nobody awaits must not surface as an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
