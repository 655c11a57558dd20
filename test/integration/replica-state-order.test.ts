import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type Monitor } from '../../src/checks/monitor.js';
import {
  createEventPublisher,
  EVENT_BATCH_MS,
  type MonitorTopics,
  reviveEventDates,
} from '../../src/checks/monitor-topics.js';
import { createStatusCache, type StatusCache } from '../../src/checks/status-cache.js';
import { followRemoteEvents } from '../../src/cluster/follow-remote.js';
import { createEventBus, type EventBus, type RemoteTransport } from '../../src/events/event-bus.js';
import { createLogger } from '../../src/logger.js';
import { createProber } from '../../src/probe/kinds.js';
import { createServiceDirectory } from '../../src/registry/directory.js';
import type { ServiceRecord } from '../../src/registry/registry.js';
import { createServiceSync } from '../../src/sync/service-sync.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

/**
 * Two replicas in one process, joined by an in-memory transport that keeps Redis's guarantees
 * (one channel per topic, in order per channel, nothing across channels): the real event bus
 * (statusChanged at once, checkCompleted in batches), monitors, syncs and followers. What the
 * cross-replica test on Redis shows half the time, this shows every time, without a database.
 */
function linkedTransports(count: number): RemoteTransport[] {
  const listeners = new Map<string, ((message: string) => void)[]>();
  return Array.from({ length: count }, () => ({
    send(topic, message) {
      for (const listener of listeners.get(topic) ?? []) setImmediate(listener, message);
    },
    listen(topic, onMessage) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), onMessage]);
    },
    onReset() {},
    close: async () => {},
  }));
}

function row(id: string, url: string, dependsOn: string[] = []): ServiceRecord {
  return {
    id,
    name: id,
    kind: 'HTTP',
    url,
    kindOptions: {},
    method: 'GET',
    headers: [],
    intervalSeconds: 3_600,
    timeoutMs: 2_000,
    expectedStatus: '200-299',
    bodyContains: null,
    failureThreshold: 1,
    successThreshold: 1,
    degradedAboveMs: null,
    assertions: [],
    labels: [],
    paused: false,
    managedBy: null,
    configRefs: null,
    pushTokenHash: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    dependencies: dependsOn.map((dependsOnId) => ({ dependsOnId })),
  };
}

interface Replica {
  events: EventBus<MonitorTopics>;
  cache: StatusCache;
  monitor: Monitor;
}

describe('states of one service heard by several paths', () => {
  let target: Target;
  const logger = createLogger('silent');
  const prober = createProber({ userAgent: 'test' });
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  const startReplica = (transport: RemoteTransport, rows: ServiceRecord[], owned: string): Replica => {
    const events = createEventBus<MonitorTopics>({
      logger,
      remote: transport,
      batchMs: EVENT_BATCH_MS,
      reviver: reviveEventDates,
    });
    const cache = createStatusCache();
    const monitor = createMonitor({
      prober,
      ownership: { owns: (id) => id === owned, accepts: (id) => id === owned },
      cache,
      sinks: [createEventPublisher(events)],
      logger,
      concurrency: 4,
    });
    const sync = createServiceSync({ directory: createServiceDirectory(), monitor, cache });
    sync.load(rows, new Map());
    // Resyncs and remote definition changes read these; this test makes neither happen.
    followRemoteEvents({
      events,
      sync,
      monitor,
      registry: { get: async (id) => rows.find((r) => r.id === id) ?? null, listAll: async () => rows },
      history: { loadStates: async () => new Map() },
      logger,
    });
    return { events, cache, monitor };
  };

  it('a child re-judged UNREACHABLE stays so on the parent replica, though its DOWN check arrives after', async () => {
    target.respondWith('/switch/order-parent', 200);
    target.respondWith('/switch/order-child', 200);
    const rows = [
      row('parent', target.url('/switch/order-parent')),
      row('child', target.url('/switch/order-child'), ['parent']),
    ];
    const [p, c] = linkedTransports(2) as [RemoteTransport, RemoteTransport];
    const parentReplica = startReplica(p, rows, 'parent');
    const childReplica = startReplica(c, rows, 'child');
    try {
      await parentReplica.monitor.checkNow('parent');
      await childReplica.monitor.checkNow('child');
      for (const r of [parentReplica, childReplica]) {
        await eventually(() => (r.cache.get('child')?.status === 'UP' ? true : undefined), 2_000, 'child UP');
        await eventually(() => (r.cache.get('parent')?.status === 'UP' ? true : undefined), 2_000, 'parent UP');
      }
      // Wait out the batches of those first checks.
      await new Promise((resolve) => setTimeout(resolve, EVENT_BATCH_MS.checkCompleted * 2));

      // The child fails first; its parent a moment later, well within one checkCompleted batch.
      target.respondWith('/switch/order-child', 503);
      target.respondWith('/switch/order-parent', 503);
      expect((await childReplica.monitor.checkNow('child'))?.status).toBe('DOWN');
      expect((await parentReplica.monitor.checkNow('parent'))?.status).toBe('DOWN');
      await eventually(
        () => (childReplica.cache.get('child')?.status === 'UNREACHABLE' ? true : undefined),
        2_000,
        'the child re-judged on its replica',
      );
      // Every batch delivered (the child's DOWN check among them), and the parent's replica agrees.
      await new Promise((resolve) => setTimeout(resolve, EVENT_BATCH_MS.checkCompleted * 3));
      expect(parentReplica.cache.get('child')).toMatchObject({ status: 'UNREACHABLE', rootCause: 'parent' });
      expect(parentReplica.cache.get('child')).toEqual(childReplica.cache.get('child'));
    } finally {
      for (const r of [parentReplica, childReplica]) {
        await r.monitor.stop();
        await r.events.close();
      }
    }
  });
});
