import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { createChannel, dbId, FAST_NOTIFY, flip, received, registerSwitched } from '../support/notify.js';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.js';
import { type SmtpReceiver, startSmtpReceiver } from '../support/smtp-receiver.js';
import { lookupVia, startTarget, type Target, TLS_HOSTNAME, testCertificates } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

/** The exact request each kind of channel makes, to real receivers on 127.0.0.1. */
describe.each(DATABASE_KINDS)('notification channel kinds on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  let receiver: Receiver;
  const smtp: SmtpReceiver[] = [];
  beforeAll(async () => {
    const certs = await testCertificates();
    target = await startTarget();
    receiver = await startReceiver();
    t = await startTestApp(kind, {
      env: { PUBLIC_URL: 'https://status.example.com' },
      notify: { ...FAST_NOTIFY, lookup: lookupVia({ [TLS_HOSTNAME]: '127.0.0.1' }), smtpCa: certs.ca },
    });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
    await receiver?.close();
    for (const s of smtp) await s.close();
  });

  /** One service routed to one new channel, taken DOWN; resolves with what reached `path`. */
  const downFor = async (name: string, path: string, count = 1) => {
    const service = await registerSwitched(t, target, name, { labels: [`to:${name}`] });
    await flip(t, target, name, service.id, 503);
    const requests = await received(receiver, count, (r) => r.path.startsWith(path));
    return { service, requests };
  };
  const json = (r: ReceivedRequest) => JSON.parse(r.body) as Record<string, unknown>;

  it('SLACK: an incoming-webhook payload, text plus blocks', async () => {
    await createChannel(t, {
      name: 'slack',
      kind: 'SLACK',
      url: receiver.url('/slack/T000/B000/XXXX'),
      labels: ['to:slack-api'],
    });
    const { service, requests } = await downFor('slack-api', '/slack');
    const body = json(requests[0]!) as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    expect(body.text).toBe('🔴 slack-api is DOWN');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(body.blocks[1]!.text!.text).toContain(
      `*slack-api* <https://status.example.com/services/${dbId(service.id)}|open>`,
    );
    expect(body.blocks[1]!.text!.text).toContain('UP → DOWN · HTTP_STATUS: ');
  });

  it('DISCORD: content and one embed with a field per service', async () => {
    await createChannel(t, {
      name: 'discord',
      kind: 'DISCORD',
      url: receiver.url('/discord/api/webhooks/1/abc'),
      labels: ['to:discord-api'],
    });
    const { service, requests } = await downFor('discord-api', '/discord');
    const body = json(requests[0]!) as {
      content: string;
      embeds: { title: string; url: string; color: number; fields: { name: string; value: string }[] }[];
    };
    expect(body.content).toBe('🔴 discord-api is DOWN');
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds[0]).toMatchObject({
      title: '🔴 discord-api is DOWN',
      url: `https://status.example.com/services/${dbId(service.id)}`,
      color: 0xd93f0b,
    });
    expect(body.embeds[0]!.fields[0]!.name).toBe('discord-api');
    expect(body.embeds[0]!.fields[0]!.value).toContain('UP → DOWN');
  });

  it('TEAMS: a Workflows message with an Adaptive Card', async () => {
    await createChannel(t, {
      name: 'teams',
      kind: 'TEAMS',
      url: receiver.url('/teams/workflows/abc'),
      labels: ['to:teams-api'],
    });
    const { requests } = await downFor('teams-api', '/teams');
    const body = json(requests[0]!) as {
      type: string;
      attachments: {
        contentType: string;
        content: {
          type: string;
          version: string;
          body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
          actions: { type: string; url: string }[];
        };
      }[];
    };
    expect(body.type).toBe('message');
    const card = body.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.content.body[0]!.text).toBe('🔴 teams-api is DOWN');
    expect(card.content.body[1]!.facts![0]!.title).toBe('teams-api');
    expect(card.content.actions[0]!.type).toBe('Action.OpenUrl');
  });

  it('NTFY: JSON publishing to the server root with topic, title, priority, tags, click and the token', async () => {
    await createChannel(t, {
      name: 'ntfy',
      kind: 'NTFY',
      url: receiver.url('/ntfy/alerts'),
      secret: 'tk_ntfy_token_value',
      labels: ['to:ntfy-api'],
    });
    const { service, requests } = await downFor('ntfy-api', '/ntfy');
    expect(requests[0]!.path).toBe('/ntfy');
    expect(requests[0]!.headers.authorization).toBe('Bearer tk_ntfy_token_value');
    expect(json(requests[0]!)).toMatchObject({
      topic: 'alerts',
      title: 'ntfy-api is DOWN',
      priority: 5,
      tags: ['rotating_light', 'down'],
      click: `https://status.example.com/services/${dbId(service.id)}`,
    });
  });

  it('PAGERDUTY: trigger on DOWN, resolve on UP, with the service id as dedup_key', async () => {
    await createChannel(t, {
      name: 'pagerduty',
      kind: 'PAGERDUTY',
      url: receiver.url('/pagerduty/v2/enqueue'),
      secret: 'R0UTINGKEY',
      labels: ['to:pd-api'],
    });
    const { service } = await downFor('pd-api', '/pagerduty');
    await flip(t, target, 'pd-api', service.id, 200);
    const [trigger, resolve] = (await received(receiver, 2, (r) => r.path.startsWith('/pagerduty'))).map(json);
    expect(trigger).toMatchObject({
      routing_key: 'R0UTINGKEY',
      event_action: 'trigger',
      dedup_key: dbId(service.id),
      payload: {
        summary: 'pd-api: pd-api is DOWN',
        source: 'pd-api',
        severity: 'critical',
        custom_details: { current: 'DOWN', reason: 'HTTP_STATUS' },
      },
    });
    expect(resolve).toEqual({ routing_key: 'R0UTINGKEY', event_action: 'resolve', dedup_key: dbId(service.id) });
  });

  it.each(['starttls', 'tls', 'none'] as const)(
    'EMAIL over SMTP (%s): subject, text and HTML, authenticated with the secret',
    async (mode) => {
      const certs = await testCertificates();
      const server = await startSmtpReceiver({
        tls: mode,
        key: certs.trusted.key,
        cert: certs.trusted.cert,
        credentials: { username: 'alerts', password: 'smtp-password-1' },
      });
      smtp.push(server);
      const name = `mail-${mode}`;
      await createChannel(t, {
        name: `email ${mode}`,
        kind: 'EMAIL',
        url: null,
        secret: 'smtp-password-1',
        email: {
          smtpHost: TLS_HOSTNAME,
          smtpPort: server.port,
          tls: mode,
          username: 'alerts',
          from: 'statuschecker@example.com',
          to: ['oncall@example.com', 'lead@example.com'],
        },
        labels: [`to:${name}`],
      });
      const service = await registerSwitched(t, target, name, { labels: [`to:${name}`] });
      await flip(t, target, name, service.id, 503);
      const [got] = await eventually(() => (server.mails.length > 0 ? server.mails : undefined), 10_000, 'a mail');
      expect(got).toMatchObject({
        from: 'statuschecker@example.com',
        to: ['oncall@example.com', 'lead@example.com'],
        user: 'alerts',
        secure: mode !== 'none',
      });
      expect(got!.mail.subject).toBe(`🔴 ${name} is DOWN`);
      expect(got!.mail.text).toContain(`${name} (${target.url(`/switch/${name}`)})`);
      expect(got!.mail.text).toContain('UP → DOWN · HTTP_STATUS');
      expect(got!.mail.html).toContain(`<b>${name}</b>`);
      expect(got!.mail.headers.get('x-statuschecker-event')).toBe('DOWN');
      expect(got!.mail.headers.get('x-statuschecker-delivery')).toMatch(/^[0-9a-f-]{36}$/);
    },
  );
});
