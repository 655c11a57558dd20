/** A service is flapping when it changed status more than this many times ... */
export const FLAP_CHANGES = 5;
/** ... within this window; */
export const FLAP_WINDOW_MS = 10 * 60_000;
/** and is stable again after this long without a change. */
export const STABLE_AFTER_MS = 5 * 60_000;

export interface FlapDetector {
  /** Whether the service is flapping at `at`, after recording its transition (if `changed`). */
  observe(serviceId: string, changed: boolean, at: Date): boolean;
  forget(serviceId: string): void;
}

/**
 * Flapping on top of thresholds, in memory: the same rule the outbox applies in the database
 * to hold notifications (notify/outbox-create-sql.ts), so ServiceState.flapping says why a person
 * was not told. Keeps at most FLAP_CHANGES + 1 instants per service.
 */
export function createFlapDetector(): FlapDetector {
  const changes = new Map<string, number[]>();
  const flapping = new Set<string>();
  return {
    observe(serviceId, changed, at) {
      const t = at.getTime();
      let times = changes.get(serviceId);
      if (changed) {
        times = (times ?? []).filter((c) => c > t - FLAP_WINDOW_MS).slice(-FLAP_CHANGES);
        times.push(t);
        changes.set(serviceId, times);
        if (times.length > FLAP_CHANGES) flapping.add(serviceId);
      }
      const last = times?.at(-1);
      if (flapping.has(serviceId) && last !== undefined && t - last >= STABLE_AFTER_MS) flapping.delete(serviceId);
      return flapping.has(serviceId);
    },
    forget(serviceId) {
      changes.delete(serviceId);
      flapping.delete(serviceId);
    },
  };
}
