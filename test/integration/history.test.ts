import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckServiceNowDocument,
  RegisterServiceDocument,
  ServiceByIdDocument,
  ServiceHistoryDocument,
  type UptimeWindow,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { dbId } from '../support/notify.js';
import { startTarget, type Target } from '../support/target-fixture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(DATABASE_KINDS)('history on %s', (kind) => {
  let target: Target;
  let database: TestDatabase;
  let t: TestApp;
  // The clock of checks and history; the test moves it instead of waiting.
  let clock = Date.parse('2026-03-01T10:00:00.000Z');
  const now = () => new Date(clock);
  let serviceId: string;

  beforeAll(async () => {
    target = await startTarget();
    database = await createTestDatabase(kind);
    // No scheduler: the only checks are the ones this test forces, at the times it chooses.
    t = await startTestApp(kind, { database, now, env: { SCHEDULER_ENABLED: 'false' } });
    target.respondWith('/switch/history', 200);
    const { registerService } = await t.run(RegisterServiceDocument, {
      input: {
        name: 'history',
        url: target.url('/switch/history'),
        intervalSeconds: 60,
        degradedAboveMs: 4_000,
        failureThreshold: 2,
      },
    });
    if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
    serviceId = registerService.service.id;
  });
  afterAll(async () => {
    await t?.stop();
    await database?.dispose();
    await target?.close();
  });

  const check = async (status: number) => {
    target.respondWith('/switch/history', status);
    const { checkServiceNow } = await t.run(CheckServiceNowDocument, { id: serviceId });
    if (checkServiceNow.__typename !== 'ServicePayload') throw new Error(JSON.stringify(checkServiceNow));
    return checkServiceNow.service.state;
  };
  const stats = async (window: UptimeWindow) =>
    (await t.run(ServiceHistoryDocument, { id: serviceId, window, first: 50 })).service!;
  const rollupRows = () =>
    t.app.testing.prisma.checkRollup.findMany({
      orderBy: { minute: 'asc' },
      select: { minute: true, checks: true, failures: true, latencyBuckets: true },
    });

  /** A check through the monitor alone: nothing is written until the history flushes. */
  const checkBuffered = async (status: number) => {
    target.respondWith('/switch/history', status);
    const row = await t.app.testing.registry.findByName('history');
    await t.app.testing.checkNow(row!.id);
  };

  it('counts a known sequence per minute, before and after it is written', async () => {
    await check(200); // UNKNOWN -> UP: written at once
    // Let the write the transition scheduled (50 ms later) happen before the checks below.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await rollupRows()).map((r) => r.checks)).toEqual([1]);
    // One failure is below failureThreshold 2: no transition, so nothing forces a write.
    for (const status of [200, 500, 200]) await checkBuffered(status);
    clock += MINUTE;
    for (const status of [200, 200]) await checkBuffered(status);

    // Not written yet, and the buffered checks already count.
    expect((await rollupRows()).map((r) => r.checks)).toEqual([1]);
    expect((await stats('LAST_HOUR')).uptime).toBeCloseTo(5 / 6, 10);

    await t.app.testing.history.flush();
    const rows = await rollupRows();
    expect(rows.map((r) => ({ minute: r.minute.toISOString(), checks: r.checks, failures: r.failures }))).toEqual([
      { minute: '2026-03-01T10:00:00.000Z', checks: 4, failures: 1 },
      { minute: '2026-03-01T10:01:00.000Z', checks: 2, failures: 0 },
    ]);
    for (const row of rows) expect(row.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(row.checks);

    const hour = await stats('LAST_HOUR');
    expect(hour.uptime).toBeCloseTo(5 / 6, 10);
    expect(hour.latency).toMatchObject({ checks: 6, failures: 1, degraded: 0 });
    expect(hour.latency!.p50Ms).toBeGreaterThan(0);
    expect(hour.latency!.minMs).toBeLessThanOrEqual(hour.latency!.p50Ms!);
    expect(hour.latency!.p99Ms).toBeLessThanOrEqual(hour.latency!.maxMs);
  });

  it('keeps each window to its own span', async () => {
    clock += 2 * HOUR;
    for (const status of [503, 503, 200]) await check(status);
    expect((await stats('LAST_HOUR')).uptime).toBeCloseTo(1 / 3, 10);
    expect((await stats('LAST_24_HOURS')).uptime).toBeCloseTo(6 / 9, 10);

    clock += 31 * DAY;
    expect((await stats('LAST_30_DAYS')).uptime).toBeNull();
    expect((await stats('LAST_30_DAYS')).latency).toBeNull();
    clock -= 31 * DAY;
  });

  it('records each transition once, newest first, with the message that caused it', async () => {
    const { statusChanges } = await stats('LAST_HOUR');
    expect(statusChanges.edges.map((e) => [e.node.previous, e.node.current, e.node.message])).toEqual([
      ['DOWN', 'UP', expect.stringMatching(/^HTTP 200 in \d+ ms$/)],
      ['UP', 'DOWN', 'expected 200-299, got 503'],
      ['UNKNOWN', 'UP', expect.stringMatching(/^HTTP 200 in \d+ ms$/)],
    ]);
    expect(await t.app.testing.prisma.statusChange.count()).toBe(3);
    const page = await t.run(ServiceHistoryDocument, { id: serviceId, window: 'LAST_HOUR', first: 2 });
    const next = await t.run(ServiceHistoryDocument, {
      id: serviceId,
      window: 'LAST_HOUR',
      first: 2,
      after: page.service!.statusChanges.pageInfo.endCursor,
    });
    expect(page.service!.statusChanges.pageInfo.hasNextPage).toBe(true);
    expect(next.service!.statusChanges.edges.map((e) => e.node.previous)).toEqual(['UNKNOWN']);
    expect(next.service!.statusChanges.pageInfo.hasNextPage).toBe(false);
  });

  it('remembers the last state across a restart', async () => {
    const before = (await t.run(ServiceByIdDocument, { id: serviceId })).service!.state;
    expect(before.status).toBe('UP');
    // The version orders this state against any other copy of it (a replica's resync keeps the newer).
    const version = t.app.testing.cache.get(dbId(serviceId))?.version;
    expect(version).toBeGreaterThan(0);
    await t.stop();
    t = await startTestApp(kind, { database, now, env: { SCHEDULER_ENABLED: 'false' } });
    const after = (await t.run(ServiceByIdDocument, { id: serviceId })).service!.state;
    expect(after).toEqual(before);
    expect(t.app.testing.cache.get(dbId(serviceId))?.version).toBe(version);
    expect((await stats('LAST_24_HOURS')).statusChanges.edges).toHaveLength(3);
  });

  it('compacts minutes older than two days into hours without changing the figures, and prunes past the retention', async () => {
    const weekBefore = await stats('LAST_7_DAYS');
    clock += 3 * DAY;
    await t.app.testing.history.pruneNow();
    const rows = await rollupRows();
    expect(rows.map((r) => ({ minute: r.minute.toISOString(), checks: r.checks, failures: r.failures }))).toEqual([
      { minute: '2026-03-01T10:00:00.000Z', checks: 6, failures: 1 },
      { minute: '2026-03-01T12:00:00.000Z', checks: 3, failures: 2 },
    ]);
    const weekAfter = await stats('LAST_7_DAYS');
    expect(weekAfter.uptime).toBe(weekBefore.uptime);
    expect(weekAfter.latency).toEqual(weekBefore.latency);

    clock += 90 * DAY;
    await t.app.testing.history.pruneNow();
    expect(await rollupRows()).toEqual([]);
    expect(await t.app.testing.prisma.statusChange.count()).toBe(0);
  });
});
