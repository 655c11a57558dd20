import { once } from 'node:events';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';
import { startReceiver } from '../support/receiver.js';
import {
  type LogRecord,
  type ProcessHandle,
  spawnServer,
  startServer,
  stopAllServers,
} from '../support/server-process.js';
import { startSmtpReceiver } from '../support/smtp-receiver.js';
import { connectClient } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const TOKEN_A = 'logs-token-aaaaaaaaaaaa-1';
const TOKEN_B = 'logs-token-bbbbbbbbbbbb-2';
const WRONG_TOKEN = 'logs-token-wwwwwwwwwwww-x';
const METRICS_TOKEN = 'logs-metrics-mmmmmmmmmmmm';
const URL_PASSWORD = 's3cr3t-pass';
const HEADER_SECRET = 'hdr-s3cr3t-value-0123456789';
const WEBHOOK_KEY = 'whk-s3cr3t-0123456789abcdef';
const SLACK_PATH_SECRET = 'slackpathS3cr3t0123456789';
const PD_ROUTING_KEY = 'R0UTINGs3cr3tKEY0123456789ab';
const NTFY_TOKEN = 'tk_ntfys3cr3t0123456789abcd';
const SMTP_PASSWORD = 'smtp-s3cr3t-pass-0123';
const WRONG_SMTP_PASSWORD = 'smtp-wr0ng-pass-0123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

afterAll(async () => {
  await stopAllServers();
});

const post = (url: string, query: string, variables: Record<string, unknown> = {}, authorization?: string) =>
  executeRaw(fetch, url, query, variables, authorization === undefined ? {} : { authorization });

/** The exit code of a process expected to give up at once; a server that starts instead fails the test quickly. */
async function exitCodeOf(handle: ProcessHandle, timeoutMs = 15_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      handle.kill();
      reject(new Error(`still running after ${timeoutMs} ms\n${handle.output()}`));
    }, timeoutMs);
  });
  return Promise.race([handle.exited, timeout])
    .then((result) => result.code)
    .finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// The real process refuses to start unsafely, and says why.
// ---------------------------------------------------------------------------------------------

