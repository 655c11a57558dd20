import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckHeartbeatNowDocument,
  HeartbeatHistoryDocument,
  HeartbeatServiceDocument,
  KindStatusChangedDocument,
  PauseServiceDocument,
  RegisterHeartbeatDocument,
  type RegisterServiceInput,
  RotatePushTokenDocument,
  UpdateHeartbeatDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, DATABASE_KINDS, type DatabaseKind, type TestDatabase } from '../support/database.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { eventually } from '../support/wait.js';

const MINUTE = 60_000;

/** The clock of checks and history: moved by the test, never by waiting. */
function manualClock(startIso: string) {
  let t = Date.parse(startIso);
  return {
    now: () => new Date(t),
    set: (iso: string) => {
      t = Date.parse(iso);
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

type Clock = ReturnType<typeof manualClock>;

async function startApp(kind: DatabaseKind, clock: Clock, database?: TestDatabase): Promise<TestApp> {
  // A short look at the deadlines: the test moves the clock and waits for the tracker to notice.
  return startTestApp(kind, { listen: true, now: clock.now, database, heartbeatPollMs: 20 });
}

async function register(t: TestApp, input: Partial<RegisterServiceInput> & { name: string }) {
  const { registerService: result } = await t.run(RegisterHeartbeatDocument, {
    input: { kind: 'HEARTBEAT', ...input },
  });
  if (result.__typename !== 'ServicePayload') throw new Error(`registration failed: ${JSON.stringify(result)}`);
  if (!result.pushUrl) throw new Error('no pushUrl');
  return { service: result.service, pushUrl: result.pushUrl };
}

async function stateOf(t: TestApp, id: string) {
  const { node } = await t.run(HeartbeatServiceDocument, { id });
  if (!node || !('state' in node)) throw new Error(`no service ${id}`);
  return node;
}

async function transitionsOf(t: TestApp, id: string) {
  await t.app.testing.history.flush();
  const { node } = await t.run(HeartbeatHistoryDocument, { id });
  if (!node || !('statusChanges' in node)) throw new Error(`no service ${id}`);
  return node.statusChanges.edges.map((e) => `${e.node.previous}->${e.node.current}: ${e.node.message}`).reverse();
}

/** The push URL on this app's port (registration made it from the request's origin, here in-process). */
function onPort(t: TestApp, pushUrl: string, suffix = ''): string {
  return `${t.baseUrl}${new URL(pushUrl).pathname}${suffix}`;
}

async function push(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text() };
}

/** Resolves once the server runs a subscription (so the first transition cannot be missed). */
async function subscribed(t: TestApp) {
  const gauge = t.app.testing.metrics.registry.getSingleMetric('statuschecker_subscriptions_active');
  await eventually(
    async () => (((await gauge?.get())?.values[0]?.value ?? 0) >= 1 ? true : undefined),
    10_000,
    'the subscription to be active',
  );
}

async function statusBecomes(t: TestApp, id: string, status: string) {
  return eventually(
    async () => {
      const service = await stateOf(t, id);
      return service.state.status === status ? service : undefined;
    },
    5_000,
    `status ${status}`,
  );
}

describe.each(DATABASE_KINDS)('heartbeats end to end on %s', (kind) => {
  const clock = manualClock('2026-12-03T01:30:00Z');
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(kind, clock);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers with a push URL shown once, and a url without the secret', async () => {
    const { service, pushUrl } = await register(t, {
      name: `${kind}-registered`,
      heartbeat: { periodSeconds: 3600, graceSeconds: 300 },
    });
    const uuid = Buffer.from(service.id, 'base64')
      .toString()
      .replace(/^Service:/, '');
    expect(service).toMatchObject({
      kind: 'HEARTBEAT',
      url: `/push/${uuid}`,
      heartbeat: { periodSeconds: 3600, cron: null, timezone: 'UTC', graceSeconds: 300 },
      state: { status: 'UNKNOWN', lastPingAt: null },
    });
    const secret = new URL(pushUrl).pathname.split('/')[3]!;
    expect(new URL(pushUrl).pathname).toBe(`/push/${uuid}/${secret}`);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Never readable afterwards: not in the service, not in another mutation's payload.
    const again = await t.run(CheckHeartbeatNowDocument, { id: service.id });
    expect(JSON.stringify(again)).not.toContain(secret);
    expect(again.checkServiceNow).toMatchObject({ pushUrl: null });
    const stored = await t.app.testing.prisma.service.findUniqueOrThrow({ where: { id: uuid } });
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it('goes UP on a ping, DOWN with HEARTBEAT_MISSED once period and grace pass, UP again on the next ping; a subscriber sees each', async () => {
    clock.set('2026-12-03T01:30:00Z');
    const { service, pushUrl } = await register(t, {
      name: `${kind}-period`,
      heartbeat: { periodSeconds: 3600, graceSeconds: 300 },
    });
    const client = connectClient(`${t.baseUrl}/graphql`);
    const events = subscribe(client, KindStatusChangedDocument, { serviceIds: [service.id] });
    try {
      await subscribed(t);
      clock.set('2026-12-03T01:40:00Z');
      expect(await push(onPort(t, pushUrl))).toEqual({ status: 200, body: 'OK\n' });
      const up = await events.next((e) => e.statusChanged.current === 'UP', 5_000);
      expect(up.statusChanged).toMatchObject({ previous: 'UNKNOWN', message: 'ping received' });

      // Within period + grace: still UP.
      clock.set('2026-12-03T02:44:59Z');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await stateOf(t, service.id)).state).toMatchObject({
        status: 'UP',
        lastPingAt: '2026-12-03T01:40:00.000Z',
      });

      clock.set('2026-12-03T02:45:01Z');
      const down = await events.next((e) => e.statusChanged.current === 'DOWN', 5_000);
      const message = 'no ping since 2026-12-03 01:40 UTC (expected every 1 h, grace 5 min)';
      expect(down.statusChanged).toMatchObject({
        previous: 'UP',
        message,
        state: { status: 'DOWN', reason: 'HEARTBEAT_MISSED', message },
      });

      clock.set('2026-12-03T03:00:00Z');
      expect((await push(onPort(t, pushUrl), { method: 'POST' })).status).toBe(200);
      const back = await events.next((e) => e.statusChanged.previous === 'DOWN', 5_000);
      expect(back.statusChanged).toMatchObject({ current: 'UP', state: { status: 'UP', reason: null } });
      expect(await transitionsOf(t, service.id)).toEqual([
        'UNKNOWN->UP: ping received',
        `UP->DOWN: ${message}`,
        'DOWN->UP: ping received',
      ]);
    } finally {
      events.dispose();
      await client.dispose();
    }
  });

  it('counts each missed period towards failureThreshold', async () => {
    clock.set('2026-12-03T05:00:00Z');
    const { service, pushUrl } = await register(t, {
      name: `${kind}-threshold`,
      failureThreshold: 2,
      heartbeat: { periodSeconds: 600, graceSeconds: 0 },
    });
    await push(onPort(t, pushUrl));
    clock.set('2026-12-03T05:10:01Z');
    await eventually(async () => ((await stateOf(t, service.id)).state.consecutiveFailures === 1 ? true : undefined));
    expect((await stateOf(t, service.id)).state).toMatchObject({ status: 'UP', reason: 'HEARTBEAT_MISSED' });
    clock.set('2026-12-03T05:20:01Z');
    const down = await statusBecomes(t, service.id, 'DOWN');
    expect(down.state).toMatchObject({ consecutiveFailures: 2, reason: 'HEARTBEAT_MISSED' });
  });

  it('reports the run time from /start to the ping as latency, DEGRADED above degradedAboveMs', async () => {
    clock.set('2026-12-03T06:00:00Z');
    const { service, pushUrl } = await register(t, {
      name: `${kind}-runs`,
      degradedAboveMs: 60_000,
      heartbeat: { periodSeconds: 3600 },
    });
    expect((await push(onPort(t, pushUrl, '/start'))).status).toBe(200);
    const running = await stateOf(t, service.id);
    expect(running.state).toMatchObject({ status: 'UNKNOWN', runStartedAt: '2026-12-03T06:00:00.000Z' });
    clock.advance(2_500);
    await push(onPort(t, pushUrl));
    const done = await statusBecomes(t, service.id, 'UP');
    expect(done.state).toMatchObject({ latencyMs: 2_500, runStartedAt: null });
    expect(await transitionsOf(t, service.id)).toEqual(['UNKNOWN->UP: ping received after a run of 2.5 s']);

    await push(onPort(t, pushUrl, '/start'));
    clock.advance(90_000);
    await push(onPort(t, pushUrl, '/0'));
    const slow = await statusBecomes(t, service.id, 'DEGRADED');
    expect(slow.state).toMatchObject({ latencyMs: 90_000, message: 'the run took 1 min 30 s, above 1 min 0 s' });
  });

  it('turns /fail and non-zero exit codes into HEARTBEAT_FAILED with the body as the message', async () => {
    clock.set('2026-12-03T07:00:00Z');
    const { service, pushUrl } = await register(t, { name: `${kind}-fails`, heartbeat: { periodSeconds: 3600 } });
    await push(onPort(t, pushUrl, '/fail'), { method: 'POST', body: 'disk full: /var at 100%\n' });
    const failed = await statusBecomes(t, service.id, 'DOWN');
    expect(failed.state).toMatchObject({ reason: 'HEARTBEAT_FAILED', message: 'disk full: /var at 100%' });

    await push(onPort(t, pushUrl, '/0'));
    await statusBecomes(t, service.id, 'UP');
    await push(onPort(t, pushUrl, '/3'));
    expect((await statusBecomes(t, service.id, 'DOWN')).state.message).toBe('the job exited with code 3');
    await push(onPort(t, pushUrl));
    await statusBecomes(t, service.id, 'UP');
    await push(onPort(t, pushUrl, '/137'), { method: 'POST', body: 'killed\u0000 by OOM' });
    expect((await statusBecomes(t, service.id, 'DOWN')).state.message).toBe(
      'the job exited with code 137: killed by OOM',
    );

    // A body beyond 10 KiB is cut there.
    await push(onPort(t, pushUrl, '/fail'), { method: 'POST', body: 'x'.repeat(50_000) });
    await eventually(async () =>
      (await stateOf(t, service.id)).state.message?.length === 10 * 1024 ? true : undefined,
    );
    // GET /fail has no body: the message says what happened.
    await push(onPort(t, pushUrl, '/fail'));
    await eventually(async () =>
      (await stateOf(t, service.id)).state.message === 'the job reported a failure' ? true : undefined,
    );
    for (const suffix of ['/256', '/abc', '/start/extra']) {
      expect((await push(onPort(t, pushUrl, suffix))).status, suffix).toBe(suffix === '/start/extra' ? 404 : 400);
    }
  });

  it('takes the secret as a bearer token too', async () => {
    clock.set('2026-12-03T08:00:00Z');
    const { service, pushUrl } = await register(t, { name: `${kind}-bearer`, heartbeat: { periodSeconds: 3600 } });
    const secret = new URL(pushUrl).pathname.split('/')[3]!;
    const headers = { authorization: `Bearer ${secret}` };
    const path = `${t.baseUrl}${service.url}`;
    expect((await push(path, { headers })).status).toBe(200);
    await statusBecomes(t, service.id, 'UP');
    expect((await push(`${path}/fail`, { headers, method: 'POST', body: 'no' })).status).toBe(200);
    expect((await statusBecomes(t, service.id, 'DOWN')).state.message).toBe('no');
    expect((await push(path, { headers: { authorization: 'Bearer nope' } })).status).toBe(404);
  });

  it('answers a wrong secret exactly like an unknown id, and records nothing', async () => {
    clock.set('2026-12-03T09:00:00Z');
    const { service, pushUrl } = await register(t, { name: `${kind}-wrong`, heartbeat: { periodSeconds: 3600 } });
    const wrong = await push(`${t.baseUrl}${service.url}/${'A'.repeat(43)}`);
    const unknown = await push(`${t.baseUrl}/push/00000000-0000-4000-8000-000000000000/${'A'.repeat(43)}`);
    const noSecret = await push(`${t.baseUrl}${service.url}`);
    expect(wrong).toEqual({ status: 404, body: 'not found\n' });
    expect(unknown).toEqual(wrong);
    expect(noSecret).toEqual(wrong);
    await push(`${t.baseUrl}${service.url}/${'A'.repeat(43)}/fail`, { method: 'POST', body: 'forged' });
    const after = await stateOf(t, service.id);
    expect(after.state).toMatchObject({ status: 'UNKNOWN', lastPingAt: null, message: null });
    expect(await transitionsOf(t, service.id)).toEqual([]);
    expect((await push(onPort(t, pushUrl))).status).toBe(200);
  });

  it('rotates the secret: the old push URL stops working, the new one works', async () => {
    clock.set('2026-12-03T10:00:00Z');
    const { service, pushUrl } = await register(t, { name: `${kind}-rotate`, heartbeat: { periodSeconds: 3600 } });
    const { rotatePushToken } = await t.run(RotatePushTokenDocument, { id: service.id });
    if (rotatePushToken.__typename !== 'ServicePayload' || !rotatePushToken.pushUrl) throw new Error('no new url');
    expect(rotatePushToken.pushUrl).not.toBe(pushUrl);
    expect((await push(onPort(t, pushUrl))).status).toBe(404);
    expect((await push(onPort(t, rotatePushToken.pushUrl))).status).toBe(200);
    await statusBecomes(t, service.id, 'UP');
  });

  it('records nothing for a paused heartbeat and limits a runaway loop per service', async () => {
    clock.set('2026-12-03T11:00:00Z');
    const paused = await register(t, { name: `${kind}-paused`, heartbeat: { periodSeconds: 3600 } });
    await t.run(PauseServiceDocument, { id: paused.service.id });
    expect(await push(onPort(t, paused.pushUrl, '/fail'))).toMatchObject({ status: 200 });
    expect((await stateOf(t, paused.service.id)).state).toMatchObject({ status: 'PAUSED', lastPingAt: null });

    const looping = await register(t, { name: `${kind}-loop`, heartbeat: { periodSeconds: 3600 } });
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push((await push(onPort(t, looping.pushUrl))).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.at(-1)).toBe(429);
  });

  it('expects a cron schedule in its time zone', async () => {
    // 02:30 in Berlin is 01:30 UTC in December; read as UTC it would be an hour later.
    clock.set('2026-12-04T00:00:00Z');
    const { service, pushUrl } = await register(t, {
      name: `${kind}-cron`,
      heartbeat: { cron: '30 2 * * *', timezone: 'Europe/Berlin', graceSeconds: 600 },
    });
    expect(service.heartbeat).toEqual({
      periodSeconds: null,
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      graceSeconds: 600,
    });
    await push(onPort(t, pushUrl));
    await statusBecomes(t, service.id, 'UP');
    clock.set('2026-12-04T01:39:00Z');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await stateOf(t, service.id)).state.status).toBe('UP');
    clock.set('2026-12-04T01:40:01Z');
    const down = await statusBecomes(t, service.id, 'DOWN');
    expect(down.state.message).toBe(
      'no ping since 2026-12-04 01:00 Europe/Berlin (expected at 2026-12-04 02:30 Europe/Berlin by cron "30 2 * * *", grace 10 min)',
    );
    // A ping after the missed run expects the next day's.
    clock.set('2026-12-04T02:00:00Z');
    await push(onPort(t, pushUrl));
    await statusBecomes(t, service.id, 'UP');
    clock.set('2026-12-05T01:39:00Z');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await stateOf(t, service.id)).state.status).toBe('UP');
  });
});

