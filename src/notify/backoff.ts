/** First retry after about this long ... */
export const FIRST_RETRY_MS = 10_000;
/** ... doubling up to this ... */
export const MAX_RETRY_MS = 10 * 60_000;
/** ... for this long after the transition, then FAILED. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/** ±20 %, so deliveries failing together do not all come back together. */
const JITTER = 0.2;

/**
 * When to try a delivery again after its `attempts`-th attempt failed, or null to give up.
 * `retryAfterMs` (the receiver's Retry-After) wins over the schedule when given.
 */
export interface RetrySchedule {
  firstMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

export const RETRY_SCHEDULE: RetrySchedule = {
  firstMs: FIRST_RETRY_MS,
  maxMs: MAX_RETRY_MS,
  giveUpAfterMs: GIVE_UP_AFTER_MS,
};

export function nextAttemptAt(
  createdAt: Date,
  attempts: number,
  now: Date,
  retryAfterMs: number | undefined,
  schedule: RetrySchedule = RETRY_SCHEDULE,
  random: () => number = Math.random,
): Date | null {
  const base = Math.min(schedule.firstMs * 2 ** Math.max(0, attempts - 1), schedule.maxMs);
  const delay = retryAfterMs ?? Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  const at = now.getTime() + delay;
  return at - createdAt.getTime() > schedule.giveUpAfterMs ? null : new Date(at);
}
