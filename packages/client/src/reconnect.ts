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
 * RATE_LIMITED is transient too (a whole office behind one address reconnecting
 * after a network blip): the next attempt waits at least the server's `retryAfterS`.
 */
export async function resumeWithBackoff<T>(options: ResumeLoopOptions<T>): Promise<ResumeOutcome<T>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const aborted = options.aborted ?? (() => false);
  let notBeforeMs = 0;
  for (let attempt = 0; ; attempt++) {
    const delay = Math.max(backoffDelayMs(attempt, options.baseDelayMs, options.maxDelayMs), notBeforeMs - now());
    if (now() + delay > options.deadlineMs) return { ok: false, reason: "expired" };
    await sleep(delay);
    if (aborted()) return { ok: false, reason: "aborted" };
    try {
      return { ok: true, value: await options.attempt() };
    } catch (error) {
      if (aborted()) return { ok: false, reason: "aborted" };
      if (isRelaisError(error, "RATE_LIMITED")) {
        const retryAfterS = Number(error.details?.retryAfterS);
        notBeforeMs = now() + (Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : (options.maxDelayMs ?? 2000));
        continue;
      }
      if (!isTransientSignalError(error) && !isRelaisError(error, "SIGNAL_TIMEOUT")) {
        return { ok: false, reason: "rejected", error };
      }
    }
  }
}
