/**
 * A small typed event emitter: one event map per class (mediasoup's habit).
 * `safeEmit` keeps a throwing listener from breaking the emitter or its other
 * listeners; the error goes to `onListenerError`.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<(...args: unknown[]) => void>>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as unknown as (...args: unknown[]) => void);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener as unknown as (...args: unknown[]) => void);
  }

  safeEmit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as unknown as (...a: Events[K]) => void)(...args);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