describe.each(DATABASE_KINDS)('heartbeat deadlines across a restart on %s', (kind) => {
  let database: TestDatabase;
  let t: TestApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.stop();
    await database?.dispose();
  });

  it('keeps the deadline from the stored last ping, neither reset nor forgotten by a restart', async () => {
    const clock = manualClock('2026-12-03T12:00:00Z');
    t = await startApp(kind, clock, database);
    const { service, pushUrl } = await register(t, {
      name: 'restarted',
      heartbeat: { periodSeconds: 3600, graceSeconds: 60 },
    });
    const path = new URL(pushUrl).pathname;
    await push(`${t.baseUrl}${path}/start`);
    clock.set('2026-12-03T12:00:05Z');
    await push(`${t.baseUrl}${path}`);
    await statusBecomes(t, service.id, 'UP');
    await push(`${t.baseUrl}${path}/start`);
    await t.stop();

    // Back 50 minutes later: the deadline is still 13:01:05, not 50 minutes + 1 h 1 min from now.
    clock.set('2026-12-03T12:50:00Z');
    t = await startApp(kind, clock, database);
    expect((await stateOf(t, service.id)).state).toMatchObject({
      status: 'UP',
      lastPingAt: '2026-12-03T12:00:05.000Z',
      runStartedAt: '2026-12-03T12:00:05.000Z',
    });
    clock.set('2026-12-03T13:01:06Z');
    const down = await statusBecomes(t, service.id, 'DOWN');
    expect(down.state.message).toBe('no ping since 2026-12-03 12:00 UTC (expected every 1 h, grace 1 min)');
    await t.stop();

    // Down while stopped, and back: the miss is not recorded twice; the run started before still counts.
    clock.set('2026-12-03T13:30:00Z');
    t = await startApp(kind, clock, database);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await stateOf(t, service.id)).state).toMatchObject({ status: 'DOWN', consecutiveFailures: 1 });
    await push(`${t.baseUrl}${path}`);
    const up = await statusBecomes(t, service.id, 'UP');
    expect(up.state.latencyMs).toBe(90 * MINUTE - 5_000);
    expect(await transitionsOf(t, service.id)).toEqual([
      'UNKNOWN->UP: ping received after a run of 5.0 s',
      'UP->DOWN: no ping since 2026-12-03 12:00 UTC (expected every 1 h, grace 1 min)',
      'DOWN->UP: ping received after a run of 1 h 29 min',
    ]);
    await t.stop();

    // A deadline that passed while nothing ran is recorded at start-up.
    clock.set('2026-12-03T16:00:00Z');
    t = await startApp(kind, clock, database);
    const missed = await statusBecomes(t, service.id, 'DOWN');
    expect(missed.state.message).toBe('no ping since 2026-12-03 13:30 UTC (expected every 1 h, grace 1 min)');
  }, 120_000);
});

