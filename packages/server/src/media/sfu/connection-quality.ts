// Connection quality of one participant from packet loss, jitter and round-trip time, scored
// with a simplified ITU-T G.107 E-model as LiveKit's connectionquality scorer does:
//
//   effective delay  d = RTT/2 + 2·jitter + 10 ms                (one way, plus jitter buffer)
//   R = 93.2 − (d < 160 ? d/40 : (d − 120)/10) − 2.5·loss%       (delay and loss impairments)
//   MOS = 1 + 0.035·R + 7·10⁻⁶·R·(R − 60)·(100 − R)              (G.107 Annex B, R in 0..100)
//
// MOS ≥ 4.1 is excellent, ≥ 3.6 good, below poor; "lost" when media stopped arriving.
// Pure functions plus a small tracker that drops at once and recovers only after the better
// score held for a few reports, so the label shown to users does not flap.

import type { ConnectionQualityLevel } from "../../media-channel/messages.js";

export interface LinkStats {
  /** Packets lost over the interval, in percent (0..100). */
  lossPercent: number;
  /** Interarrival jitter (RFC 3550 §6.4.1) in milliseconds. */
  jitterMs: number;
  /** Round-trip time in milliseconds; 0 when unknown. */
  rttMs: number;
}

export const EXCELLENT_MOS = 4.1;
export const GOOD_MOS = 3.6;
/** Reports in a row a better quality must hold before it is shown (a worse one shows at once). */
export const RECOVERY_REPORTS = 3;

/** Mean opinion score (1..4.5) of a link (E-model, see the file comment). */
export function meanOpinionScore(s: LinkStats): number {
  const delay = Math.max(0, s.rttMs) / 2 + 2 * Math.max(0, s.jitterMs) + 10;
  const delayImpairment = delay < 160 ? delay / 40 : (delay - 120) / 10;
  const loss = Math.min(100, Math.max(0, s.lossPercent));
  const r = Math.min(100, Math.max(0, 93.2 - delayImpairment - 2.5 * loss));
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

export function qualityFromMos(mos: number): Exclude<ConnectionQualityLevel, "lost" | "unknown"> {
  if (mos >= EXCELLENT_MOS) return "excellent";
  if (mos >= GOOD_MOS) return "good";
  return "poor";
}

/** The worse of two links (a participant is as good as its worst direction). */
export function worstLink(a: LinkStats | null, b: LinkStats | null): LinkStats | null {
  if (a === null) return b;
  if (b === null) return a;
  return meanOpinionScore(a) <= meanOpinionScore(b) ? a : b;
}

const RANK: Record<ConnectionQualityLevel, number> = { unknown: 0, lost: 1, poor: 2, good: 3, excellent: 4 };

/**
 * The quality label of one participant over successive reports: worse news is shown at
 * once, better news after RECOVERY_REPORTS consecutive reports (LiveKit recovers slowly too).
 */
export class ConnectionQualityTracker {
  quality: ConnectionQualityLevel = "unknown";
  mos = 0;
  private candidate: ConnectionQualityLevel = "unknown";
  private candidateReports = 0;

  /**
   * One report. `stats` null = no measurement this interval (nothing to measure yet);
   * `lost` = media was expected but none arrived for a while.
   */
  update(stats: LinkStats | null, lost: boolean): ConnectionQualityLevel {
    let next: ConnectionQualityLevel;
    if (lost) {
      next = "lost";
      this.mos = 0;
    } else if (stats === null) {
      // No data: keep what we had; a fresh link starts excellent (LiveKit's default too).
      next = this.quality === "unknown" || this.quality === "lost" ? "excellent" : this.quality;
      if (next === "excellent" && this.mos === 0) this.mos = meanOpinionScore({ lossPercent: 0, jitterMs: 0, rttMs: 0 });
    } else {
      this.mos = meanOpinionScore(stats);
      next = qualityFromMos(this.mos);
    }
    if (RANK[next] <= RANK[this.quality] || this.quality === "unknown" || this.quality === "lost") {
      this.quality = next;
      this.candidate = next;
      this.candidateReports = 0;
      return this.quality;
    }
    // Better than shown: it must hold; after RECOVERY_REPORTS the worst of those reports is shown.
    if (this.candidateReports === 0 || RANK[next] < RANK[this.candidate]) this.candidate = next;
    if (++this.candidateReports >= RECOVERY_REPORTS) {
      this.quality = this.candidate;
      this.candidateReports = 0;
    }
    return this.quality;
  }
}
