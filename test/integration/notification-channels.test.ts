import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelDocument,
  ChannelsDocument,
  CreateChannelDocument,
  DeleteChannelDocument,
  type NotificationChannelInput,
  TestChannelDocument,
  UpdateChannelDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { type Receiver, startReceiver } from '../support/receiver.js';

const SECRET = 'whsec-very-secret-value-1234';
const KEY = Buffer.alloc(32, 7).toString('base64');

describe.each(DATABASE_KINDS)('notification channels on %s', (kind) => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    // 127.0.0.2 stands for an internal address the policy refuses.
    t = await startTestApp(kind, { env: { SECRETS_KEY: KEY, TARGET_DENY_CIDRS: '127.0.0.2/32' } });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const create = async (input: Partial<NotificationChannelInput> & { name: string }) =>
    (await t.run(CreateChannelDocument, { input: { kind: 'WEBHOOK', url: receiver.url(), ...input } }))
      .createNotificationChannel;
  const created = async (input: Partial<NotificationChannelInput> & { name: string }) => {
    const result = await create(input);
    if (result.__typename !== 'NotificationChannelPayload') throw new Error(JSON.stringify(result));
    return result.channel;
  };

  it('creates a webhook channel with defaults, showing the host and whether a secret is set, never the secret', async () => {
    const channel = await created({ name: 'ops hook', secret: SECRET, labels: ['team:ops'] });
    expect(channel).toMatchObject({
      name: 'ops hook',
      kind: 'WEBHOOK',
      events: ['DOWN', 'UP'],
      labels: ['team:ops'],
      isDefault: false,
      remindEveryMinutes: null,
      groupWindowSeconds: 0,
      rateLimitPerMinute: 30,
      target: `http://127.0.0.1:${receiver.port}`,
      hasSecret: true,
    });
    const listed = await t.run(ChannelsDocument);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    expect(listed.notificationChannels.map((c) => c.name)).toContain('ops hook');
  });

  it('stores the secret sealed with AES-256-GCM under SECRETS_KEY', async () => {
    const channel = await created({ name: 'sealed', secret: SECRET });
    const rows = await t.app.testing.prisma.notificationChannel.findMany({ where: { name: 'sealed' } });
    expect(rows[0]!.secret).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(rows[0]!.secret).not.toContain(SECRET);
    expect(channel.hasSecret).toBe(true);
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'no url', url: null }, 'url'],
    [{ name: 'ftp', url: 'ftp://127.0.0.1/x' }, 'url'],
    [{ name: 'bad events', events: [] }, 'events'],
    [{ name: 'bad group', groupWindowSeconds: -1 }, 'groupWindowSeconds'],
    [{ name: 'bad remind', remindEveryMinutes: 0 }, 'remindEveryMinutes'],
    [{ name: 'bad label', labels: ['Not OK'] }, 'labels[0]'],
    [{ name: 'pd without key', kind: 'PAGERDUTY' as const, url: null }, 'secret'],
    [{ name: 'email without options', kind: 'EMAIL' as const, url: null }, 'email'],
    [
      {
        name: 'email bad to',
        kind: 'EMAIL' as const,
        url: null,
        email: { smtpHost: '127.0.0.1', from: 'a@b.example', to: ['nope'] },
      },
      'email.to[0]',
    ],
    [
      {
        name: 'email tls',
        kind: 'EMAIL' as const,
        url: null,
        email: { smtpHost: '127.0.0.1', from: 'a@b.example', to: ['c@d.example'], tls: 'ssl3' },
      },
      'email.tls',
    ],
  ])('refuses %j naming the field %s', async (input, field) => {
    const result = await create(input as NotificationChannelInput);
    expect(result.__typename).toBe('ValidationError');
    expect(result).toMatchObject({ field });
  });

  it('refuses a URL on an address the target policy blocks, at creation', async () => {
    const result = await create({ name: 'internal', url: 'http://127.0.0.2:9/hook' });
    expect(result).toMatchObject({ __typename: 'ValidationError', field: 'url' });
    expect(result.__typename === 'ValidationError' && result.message).toContain('TARGET_DENY_CIDRS');
    const smtp = await create({
      name: 'internal smtp',
      kind: 'EMAIL',
      url: null,
      email: { smtpHost: '127.0.0.2', from: 'a@b.example', to: ['c@d.example'] },
    });
    expect(smtp).toMatchObject({ __typename: 'ValidationError', field: 'email.smtpHost' });
  });

  it('refuses a second channel of the same name', async () => {
    await created({ name: 'twice' });
    expect((await create({ name: 'twice' })).__typename).toBe('ConflictError');
  });

  it('updates a channel, keeping the secret when it is left out and removing it when empty', async () => {
    const channel = await created({ name: 'to update', secret: SECRET });
    const update = async (input: Partial<NotificationChannelInput>) => {
      const { updateNotificationChannel: r } = await t.run(UpdateChannelDocument, {
        id: channel.id,
        input: { name: 'updated', kind: 'WEBHOOK', url: receiver.url('/other'), ...input },
      });
      if (r.__typename !== 'NotificationChannelPayload') throw new Error(JSON.stringify(r));
      return r.channel;
    };
    expect(await update({ events: ['DOWN'] })).toMatchObject({ name: 'updated', events: ['DOWN'], hasSecret: true });
    expect(await update({ secret: '' })).toMatchObject({ hasSecret: false });
  });

  it('deletes a channel; a second delete is NotFound', async () => {
    const channel = await created({ name: 'to delete' });
    expect((await t.run(DeleteChannelDocument, { id: channel.id })).deleteNotificationChannel.__typename).toBe(
      'NotificationChannelPayload',
    );
    expect((await t.run(DeleteChannelDocument, { id: channel.id })).deleteNotificationChannel.__typename).toBe(
      'NotFoundError',
    );
    expect((await t.run(ChannelDocument, { id: channel.id })).notificationChannel).toBeNull();
  });

  it('sends a TEST message now: signed body, event and delivery headers, and the delivery in the log', async () => {
    const channel = await created({ name: 'test me', secret: SECRET });
    const before = receiver.requests.length;
    const { testNotificationChannel: r } = await t.run(TestChannelDocument, { id: channel.id });
    if (r.__typename !== 'TestNotificationPayload') throw new Error(JSON.stringify(r));
    expect(r.delivery).toMatchObject({ event: 'TEST', status: 'SENT', attempts: 1, lastError: null, services: [] });
    const [request] = receiver.requests.slice(before);
    expect(request).toBeDefined();
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-statuschecker-event']).toBe('TEST');
    const deliveryId = request!.headers['x-statuschecker-delivery'];
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({ deliveryId, event: 'TEST', services: [] });
    expect(request!.headers['x-statuschecker-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(request!.body).digest('hex')}`,
    );
    const { notificationChannel } = await t.run(ChannelDocument, { id: channel.id, first: 5 });
    expect(notificationChannel!.deliveries.totalCount).toBe(1);
    expect(notificationChannel!.deliveries.edges[0]!.node).toMatchObject({ event: 'TEST', status: 'SENT' });
  });

  it('a TEST to a receiver answering 400 is FAILED at once with the error', async () => {
    const channel = await created({ name: 'bad config' });
    receiver.script({ status: 400, body: 'no such hook' });
    const { testNotificationChannel: r } = await t.run(TestChannelDocument, { id: channel.id });
    if (r.__typename !== 'TestNotificationPayload') throw new Error(JSON.stringify(r));
    expect(r.delivery).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(r.delivery.lastError).toContain('HTTP 400: no such hook');
  });

  it('testing a channel that does not exist is NotFound', async () => {
    const channel = await created({ name: 'gone soon' });
    await t.run(DeleteChannelDocument, { id: channel.id });
    expect((await t.run(TestChannelDocument, { id: channel.id })).testNotificationChannel.__typename).toBe(
      'NotFoundError',
    );
  });
});
