import { vi } from 'vitest';
import type { WaitClock } from './wait.js';

/**
 * Time for a unit test under `vi.useFakeTimers()`: waiting advances the fake clock (running every
 * timer due meanwhile, and the promises they settle), so a test never depends on how fast the
 * machine is.
 */
export const fakeClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms) => vi.advanceTimersByTimeAsync(ms),
};
