/**
 * When to try a failed webhook delivery again. Pure: the caller passes the
 * clock and the random source.
 *
 *   failed attempt   1    2     3    4     5    6    7+
 *   backoff cap      5 s  30 s  2 m  10 m  1 h  3 h  6 h (repeats)
 *
 * The wait is drawn uniformly from [0, cap] ("full jitter", as in AWS's
 * "Exponential Backoff And Jitter"), so receivers that failed together do not
 * get their retries in lockstep. A delivery keeps being retried until it is
 * older than `maxAgeMs` (24 h by default) when an attempt fails: then it is dead.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR];
export const DEFAULT_MAX_RETRY_AGE_MS = 24 * HOUR;

export interface RetryPolicy {
  scheduleMs: readonly number[];
  maxAgeMs: number;
}

/**
 * The time of the next attempt after failed attempt number `attempts` (1 = the
 * first try failed), or null when the delivery is to be given up. A receiver's
 * `Retry-After` lengthens the wait, bounded by the schedule's longest step.
 */
export function nextAttemptAt(o: {
  policy: RetryPolicy;
  attempts: number;
  createdAt: number;
  now: number;
  random: () => number;
  retryAfterMs?: number | null;
}): number | null {
  const { scheduleMs, maxAgeMs } = o.policy;
  if (scheduleMs.length === 0 || o.now - o.createdAt >= maxAgeMs) return null;
  const cap = scheduleMs[Math.min(Math.max(o.attempts, 1), scheduleMs.length) - 1]!;
  let wait = Math.floor(o.random() * cap);
  if (o.retryAfterMs) wait = Math.max(wait, Math.min(o.retryAfterMs, Math.max(...scheduleMs)));
  return o.now + wait;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * SECOND;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
