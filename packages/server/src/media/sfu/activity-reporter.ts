import type { ConnectionQualityLevel, MediaNotifications } from "../../media-channel/messages.js";
import type { WebRtcTransport } from "./webrtc-transport.js";

type Notify = <K extends "audioLevels" | "connectionQuality">(event: K, data: MediaNotifications[K]) => void;

/**
 * What the worker tells the main thread about its transports' activity: smoothed audio
 * levels (every call, ~500 ms, while anyone speaks) and connection quality labels (when one
 * changes). The rooms layer ranks speakers and tells clients; this only measures.
 */
export class ActivityReporter {
  /** Whether the last levels report had a speaker: one all-silent report follows the last speech. */
  private speaking = false;
  private readonly reportedQuality = new WeakMap<WebRtcTransport, ConnectionQualityLevel>();

  constructor(private readonly notify: Notify) {}

  /** Closes every audio producer's observation window and reports the levels. */
  reportAudioLevels(transports: Iterable<WebRtcTransport>): void {
    const levels: MediaNotifications["audioLevels"]["levels"] = [];
    let anyone = false;
    for (const t of transports) {
      for (const p of t.producers.values()) {
        if (p.audioLevel === null) continue;
        const level = Math.round(p.audioLevel.takeLevel() * 10_000) / 10_000;
        if (level > 0) anyone = true;
        levels.push({ transportId: t.id, producerId: p.id, level });
      }
    }
    if (anyone || this.speaking) this.notify("audioLevels", { levels });
    this.speaking = anyone;
  }

  /** Samples every transport's quality (once a second) and reports the labels that changed. */
  reportConnectionQuality(transports: Iterable<WebRtcTransport>, nowMs: number): void {
    const changed: MediaNotifications["connectionQuality"]["transports"] = [];
    for (const t of transports) {
      const quality = t.quality.sample(t, nowMs);
      if (quality === "unknown" || this.reportedQuality.get(t) === quality) continue;
      this.reportedQuality.set(t, quality);
      changed.push({ transportId: t.id, quality, mos: Math.round(t.quality.tracker.mos * 100) / 100 });
    }
    if (changed.length > 0) this.notify("connectionQuality", { transports: changed });
  }
}
