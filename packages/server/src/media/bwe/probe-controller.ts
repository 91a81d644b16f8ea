// Decides when to send a probe cluster: a short burst of padding/RTX at a target rate whose
// arrival spacing (in TWCC feedback) measures the path (libwebrtc ProbeController, LiveKit
// StreamAllocator's probing):
//
//   start ──> probe 3× and 6× the start rate ──> result ≥ 70 % of target? probe 2× again
//                                                 (while the allocator wants more) ──> idle
//   idle  ──> allocator wants more than the estimate ──> probe 1.25–1.5× the estimate (toward
//             what it wants); a probe that fails doubles the wait before the next one
//             (2 s … 15 s); one that succeeds, or the estimate rising 25 % on its own, resets it
//
// Start-up probing is for the first seconds of a connection only: a subscriber whose streams
// first want more than the estimate when that estimate has just collapsed (a bottleneck
// appeared) must not get 3× and 6× bursts into the queue that is already full. No probe
// goes out for 2 s after any decrease of the estimate (libwebrtc probes in ALR, never while
// overusing): the decrease is the path saying it carries less.

export interface ProbeCluster {
  id: number;
  targetBps: number;
  /** Spread the cluster evenly over this long. */
  durationMs: number;
  /** Bytes to send: targetBps × duration, at least `minPackets` packets of ~1000 bytes. */
  bytes: number;
  minPackets: number;
}

export interface ProbeControllerOptions {
  maxBps: number;
  /** Probe duration, default 30 ms (libwebrtc: at least 15 ms and 5 packets). */
  durationMs?: number;
}

const INITIAL_FACTORS = [3, 6] as const;
const FURTHER_FACTOR = 2;
const FURTHER_THRESHOLD = 0.7;
const RESULT_TIMEOUT_MS = 1000;
const MIN_PACKETS = 5;
const PROBE_PACKET_BYTES = 1000;
/** After a successful probe the next may follow this soon: recovering from a capped link takes a few steps. */
const SUCCESS_BACKOFF_MS = 500;
const MIN_BACKOFF_MS = 2000;
/** Failed probes back off up to this: a lifted limit is found within a few seconds. */
const MAX_BACKOFF_MS = 5000;
/** Allocator-driven probes step up by at most this factor (LiveKit probes in steps too). */
const ALLOCATOR_STEP = 1.5;
const MIN_ALLOCATOR_STEP = 1.25;
/** The allocator must want this much more than the estimate before we probe for it. */
const DEFICIT_RATIO = 1.05;
/** Start-up probing is offered this long after the first call; later, only allocator-driven probes. */
const STARTUP_WINDOW_MS = 5000;
/** No probe this long after the estimate decreased by more than DECREASE_RATIO. */
const HOLD_AFTER_DECREASE_MS = 2000;
const DECREASE_RATIO = 0.95;

const INIT = 0;
const EXPONENTIAL = 1;
const IDLE = 2;
const ALLOCATOR = 3;

export class ProbeController {
  private state = INIT;
  private nextId = 1;
  private readonly cluster: ProbeCluster = { id: 0, targetBps: 0, durationMs: 0, bytes: 0, minPackets: MIN_PACKETS };
  private readonly durationMs: number;
  private queuedTargetBps = 0;
  private queuedAtMs = 0;
  private waitStartMs = 0;
  private minBpsToProbeFurther = Number.POSITIVE_INFINITY;
  private backoffMs = MIN_BACKOFF_MS;
  private nextAllowedMs = 0;
  private lastTargetBps = 0;
  private lastResultBps = Number.NaN;
  /** Estimate when the last probe failed: rising well past it re-allows probing. */
  private failedAtBps = Number.POSITIVE_INFINITY;
  private firstCallMs = Number.NaN;
  private previousEstimateBps = 0;
  private holdUntilMs = Number.NEGATIVE_INFINITY;
  /** Clusters requested so far (for stats). */
  clustersSent = 0;

  constructor(private readonly o: ProbeControllerOptions) {
    this.durationMs = o.durationMs ?? 30;
  }

