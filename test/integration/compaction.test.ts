import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET_COUNT, bucketIndex } from '../../src/history/latency-histogram.js';
import { pruneAndCompact } from '../../src/history/retention.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(DATABASE_KINDS)('hourly compaction of rollups on %s', (kind) => {
  let t: TestApp;
  const now = Date.parse('2026-03-10T12:00:00.000Z');
  beforeAll(async () => {
    t = await startTestApp(kind, { env: { SCHEDULER_ENABLED: 'false' }, now: () => new Date(now) });
  });
  afterAll(() => t?.close());

  const register = async (name: string) =>
    (await t.app.testing.registry.register({ name, url: 'http://127.0.0.1:9/', intervalSeconds: 60 })).id;
  const rollup = (serviceId: string, minute: number, checks: number, failures: number, buckets: number[]) => ({
    serviceId,
    minute: new Date(minute),
    checks,
    failures,
    degraded: 0,
    latencySumMs: 10 * checks,
    latencyMinMs: 10,
    latencyMaxMs: 10,
    latencyBuckets: buckets,
  });
  const withChecks = (checks: number) =>
    Array.from({ length: BUCKET_COUNT }, (_, b) => (b === bucketIndex(10) ? checks : 0));

  it('keeps the checks of minutes whose latency buckets are empty', async () => {
    const id = await register('empty-buckets');
    const hour = now - 3 * DAY; // 2026-03-07T12:00Z, past the two days after which minutes become hours
    await t.app.testing.prisma.checkRollup.createMany({
      data: [
        // An hour with no buckets at all (rows written before buckets existed, or by hand).
        rollup(id, hour + 5 * MINUTE, 3, 1, []),
        rollup(id, hour + 6 * MINUTE, 2, 0, []),
        // An hour mixing an empty row with a bucketed one, and the hour's own row already there.
        rollup(id, hour + HOUR, 4, 0, withChecks(4)),
        rollup(id, hour + HOUR + 1 * MINUTE, 1, 1, []),
        rollup(id, hour + HOUR + 2 * MINUTE, 2, 0, withChecks(2)),
        // The hour's own row without buckets, a minute with them.
        rollup(id, hour + 2 * HOUR, 1, 0, []),
        rollup(id, hour + 2 * HOUR + 30 * MINUTE, 3, 0, withChecks(3)),
      ],
    });
    await pruneAndCompact(t.app.testing.prisma, new Date(now), 90);
    const rows = await t.app.testing.prisma.checkRollup.findMany({
      where: { serviceId: id },
      orderBy: { minute: 'asc' },
    });
    expect(rows.map((r) => ({ minute: r.minute.toISOString(), checks: r.checks, failures: r.failures }))).toEqual([
      { minute: '2026-03-07T12:00:00.000Z', checks: 5, failures: 1 },
      { minute: '2026-03-07T13:00:00.000Z', checks: 7, failures: 1 },
      { minute: '2026-03-07T14:00:00.000Z', checks: 4, failures: 0 },
    ]);
    expect(rows[0]!.latencyBuckets).toEqual([]);
    // Buckets still count what they counted; the empty row adds nothing to them.
    expect(rows[1]!.latencyBuckets).toEqual(withChecks(6));
    expect(rows[2]!.latencyBuckets).toEqual(withChecks(3));
  });
});
