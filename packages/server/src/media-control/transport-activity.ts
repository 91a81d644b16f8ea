import type { ConnectionQualityLevel, MediaNotifications } from "../media-channel/messages.js";

/** What the rooms layer hears about one participant's transport from the media workers. */
export interface TransportActivityListener {
  /** Smoothed level (linear 0..1) of one of the transport's audio producers, every ~500 ms while anyone speaks. */
  audioLevel(producerId: string, level: number): void;
  /** The transport's connection quality label changed. */
  connectionQuality(quality: ConnectionQualityLevel, mos: number): void;
}

/**
 * Routes the workers' per-transport activity reports (audio levels, connection quality)
 * to the listener registered for each transport. Entries of one report are delivered
 * synchronously, so a listener can batch its reaction in a microtask.
 */
export class TransportActivityRouter {
  private readonly listeners = new Map<string, TransportActivityListener>();

  watch(transportId: string, listener: TransportActivityListener): void {
    this.listeners.set(transportId, listener);
  }

  unwatch(transportId: string): void {
    this.listeners.delete(transportId);
  }

  audioLevels(e: MediaNotifications["audioLevels"]): void {
    for (const l of e.levels) this.listeners.get(l.transportId)?.audioLevel(l.producerId, l.level);
  }

  connectionQuality(e: MediaNotifications["connectionQuality"]): void {
    for (const t of e.transports) this.listeners.get(t.transportId)?.connectionQuality(t.quality, t.mos);
  }
}
