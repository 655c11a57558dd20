import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DependencySummaryDocument,
  RegisterServiceDocument,
  ServiceDependenciesDocument,
  UpdateServiceDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { bodyOf, createChannel, dbId, FAST_NOTIFY, flip, received, registerSwitched } from '../support/notify.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

/** Waits long enough for a delivery that should not come to have come. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 700));

describe.each(DATABASE_KINDS)('dependencies on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  let receiver: Receiver;
  beforeAll(async () => {
    target = await startTarget();
    receiver = await startReceiver();
    t = await startTestApp(kind, { notify: FAST_NOTIFY, listen: true });
    await createChannel(t, { name: 'on call', url: receiver.url(), isDefault: true });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
    await receiver?.close();
  });

  const statusOf = (id: string) => t.app.testing.cache.get(dbId(id))?.status;
  const rootCauseOf = (id: string) => t.app.testing.cache.get(dbId(id))?.rootCause ?? null;
  /** Notices the receiver got about a service, as "EVENT name". */
  const noticesAbout = (...names: string[]) =>
    receiver.requests
      .map(bodyOf)
      .flatMap((body) => body.services.filter((s) => names.includes(s.name)).map((s) => `${body.event} ${s.name}`));
  const transitionsOf = async (...ids: string[]) => {
    await t.app.testing.history.flush();
    const rows = await t.app.testing.prisma.statusChange.findMany({
      where: { serviceId: { in: ids.map(dbId) } },
      orderBy: { id: 'asc' },
      include: { service: { select: { name: true } } },
    });
    return rows.map((row) => `${row.service.name}: ${row.previous} > ${row.current}`);
  };
  const metricOf = async (name: string, status: string) => {
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`statuschecker_service_status{service="${name}",status="${status}"}`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  it('A down: B and C are UNREACHABLE with root cause A, one DOWN in all, nobody paged for B or C', async () => {
    const a = await registerSwitched(t, target, 'chain-a');
    const b = await registerSwitched(t, target, 'chain-b', { dependsOn: [a.id] });
    const c = await registerSwitched(t, target, 'chain-c', { dependsOn: [b.id] });

    await flip(t, target, 'chain-a', a.id, 503);
    const b503 = await flip(t, target, 'chain-b', b.id, 503);
    const c503 = await flip(t, target, 'chain-c', c.id, 503);
    expect(b503.status).toBe('UNREACHABLE');
    expect(c503.status).toBe('UNREACHABLE');
    expect([rootCauseOf(b.id), rootCauseOf(c.id)]).toEqual([dbId(a.id), dbId(a.id)]);

    const { node } = await t.run(ServiceDependenciesDocument, { id: c.id });
    expect(node).toMatchObject({
      name: 'chain-c',
      dependsOn: [{ id: b.id, name: 'chain-b' }],
      dependents: [],
      state: { status: 'UNREACHABLE', rootCause: { id: a.id, name: 'chain-a' } },
    });
    const parent = await t.run(ServiceDependenciesDocument, { id: a.id });
    expect(parent.node).toMatchObject({ dependsOn: [], dependents: [{ name: 'chain-b' }], state: { rootCause: null } });
    expect((await t.run(DependencySummaryDocument, {})).statusSummary.unreachable).toBeGreaterThanOrEqual(2);
    expect(await metricOf('chain-b', 'UNREACHABLE')).toBe(1);
    expect(await metricOf('chain-b', 'DOWN')).toBe(0);

    expect(await transitionsOf(a.id, b.id, c.id)).toEqual([
      'chain-a: UNKNOWN > UP',
      'chain-b: UNKNOWN > UP',
      'chain-c: UNKNOWN > UP',
      'chain-a: UP > DOWN',
      'chain-b: UP > UNREACHABLE',
      'chain-c: UP > UNREACHABLE',
    ]);
    await received(receiver, 1, (r) => bodyOf(r).services.some((s) => s.name === 'chain-a'));
    await settle();
    expect(noticesAbout('chain-a', 'chain-b', 'chain-c')).toEqual(['DOWN chain-a']);

    // A recovers: B and C stay UNREACHABLE until their own next checks decide.
    await flip(t, target, 'chain-a', a.id, 200);
    expect([statusOf(b.id), statusOf(c.id)]).toEqual(['UNREACHABLE', 'UNREACHABLE']);
    // B still fails on its own: now that is DOWN, and paged. C passes: UP, and nobody is told.
    expect((await flip(t, target, 'chain-b', b.id, 503)).status).toBe('DOWN');
    expect((await flip(t, target, 'chain-c', c.id, 200)).status).toBe('UP');
    expect((await flip(t, target, 'chain-b', b.id, 200)).status).toBe('UP');
    await received(receiver, 4, (r) => bodyOf(r).services.some((s) => s.name.startsWith('chain-')));
    await settle();
    expect(noticesAbout('chain-a', 'chain-b', 'chain-c')).toEqual([
      'DOWN chain-a',
      'UP chain-a',
      'DOWN chain-b',
      'UP chain-b',
    ]);
  });

  it('a child that failed a moment before its parent is judged again when the parent goes DOWN', async () => {
    const parent = await registerSwitched(t, target, 'race-parent');
    const child = await registerSwitched(t, target, 'race-child', { dependsOn: [parent.id] });
    expect((await flip(t, target, 'race-child', child.id, 503)).status).toBe('DOWN');
    const childChecks = target.hits('/switch/race-child');

    // The parent fails a few ms later: the child (checked hourly) is UNREACHABLE at once, from its last result.
    await flip(t, target, 'race-parent', parent.id, 503);
    await eventually(() => (statusOf(child.id) === 'UNREACHABLE' ? true : undefined), 1_000, 'child UNREACHABLE');
    expect(rootCauseOf(child.id)).toBe(dbId(parent.id));
    expect(target.hits('/switch/race-child')).toBe(childChecks);
    expect(await transitionsOf(child.id)).toEqual([
      'race-child: UNKNOWN > UP',
      'race-child: UP > DOWN',
      'race-child: DOWN > UNREACHABLE',
    ]);
  });

  it('holds the DOWN notice a child was waiting to send when it turns out UNREACHABLE', async () => {
    const grouped = await startReceiver();
    try {
      await createChannel(t, { name: 'grouped', url: grouped.url(), labels: ['team:held'], groupWindowSeconds: 2 });
      const parent = await registerSwitched(t, target, 'held-parent', { labels: ['team:held'] });
      const child = await registerSwitched(t, target, 'held-child', { labels: ['team:held'], dependsOn: [parent.id] });
      // The child fails first (its DOWN waits out the window), the parent a moment later.
      expect((await flip(t, target, 'held-child', child.id, 503)).status).toBe('DOWN');
      await flip(t, target, 'held-parent', parent.id, 503);
      await eventually(() => (statusOf(child.id) === 'UNREACHABLE' ? true : undefined), 1_000, 'child UNREACHABLE');
      const [down] = await received(grouped, 1, () => true, 10_000);
      expect(bodyOf(down!)).toMatchObject({ event: 'DOWN', services: [{ name: 'held-parent' }] });

      // Both recover: the parent's UP is sent; the child's is not, as its DOWN never was.
      await flip(t, target, 'held-parent', parent.id, 200);
      expect((await flip(t, target, 'held-child', child.id, 200)).status).toBe('UP');
      const [, up] = await received(grouped, 2, () => true, 10_000);
      expect(bodyOf(up!)).toMatchObject({ event: 'UP', services: [{ name: 'held-parent' }] });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(grouped.requests.map((r) => `${bodyOf(r).event} ${bodyOf(r).services.map((s) => s.name)}`)).toEqual([
        'DOWN held-parent',
        'UP held-parent',
      ]);
    } finally {
      await grouped.close();
    }
  });

  it('a child failing while its parent is under a maintenance window is UNREACHABLE, not paged', async () => {
    const parent = await registerSwitched(t, target, 'planned-parent');
    const child = await registerSwitched(t, target, 'planned-child', { dependsOn: [parent.id] });
    const { body } = await t.raw(
      'mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { __typename } }',
      {
        input: {
          name: 'parent upgrade',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          serviceIds: [parent.id],
        },
      },
    );
    expect(body.errors).toBeUndefined();
    await eventually(() => (statusOf(parent.id) === 'MAINTENANCE' ? true : undefined), 2_000, 'parent MAINTENANCE');
    // The parent's own checks may say anything underneath: the window decides.
    expect((await flip(t, target, 'planned-child', child.id, 503)).status).toBe('UNREACHABLE');
    expect(rootCauseOf(child.id)).toBe(dbId(parent.id));
    const { node } = await t.run(ServiceDependenciesDocument, { id: child.id });
    expect(node).toMatchObject({ state: { status: 'UNREACHABLE', rootCause: { id: parent.id } } });
    await settle();
    expect(noticesAbout('planned-child', 'planned-parent')).toEqual([]);
    expect(await transitionsOf(child.id)).toEqual(['planned-child: UNKNOWN > UP', 'planned-child: UP > UNREACHABLE']);
  });

  it('refuses a cycle naming its path, unknown services, itself and more than 20', async () => {
    const x = await registerSwitched(t, target, 'cycle-x');
    const y = await registerSwitched(t, target, 'cycle-y', { dependsOn: [x.id] });
    const z = await registerSwitched(t, target, 'cycle-z', { dependsOn: [y.id] });
    const refusal = async (id: string, dependsOn: string[]) => {
      const { updateService: r } = await t.run(UpdateServiceDocument, { id, input: { dependsOn } });
      return r.__typename === 'ValidationError' ? { field: r.field, message: r.message } : r.__typename;
    };
    expect(await refusal(x.id, [z.id])).toEqual({
      field: 'dependsOn',
      message: 'dependsOn: would make a cycle: cycle-x -> cycle-z -> cycle-y -> cycle-x',
    });
    expect(await refusal(x.id, [x.id])).toEqual({
      field: 'dependsOn',
      message: 'dependsOn: a service cannot depend on itself',
    });
    const gone = Buffer.from('Service:00000000-0000-0000-0000-000000000000').toString('base64');
    expect(await refusal(x.id, [gone])).toMatchObject({
      field: 'dependsOn',
      message: expect.stringContaining('no such service'),
    });
    const channelId = Buffer.from('NotificationChannel:1').toString('base64');
    expect(await refusal(x.id, [channelId])).toMatchObject({ field: 'dependsOn[0]' });
    const { registerService: tooMany } = await t.run(RegisterServiceDocument, {
      input: { name: 'cycle-many', url: target.url('/ok'), dependsOn: Array.from({ length: 21 }, () => x.id) },
    });
    expect(tooMany).toMatchObject({ __typename: 'ValidationError', field: 'dependsOn' });

    // Nothing was stored by the refusals; an allowed change replaces the list, [] empties it.
    expect((await t.run(ServiceDependenciesDocument, { id: x.id })).node).toMatchObject({ dependsOn: [] });
    expect(await refusal(z.id, [x.id])).toBe('ServicePayload');
    expect((await t.run(ServiceDependenciesDocument, { id: y.id })).node).toMatchObject({ dependents: [] });
    expect(await refusal(z.id, [])).toBe('ServicePayload');
    expect((await t.run(ServiceDependenciesDocument, { id: x.id })).node).toMatchObject({
      dependents: [{ name: 'cycle-y' }],
    });
  });
});