  /**
   * Called on the caller's tick (every few tens of ms). Returns a cluster to send now, or null.
   * The returned object is reused: read it before the next call.
   */
  process(nowMs: number, estimateBps: number, wantedBps: number): ProbeCluster | null {
    const max = this.o.maxBps;
    if (Number.isNaN(this.firstCallMs)) this.firstCallMs = nowMs;
    if (estimateBps < DECREASE_RATIO * this.previousEstimateBps) {
      this.holdUntilMs = nowMs + HOLD_AFTER_DECREASE_MS;
      this.queuedTargetBps = 0;
    }
    this.previousEstimateBps = estimateBps;
    if (nowMs < this.holdUntilMs) return null;
    if (this.state === INIT && nowMs - this.firstCallMs > STARTUP_WINDOW_MS) {
      this.state = IDLE;
      this.nextAllowedMs = nowMs;
    }
    if (this.queuedTargetBps > 0 && nowMs >= this.queuedAtMs) {
      const target = this.queuedTargetBps;
      this.queuedTargetBps = 0;
      return this.emit(target, nowMs);
    }
    switch (this.state) {
      case INIT: {
        if (wantedBps <= estimateBps) return null; // nothing to gain yet
        this.state = EXPONENTIAL;
        this.waitStartMs = nowMs;
        const first = Math.min(max, INITIAL_FACTORS[0] * estimateBps);
        const second = Math.min(max, INITIAL_FACTORS[1] * estimateBps);
        this.minBpsToProbeFurther = FURTHER_THRESHOLD * second;
        if (first <= estimateBps) return null;
        const c = this.emit(first, nowMs);
        if (second > first) {
          this.queuedTargetBps = second;
          this.queuedAtMs = nowMs + c.durationMs; // once the first cluster is out
        }
        return c;
      }
      case EXPONENTIAL: {
        if (estimateBps >= this.minBpsToProbeFurther && estimateBps < max && wantedBps > estimateBps) {
          const target = Math.min(max, FURTHER_FACTOR * estimateBps);
          this.minBpsToProbeFurther = FURTHER_THRESHOLD * target;
          this.waitStartMs = nowMs;
          return this.emit(target, nowMs);
        }
        if (nowMs - this.waitStartMs > RESULT_TIMEOUT_MS) this.enterIdle(nowMs, estimateBps, true);
        return null;
      }
      case ALLOCATOR: {
        if (!Number.isNaN(this.lastResultBps))
          this.enterIdle(nowMs, estimateBps, this.lastResultBps >= FURTHER_THRESHOLD * this.lastTargetBps);
        else if (nowMs - this.waitStartMs > RESULT_TIMEOUT_MS) this.enterIdle(nowMs, estimateBps, false);
        return null;
      }
      default: {
        if (estimateBps >= MIN_ALLOCATOR_STEP * this.failedAtBps) {
          this.failedAtBps = Number.POSITIVE_INFINITY;
          this.backoffMs = MIN_BACKOFF_MS;
          this.nextAllowedMs = Math.min(this.nextAllowedMs, nowMs);
        }
        if (wantedBps <= DEFICIT_RATIO * estimateBps || estimateBps >= max || nowMs < this.nextAllowedMs) return null;
        const target = Math.min(max, Math.max(MIN_ALLOCATOR_STEP * estimateBps, Math.min(wantedBps, ALLOCATOR_STEP * estimateBps)));
        this.state = ALLOCATOR;
        this.waitStartMs = nowMs;
        this.lastResultBps = Number.NaN;
        return this.emit(target, nowMs);
      }
    }
  }

  /** The probe estimator measured `bps` for cluster `clusterId`. */
  onProbeResult(clusterId: number, bps: number): void {
    if (clusterId >= this.nextId - 2) this.lastResultBps = Number.isNaN(this.lastResultBps) ? bps : Math.max(this.lastResultBps, bps);
  }

  /** Restarts start-up probing (e.g. after the network path changed). */
  reset(): void {
    this.state = INIT;
    this.queuedTargetBps = 0;
    this.backoffMs = MIN_BACKOFF_MS;
    this.nextAllowedMs = 0;
  }

  private enterIdle(nowMs: number, estimateBps: number, succeeded: boolean): void {
    this.state = IDLE;
    this.backoffMs = succeeded ? MIN_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.failedAtBps = succeeded ? Number.POSITIVE_INFINITY : estimateBps;
    this.nextAllowedMs = nowMs + (succeeded ? SUCCESS_BACKOFF_MS : this.backoffMs);
  }

  private emit(targetBps: number, nowMs: number): ProbeCluster {
    const c = this.cluster;
    c.id = this.nextId++;
    c.targetBps = targetBps;
    c.minPackets = MIN_PACKETS;
    c.bytes = Math.max(Math.ceil((targetBps * this.durationMs) / 8000), MIN_PACKETS * PROBE_PACKET_BYTES);
    c.durationMs = (c.bytes * 8000) / targetBps; // at low targets, stretch to keep the rate
    this.lastTargetBps = targetBps;
    this.lastResultBps = Number.NaN;
    this.waitStartMs = nowMs;
    this.clustersSent++;
    return c;
  }
}
