import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { bodyOf, createChannel, dbId, FAST_NOTIFY } from '../support/notify.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { startTarget, type Target } from '../support/target-fixture.js';

const MINUTE = 60_000;
const WINDOW_FIELDS = 'id name startsAt endsAt recurrence timezone labels active upcoming(count: 3) services { name }';
const RESULT = `__typename ... on MaintenanceWindowPayload { window { ${WINDOW_FIELDS} } } ... on ValidationError { field message } ... on NotFoundError { message }`;

interface WindowResult {
  __typename: string;
  field?: string;
  message?: string;
  window?: { id: string; name: string; active: boolean; upcoming: string[]; services: { name: string }[] };
}

describe.each(DATABASE_KINDS)('maintenance windows on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  let receiver: Receiver;
  // The clock of checks, history, windows and the outbox; the test moves it minute by minute.
  const start = Date.parse('2026-03-01T10:00:00.000Z');
  let clock = start;
  const now = () => new Date(clock);

  beforeAll(async () => {
    target = await startTarget();
    receiver = await startReceiver();
    t = await startTestApp(kind, { now, notify: FAST_NOTIFY, env: { SCHEDULER_ENABLED: 'false' } });
    await createChannel(t, { name: 'everything', url: receiver.url(), isDefault: true });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
    await receiver?.close();
  });

  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const { body } = await t.raw(query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  };
  const createWindow = async (input: Record<string, unknown>) =>
    (
      await gql<{ createMaintenanceWindow: WindowResult }>(
        `mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { ${RESULT} } }`,
        { input },
      )
    ).createMaintenanceWindow;
  const register = async (name: string, labels: string[] = []) => {
    target.respondWith(`/switch/${name}`, 200);
    const { registerService: r } = await gql<{ registerService: { service: { id: string } } }>(
      `mutation ($input: RegisterServiceInput!) { registerService(input: $input) { ... on ServicePayload { service { id } } } }`,
      { input: { name, url: target.url(`/switch/${name}`), intervalSeconds: 60, labels } },
    );
    return r.service.id;
  };
  const check = async (name: string, id: string, status: number) => {
    target.respondWith(`/switch/${name}`, status);
    const { checkServiceNow } = await gql<{ checkServiceNow: { service: { state: { status: string } } } }>(
      `mutation ($id: ID!) { checkServiceNow(id: $id) { ... on ServicePayload { service { state { status } } } } }`,
      { id },
    );
    return checkServiceNow.service.state.status;
  };
  const state = async (id: string) =>
    (
      await gql<{ service: { state: { status: string; maintenance: { name: string } | null } } }>(
        'query ($id: ID!) { service(id: $id) { state { status maintenance { name } } } }',
        { id },
      )
    ).service.state;

  it('refuses a bad definition with a typed error naming the field', async () => {
    const good = {
      name: 'nightly',
      startsAt: '2026-03-02T02:00:00Z',
      endsAt: '2026-03-02T03:00:00Z',
      recurrence: 'FREQ=DAILY',
      timezone: 'Europe/Paris',
    };
    const refused = async (input: Record<string, unknown>) => {
      const r = await createWindow({ ...good, ...input });
      expect(r.__typename).toBe('ValidationError');
      return r.field;
    };
    expect(await refused({ recurrence: 'FREQ=SOMETIMES' })).toBe('recurrence');
    expect(await refused({ recurrence: 'FREQ=DAILY\u0000' })).toBe('recurrence');
    expect(await refused({ timezone: 'UTC\u0000' })).toBe('timezone');
    expect(await refused({ timezone: 'Mars/Olympus_Mons' })).toBe('timezone');
    expect(await refused({ endsAt: good.startsAt })).toBe('endsAt');
    expect(await refused({ endsAt: '2026-03-02T01:00:00Z' })).toBe('endsAt');
    const unknown = Buffer.from('Service:00000000-0000-4000-8000-000000000000').toString('base64');
    expect(await refused({ serviceIds: [unknown] })).toBe('serviceIds[0]');
    expect(await refused({ name: ' ' })).toBe('name');
    expect(await refused({ labels: ['Not A Label'] })).toBe('labels[0]');
    expect((await gql<{ maintenanceWindows: unknown[] }>('{ maintenanceWindows { id } }')).maintenanceWindows).toEqual(
      [],
    );

    const created = await createWindow(good);
    expect(created.__typename).toBe('MaintenanceWindowPayload');
    expect(created.window!.upcoming).toEqual([
      '2026-03-02T02:00:00.000Z', // 03:00 in Paris (UTC+1), as startsAt
      '2026-03-03T02:00:00.000Z',
      '2026-03-04T02:00:00.000Z',
    ]);
    expect(await refused({ name: 'nightly' })).toBe('name');
    const updated = (
      await gql<{ updateMaintenanceWindow: WindowResult }>(
        `mutation ($id: ID!, $input: MaintenanceWindowInput!) { updateMaintenanceWindow(id: $id, input: $input) { ${RESULT} } }`,
        { id: created.window!.id, input: { ...good, recurrence: 'FREQ=WEEKLY;BYDAY=SU' } },
      )
    ).updateMaintenanceWindow;
    expect(updated.window!.upcoming[0]).toBe('2026-03-08T02:00:00.000Z');
    const deleted = (
      await gql<{ deleteMaintenanceWindow: WindowResult }>(
        `mutation ($id: ID!) { deleteMaintenanceWindow(id: $id) { ${RESULT} } }`,
        { id: created.window!.id },
      )
    ).deleteMaintenanceWindow;
    expect(deleted.__typename).toBe('MaintenanceWindowPayload');
    const again = (
      await gql<{ deleteMaintenanceWindow: WindowResult }>(
        `mutation ($id: ID!) { deleteMaintenanceWindow(id: $id) { ${RESULT} } }`,
        { id: created.window!.id },
      )
    ).deleteMaintenanceWindow;
    expect(again.__typename).toBe('NotFoundError');
  });

  it('shows MAINTENANCE, keeps checking, sends nothing and leaves exactly its minutes out of uptime', async () => {
    const id = await register('db', ['tier:db']);
    const bystander = await register('web');
    // A one-off window over minutes 10..19, by label.
    const made = await createWindow({
      name: 'db upgrade',
      startsAt: new Date(start + 10 * MINUTE).toISOString(),
      endsAt: new Date(start + 20 * MINUTE).toISOString(),
      labels: ['tier:db'],
    });
    expect(made.window!.services.map((s) => s.name)).toEqual(['db']);
    expect(made.window!.active).toBe(false);

    // One check a minute for 30 minutes: failing at minutes 3 and 25 (outside), 12..17 (inside).
    const failing = new Set([3, 12, 13, 14, 15, 16, 17, 25]);
    const seen: string[] = [];
    for (let m = 0; m < 30; m++) {
      clock = start + m * MINUTE + 1_000;
      t.app.testing.maintenance.evaluate();
      seen.push(await check('db', id, failing.has(m) ? 503 : 200));
      if (m === 15) {
        expect(await state(id)).toEqual({ status: 'MAINTENANCE', maintenance: { name: 'db upgrade' } });
        expect((await state(bystander)).status).toBe('UNKNOWN');
        const active = await gql<{ maintenanceWindows: { name: string }[] }>(
          '{ maintenanceWindows(activeOnly: true) { name } }',
        );
        expect(active.maintenanceWindows.map((w) => w.name)).toEqual(['db upgrade']);
      }
    }
    expect(seen.slice(9, 21)).toEqual([
      'UP',
      ...Array(10).fill('MAINTENANCE'),
      'UP', // minute 20: the window is over, the checks decide
    ]);
    expect(seen[25]).toBe('DOWN');
    await t.app.testing.history.flush();

    // 20 checks outside the window, 2 of them failed; the 10 inside count for nothing.
    const { service } = await gql<{ service: { uptime: number; daily: { maintenanceSeconds: number }[] } }>(
      'query ($id: ID!) { service(id: $id) { uptime(window: LAST_HOUR) daily(days: 1) { maintenanceSeconds downtimeSeconds } } }',
      { id },
    );
    expect(service.uptime).toBe(18 / 20);
    const rows = await t.app.testing.prisma.checkRollup.findMany({ where: { serviceId: dbId(id) } });
    expect(rows.reduce((n, r) => n + r.maintenanceChecks, 0)).toBe(10);
    expect(rows.reduce((n, r) => n + r.checks, 0)).toBe(20);

    const changes = await t.app.testing.prisma.statusChange.findMany({
      where: { serviceId: dbId(id) },
      orderBy: { at: 'asc' },
    });
    expect(changes.map((c) => [c.previous, c.current, (c.at.getTime() - start) / MINUTE])).toEqual([
      ['UNKNOWN', 'UP', 0 + 1 / 60],
      ['UP', 'DOWN', 3 + 1 / 60],
      ['DOWN', 'UP', 4 + 1 / 60],
      ['UP', 'MAINTENANCE', 10 + 1 / 60],
      ['MAINTENANCE', 'UP', 20 + 1 / 60],
      ['UP', 'DOWN', 25 + 1 / 60],
      ['DOWN', 'UP', 26 + 1 / 60],
    ]);

    // Counted at the receiver: DOWN and UP twice outside the window, nothing for the 6 failures inside.
    const db = () => receiver.requests.map(bodyOf).filter((b) => b.services.some((s) => s.name === 'db'));
    await expectEventually(() => db().length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(db().map((b) => [b.event, b.services[0]!.previous, b.services[0]!.current])).toEqual([
      ['DOWN', 'UP', 'DOWN'],
      ['UP', 'DOWN', 'UP'],
      ['DOWN', 'UP', 'DOWN'],
      ['UP', 'DOWN', 'UP'],
    ]);
  });

  it('does not count going into and out of maintenance as flapping', async () => {
    const id = await register('short-windows');
    clock = start + 60 * MINUTE;
    await check('short-windows', id, 200);
    // Three one-minute windows within six minutes: six transitions, more than the flap limit (5).
    for (const m of [61, 63, 65]) {
      await createWindow({
        name: `short ${m}`,
        startsAt: new Date(start + m * MINUTE).toISOString(),
        endsAt: new Date(start + (m + 1) * MINUTE).toISOString(),
        serviceIds: [id],
      });
    }
    for (let m = 61; m <= 66; m++) {
      clock = start + m * MINUTE + 1_000;
      t.app.testing.maintenance.evaluate();
      expect(await check('short-windows', id, 200)).toBe(m % 2 === 1 ? 'MAINTENANCE' : 'UP');
    }
    expect(t.app.testing.cache.get(dbId(id))?.flapping).toBe(false);
    // A real failure now is the first change that counts: notified, not held as flapping.
    clock = start + 67 * MINUTE;
    expect(await check('short-windows', id, 503)).toBe('DOWN');
    expect(t.app.testing.cache.get(dbId(id))?.flapping).toBe(false);
    await t.app.testing.history.flush();
    const mine = () => receiver.requests.map(bodyOf).filter((b) => b.services.some((x) => x.name === 'short-windows'));
    await expectEventually(() => mine().length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mine().map((b) => b.event)).toEqual(['DOWN']);
    const held = await t.app.testing.prisma.notificationDelivery.count({
      where: { status: 'SUPPRESSED', items: { some: { serviceId: dbId(id) } } },
    });
    expect(held).toBe(0);
  });

  it('exposes statuschecker_maintenance_active and the MAINTENANCE status per service', async () => {
    const id = await register('cache');
    clock = start + 40 * MINUTE;
    await check('cache', id, 200);
    await createWindow({
      name: 'cache flush',
      startsAt: new Date(clock - MINUTE).toISOString(),
      endsAt: new Date(clock + MINUTE).toISOString(),
      serviceIds: [id],
    });
    expect((await state(id)).status).toBe('MAINTENANCE');
    const text = await metricsText(t);
    expect(text).toContain('statuschecker_maintenance_active{service="cache"} 1');
    expect(text).toContain('statuschecker_maintenance_active{service="web"} 0');
    expect(text).toContain('statuschecker_service_status{service="cache",status="MAINTENANCE"} 1');
    clock += 2 * MINUTE;
    t.app.testing.maintenance.evaluate();
    expect((await state(id)).status).toBe('UP');
    expect(await metricsText(t)).toContain('statuschecker_maintenance_active{service="cache"} 0');
  });
});

