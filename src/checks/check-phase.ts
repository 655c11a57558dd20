import { MAX_START_SPREAD_MS, NEW_JOB_WINDOW_MS } from '../schedule/scheduler.js';
import type { CheckDefinition } from './check-definition.js';
import type { ServiceState } from './service-state.js';

/**
 * After a restart, a service checked recently keeps its phase (due one interval after its last
 * check); one that is overdue or never checked starts at a random point of its first interval
 * (at most a minute), so a restart does not check everything at once.
 */
export function firstDueAt(service: CheckDefinition, state: ServiceState, nowMs: number): number {
  const intervalMs = service.intervalSeconds * 1000;
  const last = state.lastCheckedAt?.getTime();
  if (last !== undefined && last + intervalMs > nowMs && last <= nowMs) return last + intervalMs;
  return nowMs + Math.random() * Math.max(NEW_JOB_WINDOW_MS, Math.min(intervalMs, MAX_START_SPREAD_MS));
}

/**
 * A service taken over from another replica keeps its phase when its last check is recent (no
 * double check at the handover); an overdue one is checked within a second.
 */
export function adoptedDueAt(service: CheckDefinition, state: ServiceState, nowMs: number): number {
  const intervalMs = service.intervalSeconds * 1000;
  const last = state.lastCheckedAt?.getTime();
  // Never checked (just registered): within half a second, so a new service is checked within one.
  if (last === undefined) return nowMs + Math.random() * Math.min(NEW_JOB_WINDOW_MS / 2, intervalMs);
  const next = last + intervalMs;
  return next > nowMs ? next : nowMs + Math.random() * Math.min(NEW_JOB_WINDOW_MS, intervalMs);
}
