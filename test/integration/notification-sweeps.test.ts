import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceFlappingDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { bodyOf, createChannel, dbId, FAST_NOTIFY, flip, received, registerSwitched } from '../support/notify.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import {
  lookupVia,
  startTarget,
  startTlsTarget,
  type Target,
  TLS_HOSTNAME,
  type TlsTarget,
} from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Notices no transition causes (reminders, certificate notices, the end of flapping), on a clock
 * the test moves: the sweeps read it, so minutes and days pass at once.
 */
describe.each(DATABASE_KINDS)('notification sweeps on %s', (kind) => {
  let t: TestApp;
  let database: TestDatabase;
  let target: Target;
  let tls: TlsTarget;
  let receiver: Receiver;
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const start = async (db?: TestDatabase) => {
    t = await startTestApp(kind, {
      database: db,
      now,
      prober: { lookup: lookupVia({ [TLS_HOSTNAME]: '127.0.0.1' }), ca: tls.ca },
      notify: { ...FAST_NOTIFY, sweepIntervalMs: 3_600_000 },
    });
    database = t.database;
  };
  beforeAll(async () => {
    target = await startTarget();
    tls = await startTlsTarget('trusted');
    receiver = await startReceiver();
    await start();
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
    await tls?.close();
    await receiver?.close();
  });
  const sweep = () => t.app.testing.notifications.sweeper.runOnce();
  const eventsOf = (label: string) => receiver.requests.filter((r) => r.path === `/${label}`).map((r) => bodyOf(r));

  it('reminds every remindEveryMinutes while a service stays DOWN, once per period', async () => {
    await createChannel(t, {
      name: 'reminders',
      url: receiver.url('/remind'),
      labels: ['team:remind'],
      remindEveryMinutes: 30,
    });
    const service = await registerSwitched(t, target, 'api-remind', { labels: ['team:remind'] });
    await flip(t, target, 'api-remind', service.id, 503);
    await received(receiver, 1, (r) => r.path === '/remind');
    await t.app.testing.history.flush();
    expect(await sweep()).toBe(0);
    offset += 31 * MINUTE;
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    await received(receiver, 2, (r) => r.path === '/remind');
    offset += 30 * MINUTE;
    expect(await sweep()).toBe(1);
    const events = (await received(receiver, 3, (r) => r.path === '/remind')).map((r) => bodyOf(r));
    expect(events.map((e) => e.event)).toEqual(['DOWN', 'REMINDER', 'REMINDER']);
    expect(events[1]!.services[0]).toMatchObject({
      name: 'api-remind',
      current: 'DOWN',
      message: expect.stringContaining('still DOWN since'),
    });
    await flip(t, target, 'api-remind', service.id, 200);
    await t.app.testing.history.flush();
    offset += 60 * MINUTE;
    expect(await sweep()).toBe(0);
  });

  it('says a certificate is expiring at 14, 7 and 1 days, each once, remembered across a restart', async () => {
    await createChannel(t, {
      name: 'certificates',
      url: receiver.url('/cert'),
      labels: ['team:tls'],
      events: ['CERTIFICATE_EXPIRING'],
    });
    const { registerService } = await t
      .raw(
        `mutation($input: RegisterServiceInput!) { registerService(input: $input) { __typename ... on ServicePayload { service { id } } } }`,
        { input: { name: 'api-tls', url: tls.url('/ok'), intervalSeconds: 3_600, labels: ['team:tls'] } },
      )
      .then((r) => r.body.data as { registerService: { service: { id: string } } });
    expect(registerService.service.id).toBeTruthy();
    await eventually(async () => {
      await t.app.testing.history.flush();
      const row = await t.app.testing.prisma.lastKnownState.findMany({ where: { service: { name: 'api-tls' } } });
      return row[0]?.certificateExpiresAt ? true : undefined;
    });
    const expiry = tls.certificateExpiresAt.getTime();
    offset = expiry - 20 * DAY - Date.now();
    expect(await sweep()).toBe(0);
    offset = expiry - 13 * DAY - Date.now();
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);

    await t.stop();
    await start(database);
    expect(await sweep()).toBe(0);
    offset = expiry - 6 * DAY - Date.now();
    expect(await sweep()).toBe(1);
    offset = expiry - 12 * 60 * MINUTE - Date.now();
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    // The stop may come while the first notice is in flight: it is then sent again under the same
    // delivery id (at least once, as documented), which a receiver drops. Count each id once.
    const byId = async () => {
      const distinct = new Map<string, ReturnType<typeof bodyOf>>();
      for (const r of receiver.requests.filter((q) => q.path === '/cert')) {
        distinct.set(String(r.headers['x-statuschecker-delivery']), bodyOf(r));
      }
      return distinct.size >= 3 ? [...distinct.values()] : undefined;
    };
    const events = await eventually(byId, 10_000, 'three certificate notices');
    expect(events.map((e) => e.event)).toEqual([
      'CERTIFICATE_EXPIRING',
      'CERTIFICATE_EXPIRING',
      'CERTIFICATE_EXPIRING',
    ]);
    expect(events.map((e) => e.services[0]!.message)).toEqual([
      expect.stringContaining('(13 days left)'),
      expect.stringContaining('(6 days left)'),
      expect.stringContaining('(1 days left)'),
    ]);
    offset = 0;
  });

  it('ends flapping after 5 minutes without a change: one STABLE message naming the status', async () => {
    offset = 0;
    await createChannel(t, { name: 'flaps', url: receiver.url('/flap'), labels: ['team:flap'] });
    const service = await registerSwitched(t, target, 'api-flap2', { labels: ['team:flap'] });
    for (let i = 0; i < 3; i++) {
      await flip(t, target, 'api-flap2', service.id, 503);
      await flip(t, target, 'api-flap2', service.id, 200);
    }
    await flip(t, target, 'api-flap2', service.id, 503);
    await eventually(() => (eventsOf('flap').some((e) => e.event === 'FLAPPING') ? true : undefined));
    expect((await t.run(ServiceFlappingDocument, { id: service.id })).service!.state).toEqual({
      status: 'DOWN',
      flapping: true,
    });
    await t.app.testing.history.flush();
    offset += 4 * MINUTE;
    expect(await sweep()).toBe(0);
    offset += 2 * MINUTE;
    expect(await sweep()).toBe(1);
    await eventually(() => (eventsOf('flap').some((e) => e.event === 'STABLE') ? true : undefined));
    const stable = eventsOf('flap').find((e) => e.event === 'STABLE')!;
    expect(stable.services[0]).toMatchObject({
      name: 'api-flap2',
      current: 'DOWN',
      message: expect.stringContaining('stable again (DOWN)'),
    });
    // The next check sees it stable too.
    await flip(t, target, 'api-flap2', service.id, 503);
    expect((await t.run(ServiceFlappingDocument, { id: service.id })).service!.state).toEqual({
      status: 'DOWN',
      flapping: false,
    });
    offset = 0;
  });

  it('turns what exceeds a channel’s rate limit into one summary a minute later, not a flood', async () => {
    await createChannel(t, {
      name: 'rate limited',
      url: receiver.url('/rate'),
      labels: ['team:rate'],
      rateLimitPerMinute: 3,
    });
    const names = ['rate-1', 'rate-2', 'rate-3', 'rate-4', 'rate-5', 'rate-6', 'rate-7'];
    const services = [];
    for (const name of names) services.push(await registerSwitched(t, target, name, { labels: ['team:rate'] }));
    for (const [i, service] of services.entries()) {
      await flip(t, target, names[i]!, service.id, 503);
      await eventually(() => (t.app.testing.cache.get(dbId(service.id))?.status === 'DOWN' ? true : undefined));
    }
    await eventually(() => (eventsOf('rate').length >= 3 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 700));
    const first = eventsOf('rate');
    expect(first).toHaveLength(3);
    expect(first.every((e) => e.event === 'DOWN' && !e.summary && e.services.length === 1)).toBe(true);

    // A minute later, the four held back go out together, once.
    offset += MINUTE + 1_000;
    await eventually(() => (eventsOf('rate').length >= 4 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 700));
    const all = eventsOf('rate');
    expect(all).toHaveLength(4);
    const summary = all[3]!;
    expect(summary.summary).toBe(true);
    const seen = [...first.flatMap((e) => e.services.map((x) => x.name)), ...summary.services.map((x) => x.name)];
    expect(seen.sort()).toEqual(names);
    offset = 0;
  });
});