describe.each(DATABASE_KINDS)('a maintenance window across a restart on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  const start = Date.parse('2026-03-01T10:00:00.000Z');
  let clock = start;
  const now = () => new Date(clock);
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it('comes back MAINTENANCE while the window lasts, and out of it once it has ended', async () => {
    target = await startTarget();
    target.respondWith('/switch/restarted', 200);
    t = await startTestApp(kind, { now, env: { SCHEDULER_ENABLED: 'false' } });
    const service = await t.app.testing.registry.register({
      name: 'restarted',
      url: target.url('/switch/restarted'),
      intervalSeconds: 60,
    });
    await t.app.testing.checkNow(service.id);
    const { body } = await t.raw(
      'mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { __typename } }',
      {
        input: {
          name: 'long one',
          startsAt: new Date(start - MINUTE).toISOString(),
          endsAt: new Date(start + 30 * MINUTE).toISOString(),
          serviceIds: [Buffer.from(`Service:${service.id}`).toString('base64')],
        },
      },
    );
    expect(body.errors).toBeUndefined();
    expect(t.app.testing.cache.get(service.id)?.status).toBe('MAINTENANCE');
    await t.stop();

    clock = start + 10 * MINUTE;
    t = await startTestApp(kind, { now, database: t.database, env: { SCHEDULER_ENABLED: 'false' } });
    expect(t.app.testing.cache.get(service.id)).toMatchObject({
      status: 'MAINTENANCE',
      maintenance: expect.any(String),
    });
    await t.stop();

    clock = start + 40 * MINUTE;
    t = await startTestApp(kind, { now, database: t.database, env: { SCHEDULER_ENABLED: 'false' } });
    expect(t.app.testing.cache.get(service.id)?.status).toBe('UNKNOWN');
    await t.app.testing.history.flush();
    const changes = await t.app.testing.prisma.statusChange.findMany({
      where: { serviceId: service.id },
      orderBy: { at: 'asc' },
    });
    expect(changes.map((c) => `${c.previous}→${c.current}`)).toEqual([
      'UNKNOWN→UP',
      'UP→MAINTENANCE',
      'MAINTENANCE→UNKNOWN',
    ]);
    expect(await t.app.testing.checkNow(service.id)).toMatchObject({ status: 'UP' });
  });
});

async function metricsText(t: TestApp): Promise<string> {
  let out = '';
  await t.app.testing.metrics.services.render((chunk) => {
    out += chunk;
  });
  return out;
}

async function expectEventually(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