describe('heartbeat validation names the field', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('embedded', { env: { SCHEDULER_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['both period and cron', { heartbeat: { periodSeconds: 60, cron: '* * * * *' } }, 'heartbeat.cron'],
    ['neither period nor cron', { heartbeat: { graceSeconds: 10 } }, 'heartbeat.periodSeconds'],
    ['no heartbeat options', {}, 'heartbeat'],
    ['a cron that does not parse', { heartbeat: { cron: 'every day' } }, 'heartbeat.cron'],
    ['a cron with seconds', { heartbeat: { cron: '0 0 2 * * *' } }, 'heartbeat.cron'],
    ['a cron that never fires', { heartbeat: { cron: '0 0 30 2 *' } }, 'heartbeat.cron'],
    ['an unknown time zone', { heartbeat: { cron: '0 2 * * *', timezone: 'Mars/Olympus' } }, 'heartbeat.timezone'],
    ['a period of 0', { heartbeat: { periodSeconds: 0 } }, 'heartbeat.periodSeconds'],
    ['a negative grace', { heartbeat: { periodSeconds: 60, graceSeconds: -1 } }, 'heartbeat.graceSeconds'],
    ['a url', { url: 'https://example.com', heartbeat: { periodSeconds: 60 } }, 'url'],
  ] as const)('%s', async (_what, input, field) => {
    const { registerService } = await t.run(RegisterHeartbeatDocument, {
      input: { name: `invalid-${field}-${Math.random()}`, kind: 'HEARTBEAT', ...input },
    });
    expect(registerService).toMatchObject({ __typename: 'ValidationError', field });
  });

  it('refuses heartbeat options on an active check, and a service with neither url nor kind', async () => {
    const http = await t.run(RegisterHeartbeatDocument, {
      input: { name: 'http-with-heartbeat', url: 'https://example.com', heartbeat: { periodSeconds: 60 } },
    });
    expect(http.registerService).toMatchObject({ __typename: 'ValidationError', field: 'heartbeat' });
    const none = await t.run(RegisterHeartbeatDocument, { input: { name: 'nothing' } });
    expect(none.registerService).toMatchObject({ __typename: 'ValidationError', field: 'url' });
    // heartbeat options without a url are a heartbeat.
    const implied = await t.run(RegisterHeartbeatDocument, {
      input: { name: 'implied', heartbeat: { periodSeconds: 60 } },
    });
    expect(implied.registerService).toMatchObject({ __typename: 'ServicePayload', service: { kind: 'HEARTBEAT' } });
  });

  it('updates the schedule, replacing it whole', async () => {
    const { registerService } = await t.run(RegisterHeartbeatDocument, {
      input: { name: 'to-update', kind: 'HEARTBEAT', heartbeat: { periodSeconds: 60, graceSeconds: 5 } },
    });
    if (registerService.__typename !== 'ServicePayload') throw new Error('not registered');
    const { updateService } = await t.run(UpdateHeartbeatDocument, {
      id: registerService.service.id,
      input: { heartbeat: { cron: '0 3 * * 1-5', timezone: 'America/New_York' } },
    });
    expect(updateService).toMatchObject({
      __typename: 'ServicePayload',
      pushUrl: null,
      service: {
        url: registerService.service.url,
        heartbeat: { periodSeconds: null, cron: '0 3 * * 1-5', timezone: 'America/New_York', graceSeconds: 60 },
      },
    });
  });
});