describe('start-up of the real server process', () => {
  it('refuses HOST=0.0.0.0 without API_TOKENS: exit 1, naming ALLOW_UNAUTHENTICATED=true', async () => {
    const handle = await spawnServer({ env: { HOST: '0.0.0.0' } });
    expect(await exitCodeOf(handle), handle.output()).toBe(1);
    const stderr = handle.stderr.join('\n');
    expect(stderr).toContain('ALLOW_UNAUTHENTICATED=true');
    expect(stderr).toContain('API_TOKENS');
    expect(handle.logs().some((r) => r.msg === 'listening')).toBe(false);
  });

  it('refuses a token shorter than 16 characters: exit 1, naming API_TOKENS, without echoing the token', async () => {
    const short = 'sh0rt-t0ken-x';
    const handle = await spawnServer({ env: { API_TOKENS: `${TOKEN_A},${short}` } });
    expect(await exitCodeOf(handle), handle.output()).toBe(1);
    const stderr = handle.stderr.join('\n');
    expect(stderr).toMatch(/API_TOKENS: .*at least 16 characters/);
    expect(handle.output()).not.toContain(short);
    expect(handle.output()).not.toContain(TOKEN_A);
  });

  it('starts on HOST=0.0.0.0 with ALLOW_UNAUTHENTICATED=true, and answers without a token', async () => {
    const server = await startServer({ env: { HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' } });
    const { status, body } = await post(`http://127.0.0.1:${server.port}/graphql`, '{ statusSummary { total } }');
    expect({ status, body }).toEqual({ status: 200, body: { data: { statusSummary: { total: 0 } } } });
    expect(await server.stop()).toBe(0);
  });

  it('starts on HOST=0.0.0.0 with API_TOKENS, and then asks for the token', async () => {
    const server = await startServer({ env: { HOST: '0.0.0.0', API_TOKENS: TOKEN_A } });
    const url = `http://127.0.0.1:${server.port}/graphql`;
    expect((await post(url, '{ statusSummary { total } }')).status).toBe(401);
    expect(await post(url, '{ statusSummary { total } }', {}, `Bearer ${TOKEN_A}`)).toEqual({
      status: 200,
      body: { data: { statusSummary: { total: 0 } } },
    });
    expect(await server.stop()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Unexpected errors are masked for the client and logged in full, tied by the request id.
// ---------------------------------------------------------------------------------------------

describe('an unexpected error with NODE_ENV=production', () => {
  let app: App;
  let database: TestDatabase;
  let baseUrl: string;
  const lines: string[] = [];
  const records = () => lines.map((line) => JSON.parse(line) as LogRecord);
  /** The internal detail a bug would carry: it must reach the log, never the client. */
  const DETAIL = 'status cache invariant broken at /srv/statuschecker/internal/cache.ts';

  beforeAll(async () => {
    database = await createTestDatabase('embedded');
    const loaded = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATA_DIR: database.dataDir,
      PORT: '0',
      API_TOKENS: TOKEN_A,
    });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    // The app as main.ts builds it, with its log lines captured instead of written to stdout.
    app = await createApp({
      config: loaded.config,
      logger: createLogger(loaded.config.log.level, { write: (line: string) => void lines.push(line) }),
    });
    baseUrl = `http://127.0.0.1:${await app.listen()}`;
  });
  afterAll(async () => {
    await app?.stop();
    await database?.dispose();
  });

  /**
   * How the error is caused: the `statusSummary` resolver reads `ctx.cache.summary()`, and the
   * context holds the very cache object the app exposes. Making that one call throw is a bug in a
   * domain part as a resolver meets it, through the real HTTP server, Yoga and its error masking.
   */
  const breakStatusCacheOnce = () =>
    vi.spyOn(app.testing.cache, 'summary').mockImplementationOnce(() => {
      throw new TypeError(DETAIL);
    });

  it('over HTTP: "Unexpected error. (request id …)", the same id in x-request-id and in the log line with the full error', async () => {
    const spy = breakStatusCacheOnce();
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${TOKEN_A}`,
      },
      body: JSON.stringify({ query: '{ statusSummary { total } }' }),
    });
    const text = await response.text();
    const requestId = response.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(UUID);
    expect(spy).toHaveBeenCalledTimes(1);

    const body = JSON.parse(text) as {
      data: unknown;
      errors: { message: string; path: string[]; extensions: Record<string, unknown> }[];
    };
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({
      message: `Unexpected error. (request id ${requestId})`,
      path: ['statusSummary'],
    });
    expect(body.errors[0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
    for (const internal of ['invariant', '/srv/', 'TypeError', 'cache.ts', 'originalMessage', 'stack'])
      expect(text).not.toContain(internal);

    const logged = records().filter((r) => r.msg === 'unexpected error' && r.requestId === requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 50,
      component: 'graphql',
      path: ['statusSummary'],
      err: { type: 'TypeError', message: DETAIL },
    });
    expect((logged[0]!.err as { stack: string }).stack).toContain(DETAIL);

    // One broken call, not a broken server.
    expect(await post(`${baseUrl}/graphql`, '{ statusSummary { total } }', {}, `Bearer ${TOKEN_A}`)).toEqual({
      status: 200,
      body: { data: { statusSummary: { total: 0 } } },
    });
  });

  it('keeps client mistakes out of "unexpected error": node() of a removed service, NUL in a URL or in bodyContains', async () => {
    const authorization = `Bearer ${TOKEN_A}`;
    const unexpected = () => records().filter((r) => r.msg === 'unexpected error').length;
    const unexpectedBefore = unexpected();
    const gone = await app.testing.registry.register({ name: 'soon-gone', url: 'http://127.0.0.1:9/' });
    await app.testing.registry.unregister(gone.id);
    expect(
      await post(
        `${baseUrl}/graphql`,
        'query ($id: ID!) { node(id: $id) { id } }',
        { id: Buffer.from(`Service:${gone.id}`).toString('base64') },
        authorization,
      ),
    ).toEqual({
      status: 200,
      body: { data: { node: null } },
    });
    const register = (input: Record<string, unknown>) =>
      post(
        `${baseUrl}/graphql`,
        'mutation ($input: RegisterServiceInput!) { registerService(input: $input) { __typename ... on ValidationError { field } } }',
        { input },
        authorization,
      );
    expect(await register({ name: 'nul-url', url: `http://user:${URL_PASSWORD}@127.0.0.1:9/\u0000` })).toEqual({
      status: 200,
      body: { data: { registerService: { __typename: 'ValidationError', field: 'url' } } },
    });
    expect(await register({ name: 'nul-body', url: 'http://127.0.0.1:9/', bodyContains: 'a\u0000b' })).toEqual({
      status: 200,
      body: { data: { registerService: { __typename: 'ValidationError', field: 'bodyContains' } } },
    });
    expect(unexpected()).toBe(unexpectedBefore);
  });

  it("over WebSockets: the same masking, with the message's own request id in the log line", async () => {
    breakStatusCacheOnce();
    const client: Client = connectClient(`${baseUrl}/graphql`, {
      connectionParams: { authorization: `Bearer ${TOKEN_A}` },
    });
    try {
      const result = await new Promise<{ errors?: { message: string; extensions?: Record<string, unknown> }[] }>(
        (resolve, reject) => {
          client.subscribe(
            { query: '{ statusSummary { total } }' },
            { next: resolve as never, error: reject, complete: () => undefined },
          );
        },
      );
      const error = result.errors?.[0];
      const requestId = String(error?.extensions?.requestId);
      expect(requestId).toMatch(UUID);
      expect(error?.message).toBe(`Unexpected error. (request id ${requestId})`);
      expect(JSON.stringify(result)).not.toContain('invariant');
      const logged = records().filter((r) => r.msg === 'unexpected error' && r.requestId === requestId);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ err: { message: DETAIL } });
    } finally {
      await client.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Logs never contain secrets: the real process at LOG_LEVEL=trace, fed every kind of credential.
// ---------------------------------------------------------------------------------------------

describe('the logs of the real server process', () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('never contain an API token, the metrics token, a wrong token, or a password from a service URL', async () => {
    const server = await startServer({
      env: { API_TOKENS: `${TOKEN_A},${TOKEN_B}`, METRICS_TOKEN, LOG_LEVEL: 'trace' },
    });
    const url = `${server.url}/graphql`;
    const right = `Bearer ${TOKEN_A}`;

    // Services whose URLs carry credentials (and one with a secret header), checked for real.
    const register = async (name: string, serviceUrl: string, extra: Record<string, unknown> = {}) => {
      const { body } = await post(
        url,
        'mutation ($input: RegisterServiceInput!) { registerService(input: $input) { __typename ... on ServicePayload { service { id } } } }',
        { input: { name, url: serviceUrl, ...extra } },
        right,
      );
      const payload = (body.data as { registerService: { __typename: string; service?: { id: string } } })
        .registerService;
      expect(payload.__typename, JSON.stringify(body)).toBe('ServicePayload');
      return payload.service!.id;
    };
    const refused = await register('creds-refused', `http://user:${URL_PASSWORD}@127.0.0.1:9/x`, {
      intervalSeconds: 1,
      timeoutMs: 500,
    });
    const failing = await register(
      'creds-503',
      target.url('/status/503').replace('http://', `http://user:${URL_PASSWORD}@`),
      {
        headers: [{ name: 'x-api-key', value: HEADER_SECRET }],
      },
    );
    const checkNow = (id: string) =>
      post(url, 'mutation ($id: ID!) { checkServiceNow(id: $id) { __typename } }', { id }, right);
    expect((await checkNow(failing)).body.data).toEqual({ checkServiceNow: { __typename: 'ServicePayload' } });
    expect(target.lastRequest('/status/503')?.headers.authorization).toBe(
      `Basic ${Buffer.from(`user:${URL_PASSWORD}`).toString('base64')}`,
    );
    // Nobody asks for the 1-second service: the scheduler checks it by itself, and logs its transition.
    const refusedId = Buffer.from(refused, 'base64')
      .toString()
      .replace(/^Service:/, '');
    await server.waitForLog(
      (r) => r.msg === 'status changed' && r.serviceId === refusedId && r.current === 'DOWN',
      10_000,
    );

    // More operations that carry the secrets in their inputs.
    await post(
      url,
      'mutation ($input: RegisterServiceInput!) { testCheck(input: $input) { __typename } }',
      { input: { name: 'probe', url: `http://admin:${URL_PASSWORD}@127.0.0.1:9/t` } },
      right,
    );
    await post(
      url,
      'mutation ($id: ID!, $input: UpdateServiceInput!) { updateService(id: $id, input: $input) { __typename } }',
      { id: failing, input: { url: target.url('/status/500').replace('http://', `http://other:${URL_PASSWORD}@`) } },
      `Bearer ${TOKEN_B}`,
    );
    await checkNow(failing);

    // Errors of every kind, all with credentials attached.
    await post(url, '{ statusSummary { total } }', {}, `Bearer ${WRONG_TOKEN}`);
    await post(url, '{ statusSummary { total } }', {}, WRONG_TOKEN);
    await post(url, '{ statusSummary { total } }', {}, `bearer   ${TOKEN_B}  `);
    await post(url, 'mutation { pauseService(id: "nope") { __typename } }');
    await post(url, '{ statusSummary { total', {}, right);
    await post(url, '{ noSuchField }', {}, right);
    await post(
      url,
      'mutation ($input: RegisterServiceInput!) { registerService(input: $input) { __typename } }',
      { input: { name: 'bad', url: `ftp://user:${URL_PASSWORD}@127.0.0.1/` } },
      right,
    );
    await post(
      url,
      'mutation ($input: RegisterServiceInput!) { registerService(input: $input) { __typename } }',
      { input: { name: 'nul', url: `http://user:${URL_PASSWORD}@127.0.0.1:9/\u0000` } },
      right,
    );
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: right },
      body: `{"query": "${TOKEN_A}`,
    });
    for (const authorization of [undefined, `Bearer ${WRONG_TOKEN}`, `Bearer ${METRICS_TOKEN}`, `Bearer ${TOKEN_A}`]) {
      await fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
    }

    // WebSockets: connection_init with right and wrong tokens, in both spellings of the key.
    for (const params of [
      { authorization: right },
      { Authorization: `Bearer ${TOKEN_B}` },
      { authorization: `Bearer ${WRONG_TOKEN}` },
      { Authorization: `Bearer ${WRONG_TOKEN}` },
    ]) {
      const client = connectClient(url, { connectionParams: params });
      await new Promise<void>((resolve) => {
        client.subscribe(
          { query: '{ statusSummary { total } }' },
          { next: () => undefined, error: () => resolve(), complete: () => resolve() },
        );
      });
      await client.dispose();
    }
    // A frame over the size limit, with a token inside.
    const socket = new WebSocket(url.replace('http', 'ws'), 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: right, padding: 'x'.repeat(70 * 1024) } }),
    );
    await once(socket, 'close');

    expect(await server.stop()).toBe(0);
    const output = server.output();

    // The run did log, and in detail: otherwise "no secret" would prove nothing.
    const logs = server.logs();
    expect(logs.some((r) => r.level === 10 || r.level === 20)).toBe(true);
    expect(logs.filter((r) => r.msg === 'service registered').length).toBeGreaterThanOrEqual(2);
    expect(logs.filter((r) => r.msg === 'status changed').length).toBeGreaterThanOrEqual(2);

    const secrets: Record<string, string> = {
      'the first API token': TOKEN_A,
      'the second API token': TOKEN_B,
      'the wrong token': WRONG_TOKEN,
      'the metrics token': METRICS_TOKEN,
      'the password in a service URL': URL_PASSWORD,
      'the Basic credentials sent to the target': Buffer.from(`user:${URL_PASSWORD}`).toString('base64'),
      'a secret service header': HEADER_SECRET,
    };
    const leaks = Object.entries(secrets)
      .filter(([, secret]) => output.includes(secret))
      .map(([what, secret]) => `${what}: ${output.split('\n').find((line) => line.includes(secret))}`);
    expect(leaks).toEqual([]);
    expect(output).not.toMatch(/Bearer\s+[^\s"<\\]{6,}/i);
  });

  it('never contain a notification secret (webhook key, routing key, ntfy token, SMTP password, Slack path), nor does the API', async () => {
    const receiver = await startReceiver();
    const smtp = await startSmtpReceiver({ tls: 'none', credentials: { username: 'mailer', password: SMTP_PASSWORD } });
    try {
      // Every receiver refuses at first, so errors (the likeliest place for a leak) are logged too.
      receiver.script(
        { status: 500, body: 'refused' },
        { status: 500, body: 'refused' },
        { status: 500 },
        { status: 500 },
      );
      const server = await startServer({
        env: {
          API_TOKENS: TOKEN_A,
          LOG_LEVEL: 'trace',
          SECRETS_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        },
      });
      const url = `${server.url}/graphql`;
      const right = `Bearer ${TOKEN_A}`;
      const create = async (input: Record<string, unknown>) => {
        const { body } = await post(
          url,
          'mutation ($input: NotificationChannelInput!) { createNotificationChannel(input: $input) { __typename ... on NotificationChannelPayload { channel { id } } ... on Error { message } } }',
          { input: { labels: ['team:secret'], ...input } },
          right,
        );
        const result = (body.data as { createNotificationChannel: { __typename: string; channel?: { id: string } } })
          .createNotificationChannel;
        expect(result.__typename, JSON.stringify(body)).toBe('NotificationChannelPayload');
        return result.channel!.id;
      };
      const mailChannel = (name: string, password: string) => ({
        name,
        kind: 'EMAIL',
        secret: password,
        email: {
          smtpHost: '127.0.0.1',
          smtpPort: smtp.port,
          tls: 'none',
          username: 'mailer',
          from: 'alerts@example.com',
          to: ['ops@example.com'],
        },
      });
      const channels = [
        await create({ name: 'hook', kind: 'WEBHOOK', url: receiver.url('/hook'), secret: WEBHOOK_KEY }),
        await create({ name: 'slack', kind: 'SLACK', url: receiver.url(`/services/T0/B0/${SLACK_PATH_SECRET}`) }),
        await create({ name: 'ntfy', kind: 'NTFY', url: receiver.url('/alerts'), secret: NTFY_TOKEN }),
        await create({ name: 'pd', kind: 'PAGERDUTY', url: receiver.url('/v2/enqueue'), secret: PD_ROUTING_KEY }),
        await create(mailChannel('mail', SMTP_PASSWORD)),
        // A wrong SMTP password too: authentication errors are logged and recorded.
        await create(mailChannel('mail-wrong', WRONG_SMTP_PASSWORD)),
      ];
      for (const id of channels) {
        await post(url, 'mutation ($id: ID!) { testNotificationChannel(id: $id) { __typename } }', { id }, right);
      }
      // A transition routed to every channel; the receiver takes it after its refusals.
      target.respondWith('/secret-switch', 503);
      await post(
        url,
        'mutation ($input: RegisterServiceInput!) { registerService(input: $input) { __typename } }',
        {
          input: {
            name: 'secret-routed',
            url: target.url('/secret-switch'),
            intervalSeconds: 1,
            timeoutMs: 500,
            labels: ['team:secret'],
          },
        },
        right,
      );
      await eventually(
        () => (smtp.mails.length >= 2 && receiver.requests.length >= 8 ? true : undefined),
        20_000,
        'deliveries',
      );
      // The webhook secret really signed (so it was in use, not merely stored).
      expect(
        receiver.requests.some((r) => r.headers['x-statuschecker-signature']?.toString().startsWith('sha256=')),
      ).toBe(true);

      // Everything the API can show of channels and deliveries, read with the token.
      const { body: answer } = await post(
        url,
        `{ notificationChannels { id name kind events labels isDefault remindEveryMinutes groupWindowSeconds rateLimitPerMinute target hasSecret createdAt
             deliveries(first: 50) { totalCount edges { node { id event status attempts createdAt sentAt lastError services { name } } } } }
           services { edges { node { name notificationChannels { name target } notifications(first: 50) { edges { node { lastError } } } } } } }`,
        {},
        right,
      );
      expect(JSON.stringify(answer)).toContain('hasSecret');
      expect((answer as { errors?: unknown }).errors).toBeUndefined();
      expect(await server.stop()).toBe(0);

      const secrets: Record<string, string> = {
        'the webhook HMAC key': WEBHOOK_KEY,
        'the Slack webhook path': SLACK_PATH_SECRET,
        'the ntfy token': NTFY_TOKEN,
        'the PagerDuty routing key': PD_ROUTING_KEY,
        'the SMTP password': SMTP_PASSWORD,
        'the wrong SMTP password': WRONG_SMTP_PASSWORD,
        'the SMTP AUTH PLAIN blob': Buffer.from(`\u0000mailer\u0000${SMTP_PASSWORD}`).toString('base64'),
      };
      const api = JSON.stringify(answer);
      const leaks = Object.entries(secrets).flatMap(([what, secret]) => [
        ...(server.output().includes(secret)
          ? [
              `log, ${what}: ${server
                .output()
                .split('\n')
                .find((line) => line.includes(secret))}`,
            ]
          : []),
        ...(api.includes(secret) ? [`API, ${what}`] : []),
      ]);
      expect(leaks).toEqual([]);
      expect(server.logs().some((r) => /notif/i.test(String(r.component ?? r.msg)))).toBe(true);
    } finally {
      await receiver.close();
      await smtp.close();
    }
  });
});
