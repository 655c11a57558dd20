import type { MonitorEvents, StatusChangedEvent } from './monitor-topics.js';

/** How many transitions, and for how long, are kept: beyond the time it takes to write them. */
const MAX_KEPT = 10_000;
const KEPT_FOR_MS = 60_000;

export interface RecentTransitions {
  /** Transitions this process saw (its own and other replicas') after `afterId`, in id order. */
  after(afterId: string, serviceIds: ReadonlySet<string> | null): StatusChangedEvent[];
  stop(): void;
}

/**
 * The transitions seen on the event bus in the last minute. A transition is published the moment
 * it is detected and stored some 50 ms later (longer while the database is away), so a replay
 * that reads only the database could miss one published just before its live subscription began.
 */
export function createRecentTransitions(events: MonitorEvents, now: () => number = Date.now): RecentTransitions {
  const kept: { event: StatusChangedEvent; seenAt: number }[] = [];
  const unsubscribe = events.subscribe('statusChanged', null, (event) => {
    const t = now();
    kept.push({ event, seenAt: t });
    while (kept.length > MAX_KEPT || (kept.length > 0 && kept[0]!.seenAt < t - KEPT_FOR_MS)) kept.shift();
  });
  return {
    after(afterId, serviceIds) {
      return kept
        .map((k) => k.event)
        .filter((e) => e.id > afterId && (serviceIds === null || serviceIds.has(e.serviceId)))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    stop: unsubscribe,
  };
}
