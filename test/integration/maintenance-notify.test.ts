import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { bodyOf, createChannel, dbId, FAST_NOTIFY, flip, received, registerSwitched } from '../support/notify.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

/**
 * On the real clock (the outbox's due times are the database's): a notice still waiting out a
 * channel's group window when a maintenance window starts for its service is never sent.
 */
describe.each(DATABASE_KINDS)('notices waiting when a maintenance window starts, on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  let receiver: Receiver;
  beforeAll(async () => {
    target = await startTarget();
    receiver = await startReceiver();
    t = await startTestApp(kind, { notify: FAST_NOTIFY });
    await createChannel(t, { name: 'grouped', url: receiver.url(), groupWindowSeconds: 2, isDefault: true });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
    await receiver?.close();
  });

  const startWindow = async (name: string, serviceIds: string[]) => {
    const { body } = await t.raw(
      'mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { __typename } }',
      {
        input: {
          name,
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          serviceIds,
        },
      },
    );
    expect(body.errors).toBeUndefined();
  };
  const about = (name: string) => receiver.requests.map(bodyOf).filter((b) => b.services.some((s) => s.name === name));

  it('holds the DOWN that was waiting, and sends that of a service outside the window', async () => {
    const planned = await registerSwitched(t, target, 'planned');
    const other = await registerSwitched(t, target, 'unplanned');
    // Both fail; their DOWN notices wait out the 2 s group window.
    expect((await flip(t, target, 'planned', planned.id, 503)).status).toBe('DOWN');
    expect((await flip(t, target, 'unplanned', other.id, 503)).status).toBe('DOWN');
    await t.app.testing.history.flush();
    // The window starts for one of them before the group window is over.
    await startWindow('planned work', [planned.id]);
    await eventually(
      () => (t.app.testing.cache.get(dbId(planned.id))?.status === 'MAINTENANCE' ? true : undefined),
      2_000,
      'planned MAINTENANCE',
    );
    await t.app.testing.history.flush();

    await received(receiver, 1, (r) => bodyOf(r).services.some((s) => s.name === 'unplanned'), 10_000);
    // Well past the group window: nothing about the service under maintenance.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(about('planned')).toEqual([]);
    expect(about('unplanned').map((b) => b.event)).toEqual(['DOWN']);
    const held = await t.app.testing.prisma.notificationDelivery.findMany({
      where: { items: { some: { serviceId: dbId(planned.id) } } },
    });
    expect(held.map((d) => [d.event, d.status, d.lastError])).toEqual([
      ['DOWN', 'SUPPRESSED', 'held: a maintenance window started'],
    ]);
  });
});
