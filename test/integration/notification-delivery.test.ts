import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelDocument,
  DeleteChannelDocument,
  RegisterServiceDocument,
  ServiceChannelsDocument,
  ServiceFlappingDocument,
  ServiceNotificationsDocument,
  UpdateChannelDocument,
  UpdateServiceDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { bodyOf, createChannel, dbId, FAST_NOTIFY, flip, received, registerSwitched } from '../support/notify.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { lookupVia, startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

describe.each(DATABASE_KINDS)('notification delivery on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    target = await startTarget();
    t = await startTestApp(kind, {
      env: { PUBLIC_URL: 'https://status.example.com/', TARGET_DENY_CIDRS: '127.0.0.2/32' },
      notify: { ...FAST_NOTIFY, lookup: lookupVia({ 'internal.test': '127.0.0.2', 'hooks.test': '127.0.0.1' }) },
    });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
    for (const r of receivers) await r.close();
  });

  const deliveriesOf = async (channelId: string) =>
    (await t.run(ChannelDocument, { id: channelId, first: 50 })).notificationChannel!.deliveries;

  it('tells the channels a service routes to what happened: DOWN then UP, once each', async () => {
    const r = await receiver();
    await createChannel(t, { name: 'by label', url: r.url(), labels: ['team:a'] });
    const downOnly = await receiver();
    await createChannel(t, { name: 'down only', url: downOnly.url(), labels: ['team:a'], events: ['DOWN'] });
    const other = await receiver();
    await createChannel(t, { name: 'other team', url: other.url(), labels: ['team:b'] });
    const service = await registerSwitched(t, target, 'api-a', { labels: ['team:a'] });

    await flip(t, target, 'api-a', service.id, 503);
    const [down] = await received(r, 1);
    const body = bodyOf(down!);
    expect(down!.headers['x-statuschecker-event']).toBe('DOWN');
    expect(body).toMatchObject({
      event: 'DOWN',
      deliveryId: down!.headers['x-statuschecker-delivery'],
      summary: false,
    });
    expect(body.services).toEqual([
      expect.objectContaining({
        id: dbId(service.id),
        name: 'api-a',
        previous: 'UP',
        current: 'DOWN',
        reason: 'HTTP_STATUS',
        message: expect.stringContaining('503'),
        link: `https://status.example.com/services/${dbId(service.id)}`,
      }),
    ]);
    expect(Date.parse(body.services[0]!.since)).toBeGreaterThan(Date.now() - 60_000);

    await flip(t, target, 'api-a', service.id, 200);
    const [, up] = await received(r, 2);
    expect(bodyOf(up!)).toMatchObject({ event: 'UP', services: [{ previous: 'DOWN', current: 'UP' }] });
    await received(downOnly, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.requests).toHaveLength(2);
    expect(downOnly.requests.map((q) => bodyOf(q).event)).toEqual(['DOWN']);
    expect(other.requests).toHaveLength(0);

    const { service: s } = await t.run(ServiceNotificationsDocument, { id: service.id, first: 10 });
    expect(s!.notifications.totalCount).toBe(3);
    const log = s!.notifications.edges.map((e) => [
      e.node.channel.name,
      e.node.event,
      e.node.status,
      e.node.services.map((x) => x.name),
    ]);
    expect(log[0]).toEqual(['by label', 'UP', 'SENT', ['api-a']]);
    expect(log.slice(1).sort()).toEqual([
      ['by label', 'DOWN', 'SENT', ['api-a']],
      ['down only', 'DOWN', 'SENT', ['api-a']],
    ]);
  });

  it('notifies the channels a service names, whatever their labels, as the names change', async () => {
    const named = await receiver();
    const chosen = await createChannel(t, { name: 'named directly', url: named.url(), labels: ['team:nobody'] });
    const later = await receiver();
    const second = await createChannel(t, { name: 'named later', url: later.url() });
    const service = await registerSwitched(t, target, 'api-named', { notificationChannelIds: [chosen.id] });
    const listed = async () =>
      (await t.run(ServiceChannelsDocument, { id: service.id })).service!.notificationChannels.map((c) => c.name);
    expect(await listed()).toEqual(['named directly']);

    await flip(t, target, 'api-named', service.id, 503);
    const [down] = await received(named, 1);
    expect(bodyOf(down!)).toMatchObject({ event: 'DOWN', services: [{ name: 'api-named' }] });
    expect(later.requests).toHaveLength(0);

    // Replacing the list: the first channel is no longer named, the second is.
    const { updateService } = await t.run(UpdateServiceDocument, {
      id: service.id,
      input: { notificationChannelIds: [second.id] },
    });
    expect(updateService.__typename).toBe('ServicePayload');
    expect(await listed()).toEqual(['named later']);
    // A rename does not break the link: it is by id.
    await t.run(UpdateChannelDocument, {
      id: second.id,
      input: { name: 'renamed', kind: 'WEBHOOK', url: later.url() },
    });
    expect(await listed()).toEqual(['renamed']);
    await flip(t, target, 'api-named', service.id, 200);
    const [up] = await received(later, 1);
    expect(bodyOf(up!)).toMatchObject({ event: 'UP', services: [{ name: 'api-named' }] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(named.requests).toHaveLength(1);

    // [] removes every link; nothing further reaches either channel.
    await t.run(UpdateServiceDocument, { id: service.id, input: { notificationChannelIds: [] } });
    expect(await listed()).toEqual([]);
  });

  it('refuses a channel id that names nothing, pointing at the entry, and stores nothing', async () => {
    const r = await receiver();
    const real = await createChannel(t, { name: 'real channel', url: r.url() });
    const gone = await createChannel(t, { name: 'deleted channel', url: r.url() });
    await t.run(DeleteChannelDocument, { id: gone.id });
    const { registerService } = await t.run(RegisterServiceDocument, {
      input: { name: 'api-bad-links', url: target.url('/ok'), notificationChannelIds: [real.id, gone.id] },
    });
    expect(registerService).toMatchObject({ __typename: 'ValidationError', field: 'notificationChannelIds[1]' });
    const notAChannel = await t.run(RegisterServiceDocument, {
      input: { name: 'api-bad-links', url: target.url('/ok'), notificationChannelIds: ['U2VydmljZTp4'] },
    });
    expect(notAChannel.registerService).toMatchObject({
      __typename: 'ValidationError',
      field: 'notificationChannelIds[0]',
    });
    expect(await t.app.testing.prisma.service.findUnique({ where: { name: 'api-bad-links' } })).toBeNull();
  });

  it('retries a 500 with the same delivery id until it is taken: one SENT delivery, 4 attempts', async () => {
    const r = await receiver();
    r.script({ status: 500 }, { status: 500 }, { status: 500 });
    const channel = await createChannel(t, { name: 'flaky receiver', url: r.url(), labels: ['team:retry'] });
    const service = await registerSwitched(t, target, 'api-retry', { labels: ['team:retry'] });
    await flip(t, target, 'api-retry', service.id, 503);
    const requests = await received(r, 4);
    expect(new Set(requests.map((q) => q.headers['x-statuschecker-delivery'])).size).toBe(1);
    expect(new Set(requests.map((q) => q.body)).size).toBe(1);
    const deliveries = await eventually(async () => {
      const d = await deliveriesOf(channel.id);
      return d.edges[0]?.node.status === 'SENT' ? d : undefined;
    });
    expect(deliveries.totalCount).toBe(1);
    expect(deliveries.edges[0]!.node).toMatchObject({ status: 'SENT', attempts: 4, lastError: null });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.requests).toHaveLength(4);
    const metrics = await t.app.testing.metrics.registry.metrics();
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
    expect(value('statuschecker_notifications_total{kind="WEBHOOK",outcome="retry"}')).toBeGreaterThanOrEqual(3);
    expect(value('statuschecker_notifications_total{kind="WEBHOOK",outcome="sent"}')).toBeGreaterThanOrEqual(1);
    expect(value('statuschecker_notification_delivery_seconds_count{kind="WEBHOOK"}')).toBeGreaterThanOrEqual(1);
    expect(value('statuschecker_notification_queue_depth')).toBeGreaterThanOrEqual(0);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const r = await receiver();
    r.script({ status: 429, headers: { 'retry-after': '2' } });
    await createChannel(t, { name: 'rate limited receiver', url: r.url(), labels: ['team:429'] });
    const service = await registerSwitched(t, target, 'api-429', { labels: ['team:429'] });
    await flip(t, target, 'api-429', service.id, 503);
    const [first, second] = await received(r, 2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
  });

  it('fails at once on a 400 (bad configuration) and says why', async () => {
    const r = await receiver();
    r.always({ status: 400, body: 'unknown hook' });
    const channel = await createChannel(t, { name: 'misconfigured', url: r.url(), labels: ['team:400'] });
    const service = await registerSwitched(t, target, 'api-400', { labels: ['team:400'] });
    await flip(t, target, 'api-400', service.id, 503);
    const d = await eventually(async () => {
      const node = (await deliveriesOf(channel.id)).edges[0]?.node;
      return node?.status === 'FAILED' ? node : undefined;
    });
    expect(d).toMatchObject({ attempts: 1, lastError: 'attempt 1: HTTP 400: unknown hook' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.requests).toHaveLength(1);
  });

  it('retries a receiver that never answers, and one that is down, until it is back', async () => {
    const r = await receiver();
    r.script('hang');
    const channel = await createChannel(t, { name: 'slow then down', url: r.url(), labels: ['team:hang'] });
    const service = await registerSwitched(t, target, 'api-hang', { labels: ['team:hang'] });
    await flip(t, target, 'api-hang', service.id, 503);
    await received(r, 1);
    await r.stop();
    await eventually(
      async () => ((await deliveriesOf(channel.id)).edges[0]?.node.attempts ?? 0) >= 3 || undefined,
      10_000,
      'three attempts',
    );
    const failing = (await deliveriesOf(channel.id)).edges[0]!.node;
    expect(failing.status).toBe('PENDING');
    expect(failing.lastError).toMatch(/ECONNREFUSED|no answer/);
    await r.restart();
    await received(r, 2);
    const sent = await eventually(async () => {
      const node = (await deliveriesOf(channel.id)).edges[0]?.node;
      return node?.status === 'SENT' ? node : undefined;
    });
    expect(r.requests.at(-1)!.headers['x-statuschecker-delivery']).toBe(
      r.requests[0]!.headers['x-statuschecker-delivery'],
    );
    expect(sent.lastError).toBeNull();
  });

  it('refuses at send time a channel whose name resolves to a blocked address', async () => {
    const r = await receiver();
    const channel = await createChannel(t, {
      name: 'rebinding',
      url: `http://internal.test:${r.port}/hook`,
      labels: ['team:ssrf'],
    });
    const service = await registerSwitched(t, target, 'api-ssrf', { labels: ['team:ssrf'] });
    await flip(t, target, 'api-ssrf', service.id, 503);
    const d = await eventually(async () => {
      const node = (await deliveriesOf(channel.id)).edges[0]?.node;
      return node?.status === 'FAILED' ? node : undefined;
    });
    expect(d.lastError).toContain('127.0.0.2');
    expect(d.lastError).toContain('TARGET_DENY_CIDRS');
    expect(r.requests).toHaveLength(0);
  });

  it('gathers the transitions of a group window into one message naming every service', async () => {
    const r = await receiver();
    await createChannel(t, { name: 'grouped', url: r.url(), labels: ['team:group'], groupWindowSeconds: 3 });
    const services = [];
    for (let i = 0; i < 20; i++)
      services.push(await registerSwitched(t, target, `grp-${String(i).padStart(2, '0')}`, { labels: ['team:group'] }));
    await Promise.all(services.map((s) => flip(t, target, s.name, s.id, 503)));
    const [message] = await received(r, 1, () => true, 15_000);
    const body = bodyOf(message!);
    expect(body.event).toBe('DOWN');
    expect(body.services.map((s) => s.name).sort()).toEqual(services.map((s) => s.name).sort());
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(r.requests).toHaveLength(1);
  });

  it('holds the notifications of a flapping service and says once that it flaps', async () => {
    const r = await receiver();
    const channel = await createChannel(t, { name: 'flap watch', url: r.url(), labels: ['team:flap'] });
    const service = await registerSwitched(t, target, 'api-flap', { labels: ['team:flap'] });
    for (let i = 0; i < 5; i++) {
      await flip(t, target, 'api-flap', service.id, 503);
      await flip(t, target, 'api-flap', service.id, 200);
    }
    await eventually(
      async () => ((await deliveriesOf(channel.id)).totalCount >= 10 ? true : undefined),
      10_000,
      'ten deliveries',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const events = r.requests.map((q) => bodyOf(q).event);
    // The first changes go out (the first one is UP → DOWN after the initial UNKNOWN → UP), then one FLAPPING, then nothing.
    expect(events.filter((e) => e === 'FLAPPING')).toHaveLength(1);
    expect(events.at(-1)).toBe('FLAPPING');
    const nodes = (await deliveriesOf(channel.id)).edges.map((e) => e.node);
    expect(nodes.filter((n) => n.status === 'SUPPRESSED').length).toBeGreaterThanOrEqual(4);
    expect((await t.run(ServiceFlappingDocument, { id: service.id })).service!.state).toEqual({
      status: 'UP',
      flapping: true,
    });
  });
});

describe.each(DATABASE_KINDS)('a notification pending through a restart on %s', (kind) => {
  let target: Target;
  let receiver: Receiver;
  let t: TestApp | undefined;
  beforeAll(async () => {
    target = await startTarget();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
    await receiver?.close();
  });

  it('is sent after the restart, once, under the same delivery id, when the receiver is back', async () => {
    t = await startTestApp(kind, { notify: FAST_NOTIFY });
    await createChannel(t, { name: 'down receiver', url: receiver.url('/restart'), isDefault: true });
    const service = await registerSwitched(t, target, 'api-restart');
    // The receiver is down: the DOWN notice waits in the outbox.
    receiver.script({ status: 503 });
    await flip(t, target, 'api-restart', service.id, 503);
    await received(receiver, 1);
    const firstId = receiver.requests[0]!.headers['x-statuschecker-delivery'];
    await receiver.stop();
    await t.app.testing.history.flush();
    await t.stop();

    // A new process on the same database, receiver still down for a while, then back.
    t = await startTestApp(kind, { database: t.database, notify: FAST_NOTIFY });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await receiver.restart();
    await received(receiver, 2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests.map((r) => r.headers['x-statuschecker-event'])).toEqual(['DOWN', 'DOWN']);
    expect(receiver.requests[1]!.headers['x-statuschecker-delivery']).toBe(firstId);
    const { service: s } = await t.run(ServiceNotificationsDocument, { id: service.id, first: 10 });
    expect(s!.notifications.edges.map((e) => [e.node.event, e.node.status])).toEqual([['DOWN', 'SENT']]);
  });
});
