/**
 * The one way tests (and benchmarks) wait for something to become true: poll, and fail with what
 * was awaited once the time is up.
 */

/** How a wait passes time. Real time by default; unit tests under fake timers pass `fakeClock`. */
export interface WaitClock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

export const realClock: WaitClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What `eventually` rejects with when the time is up (an error of the probe itself passes through). */
export class WaitTimedOut extends Error {
  override name = 'WaitTimedOut';
}

export interface WaitOptions {
  /** Between two polls (default 25 ms). */
  intervalMs?: number;
  clock?: WaitClock;
}

/**
 * Polls `probe` until it returns a value that is not undefined, and resolves with it; rejects
 * naming `what` when `timeoutMs` passed first, or with the probe's own error. (Return `undefined`,
 * not `false`, for "not yet".)
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5_000,
  what = 'condition',
  { intervalMs = 25, clock = realClock }: WaitOptions = {},
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (clock.now() > deadline) throw new WaitTimedOut(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await clock.sleep(intervalMs);
  }
}
