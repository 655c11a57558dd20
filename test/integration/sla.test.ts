import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET_COUNT, bucketIndex } from '../../src/history/latency-histogram.js';
import { pruneAndCompact } from '../../src/history/retention.js';
import { requestStatements, startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const globalId = (id: string) => Buffer.from(`Service:${id}`).toString('base64');

describe.each(DATABASE_KINDS)('SLA and uptime over any range on %s', (kind) => {
  let t: TestApp;
  const now = Date.now();
  beforeAll(async () => {
    t = await startTestApp(kind, { env: { SCHEDULER_ENABLED: 'false' }, now: () => new Date(now) });
  });
  afterAll(() => t?.close());

  const register = async (name: string) =>
    (await t.app.testing.registry.register({ name, url: 'http://127.0.0.1:9/', intervalSeconds: 60 })).id;
  const transitions = (serviceId: string, changes: [number, string, string][]) =>
    t.app.testing.prisma.statusChange.createMany({
      data: changes.map(([at, previous, current]) => ({
        serviceId,
        at: new Date(at),
        previous: previous as never,
        current: current as never,
      })),
    });

  it('uptimeBetween across hourly and per-minute rollups equals the figure from the raw checks', async () => {
    const id = await register('ranged');
    // Three days of per-minute rollups, a known pattern of failures; then the older ones compacted.
    const raw: { minute: number; checks: number; failures: number }[] = [];
    for (let m = floorTo(now - 3 * DAY, MINUTE); m < now - HOUR; m += MINUTE) {
      const i = m / MINUTE;
      raw.push({ minute: m, checks: 2, failures: i % 7 === 0 ? 2 : i % 5 === 0 ? 1 : 0 });
    }
    await t.app.testing.prisma.checkRollup.createMany({
      data: raw.map((r) => ({
        serviceId: id,
        minute: new Date(r.minute),
        checks: r.checks,
        failures: r.failures,
        degraded: 0,
        latencySumMs: 10 * r.checks,
        latencyMinMs: 10,
        latencyMaxMs: 10,
        latencyBuckets: Array.from({ length: BUCKET_COUNT }, (_, b) => (b === bucketIndex(10) ? r.checks : 0)),
      })),
    });
    await pruneAndCompact(t.app.testing.prisma, new Date(now), 90);
    const old = await t.app.testing.prisma.checkRollup.findMany({
      where: { serviceId: id, minute: { lt: new Date(now - 2 * DAY - HOUR) } },
    });
    // About a day of hourly rows where there were 1,440 per-minute ones.
    expect(old.length).toBeGreaterThan(20);
    expect(old.length).toBeLessThan(30);
    expect(old.every((r) => r.minute.getTime() % HOUR === 0)).toBe(true);

    const from = floorTo(now - 3 * DAY, HOUR) + HOUR;
    const to = floorTo(now - 2 * HOUR, MINUTE);
    const inRange = raw.filter((r) => r.minute >= from && r.minute < to);
    const checks = inRange.reduce((n, r) => n + r.checks, 0);
    const failures = inRange.reduce((n, r) => n + r.failures, 0);
    const { body } = await t.raw(
      'query ($id: ID!, $from: DateTime!, $to: DateTime!) { service(id: $id) { uptimeBetween(from: $from, to: $to) } }',
      { id: globalId(id), from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    );
    expect(body.errors).toBeUndefined();
    const uptime = (body.data as { service: { uptimeBetween: number } }).service.uptimeBetween;
    expect(uptime).toBeCloseTo((checks - failures) / checks, 12);
    expect(uptime).toBeLessThan(1);
  });

  it('refuses a reversed range and one before the retention, naming the argument', async () => {
    const id = await register('ranged-bad');
    const ask = (from: number, to: number) =>
      t.raw(
        'query ($id: ID!, $from: DateTime!, $to: DateTime!) { service(id: $id) { uptimeBetween(from: $from, to: $to) } }',
        { id: globalId(id), from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      );
    const reversed = await ask(now, now - HOUR);
    expect(reversed.body.errors?.[0]).toMatchObject({
      message: 'to: must be after from',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const ancient = await ask(now - 200 * DAY, now);
    expect(ancient.body.errors?.[0]?.message).toMatch(/^from: is before the retention/);
  });

  it('99.9 % over 30 days with 20 minutes down: 2,592 s allowed, 1,200 s used, ≈ 0.537 left', async () => {
    const id = await register('sla-20min');
    const downAt = now - 10 * DAY;
    await transitions(id, [
      [now - 40 * DAY, 'UNKNOWN', 'UP'],
      [downAt, 'UP', 'DOWN'],
      [downAt + 20 * MINUTE, 'DOWN', 'UP'],
    ]);
    const { body } = await t.raw(
      'query ($id: ID!) { service(id: $id) { sla(objective: 0.999, window: LAST_30_DAYS) { objective uptime allowedDowntimeSeconds downtimeSeconds errorBudgetRemaining burnRate } } }',
      { id: globalId(id) },
    );
    expect(body.errors).toBeUndefined();
    const sla = (body.data as { service: { sla: Record<string, number> } }).service.sla;
    expect(sla).toMatchObject({ objective: 0.999, allowedDowntimeSeconds: 2_592, downtimeSeconds: 1_200, burnRate: 0 });
    expect(sla.errorBudgetRemaining).toBeCloseTo(0.537, 3);
    expect(sla.uptime).toBeCloseTo(1 - 1_200 / (30 * 86_400), 9);
  });

  it('burns the budget 500 × too fast while down for the last half hour; a bad objective is refused', async () => {
    const id = await register('sla-burning');
    await transitions(id, [
      [now - 2 * DAY, 'UNKNOWN', 'UP'],
      [now - 30 * MINUTE, 'UP', 'DOWN'],
    ]);
    const { body } = await t.raw(
      'query ($id: ID!) { service(id: $id) { sla(objective: 0.999, window: LAST_24_HOURS) { downtimeSeconds burnRate } } }',
      { id: globalId(id) },
    );
    const sla = (body.data as { service: { sla: { downtimeSeconds: number; burnRate: number } } }).service.sla;
    expect(sla.downtimeSeconds).toBe(1_800);
    expect(sla.burnRate).toBeCloseTo(500, 6);
    const bad = await t.raw(
      'query ($id: ID!) { service(id: $id) { sla(objective: 99.9, window: LAST_HOUR) { uptime } } }',
      {
        id: globalId(id),
      },
    );
    expect(bad.body.errors?.[0]?.message).toBe('objective: must be a share between 0 and 1, e.g. 0.999');
  });

  it('answers a page of services with sla and uptimeBetween in a constant number of statements', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await register(`sla-page-${String(i).padStart(2, '0')}`));
    for (const id of ids) await transitions(id, [[now - DAY, 'UNKNOWN', 'UP']]);
    const statementsFor = async (first: number) => {
      t.queries.length = 0;
      const { body } = await t.raw(
        `query ($first: Int!, $from: DateTime!, $to: DateTime!) { services(first: $first, filter: { search: "sla-page-" }) { edges { node {
           name sla(objective: 0.999, window: LAST_30_DAYS) { downtimeSeconds errorBudgetRemaining }
           week: sla(objective: 0.99, window: LAST_7_DAYS) { downtimeSeconds }
           uptimeBetween(from: $from, to: $to) } } } }`,
        { first, from: new Date(now - 7 * DAY).toISOString(), to: new Date(now).toISOString() },
      );
      expect(body.errors).toBeUndefined();
      const edges = (body.data as { services: { edges: { node: { sla: { downtimeSeconds: number } } }[] } }).services
        .edges;
      expect(edges).toHaveLength(first);
      expect(edges.every((e) => e.node.sla.downtimeSeconds === 0)).toBe(true);
      return requestStatements(t.queries).length;
    };
    const two = await statementsFor(2);
    const fifty = await statementsFor(50);
    console.log(
      `a page of 50 services with two sla fields and uptimeBetween: ${fifty} SQL statements (a page of 2: ${two})`,
    );
    expect(fifty).toBe(two);
    expect(fifty).toBeLessThanOrEqual(6);
  });
});
