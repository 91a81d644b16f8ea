/**
 * A small typed event emitter. The event map is one interface whose keys are
 * event names and whose values are listener argument tuples, e.g.
 * `{ participantJoined: [participant: RemoteParticipant] }`.
 */
export type EventMap<E> = { [K in keyof E]: unknown[] };

type Listener<A extends unknown[]> = (...args: A) => void;
/** How listeners are stored; the typed `on`/`safeEmit` signatures keep them consistent per event. */
type StoredListener = ((...args: unknown[]) => void) & { inner?: unknown };

export class TypedEmitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Set<StoredListener>>();
  readonly #onListenerError: (event: keyof E, error: unknown) => void;

  constructor(options: { onListenerError?: (event: keyof E, error: unknown) => void } = {}) {
    this.#onListenerError =
      options.onListenerError ?? ((event, error) => console.error(`[relais] listener for "${String(event)}" threw`, error));
  }

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as unknown as StoredListener);
    return this;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const set = this.#listeners.get(event);
    if (!set) return this;
    for (const stored of set) {
      // A `once` registration is a wrapper that remembers the listener it wraps.
      if (stored === (listener as unknown) || stored.inner === listener) set.delete(stored);
    }
    if (set.size === 0) this.#listeners.delete(event);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper: StoredListener = (...args: unknown[]) => {
      const set = this.#listeners.get(event);
      set?.delete(wrapper);
      if (set?.size === 0) this.#listeners.delete(event);
      (listener as unknown as StoredListener)(...args);
    };
    wrapper.inner = listener;
    return this.on(event, wrapper as unknown as Listener<E[K]>);
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  /**
   * Calls every listener of `event` in registration order. A listener that throws
   * is reported through `onListenerError` and does not stop the others.
   */
  safeEmit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        try {
          this.#onListenerError(event, error);
        } catch {
          // The error reporter itself must never break emission either.
        }
      }
    }
  }
}
