import { isRelaisError, isTransientSignalError } from "./errors.js";

/** Delay before resume attempt `attempt` (0-based): 250 ms doubling, capped at 2 s. */
export function backoffDelayMs(attempt: number, baseMs = 250, maxMs = 2000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
}

export type ResumeOutcome<T> = { ok: true; value: T } | { ok: false; reason: "expired" | "aborted" | "rejected"; error?: unknown };

export interface ResumeLoopOptions<T> {
  /** One attempt: open a socket and send `join` with `resume`. */
  attempt: () => Promise<T>;
  /** Unix ms after which the server has dropped the session. */
  deadlineMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Checked between attempts; true once the user left the room. */
  aborted?: () => boolean;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Retries `attempt` with exponential backoff until it succeeds, the resume
 * window passes, or the server rejects the resume (any error that is not a
 * transient signaling failure, e.g. RESUME_FAILED or TOKEN_EXPIRED).
 */
export async function resumeWithBackoff<T>(options: ResumeLoopOptions<T>): Promise<ResumeOutcome<T>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const aborted = options.aborted ?? (() => false);
  for (let attempt = 0; ; attempt++) {
    const delay = backoffDelayMs(attempt, options.baseDelayMs, options.maxDelayMs);
    if (now() + delay > options.deadlineMs) return { ok: false, reason: "expired" };
    await sleep(delay);
    if (aborted()) return { ok: false, reason: "aborted" };
    try {
      return { ok: true, value: await options.attempt() };
    } catch (error) {
      if (aborted()) return { ok: false, reason: "aborted" };
      if (!isTransientSignalError(error) && !isRelaisError(error, "SIGNAL_TIMEOUT")) {
        return { ok: false, reason: "rejected", error };
      }
    }
  }
}
