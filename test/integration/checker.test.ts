import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckServiceNowDocument,
  PauseServiceDocument,
  RegisterServiceDocument,
  type RegisterServiceInput,
  ServiceByIdDocument,
  ServiceHistoryDocument,
  ServicesWithHistoryDocument,
  TestCheckDocument,
  UnregisterServiceDocument,
} from '../generated/graphql.js';
import { requestStatements, startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

describe.each(DATABASE_KINDS)('the checker on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  const register = async (input: Partial<RegisterServiceInput> & { name: string }) => {
    const { registerService } = await t.run(RegisterServiceDocument, { input: { url: target.url('/ok'), ...input } });
    if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
    return registerService.service;
  };
  const stateOf = async (id: string) => (await t.run(ServiceByIdDocument, { id })).service!.state;
  const checkNow = async (id: string) => {
    const { checkServiceNow } = await t.run(CheckServiceNowDocument, { id });
    if (checkServiceNow.__typename !== 'ServicePayload') throw new Error(JSON.stringify(checkServiceNow));
    return checkServiceNow.service.state;
  };

  it('checks a newly registered service at once: UP within 2 s', async () => {
    const started = Date.now();
    const service = await register({ name: 'fresh', url: target.url('/ok?fresh'), intervalSeconds: 60 });
    const state = await eventually(
      async () => {
        const s = await stateOf(service.id);
        return s.status === 'UNKNOWN' ? undefined : s;
      },
      2_000,
      'the first check',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(state).toMatchObject({ status: 'UP', httpStatus: 200, message: null, reason: null, consecutiveFailures: 0 });
    expect(state.latencyMs).toBeGreaterThan(0);
  });

  it('goes DOWN after exactly failureThreshold failed checks and UP after successThreshold passes', async () => {
    const path = '/switch/thresholds';
    target.respondWith(path, 200);
    // A long interval: only the first scheduled check and the checks forced below run.
    const service = await register({
      name: 'thresholds',
      url: target.url(path),
      intervalSeconds: 3600,
      failureThreshold: 3,
      successThreshold: 2,
    });
    await eventually(async () => ((await stateOf(service.id)).status === 'UP' ? true : undefined), 2_000, 'UP');
    const hitsBefore = target.hits(path);

    target.respondWith(path, 503);
    expect(await checkNow(service.id)).toMatchObject({
      status: 'UP',
      consecutiveFailures: 1,
      reason: 'HTTP_STATUS',
      message: 'expected 200-299, got 503',
    });
    expect(await checkNow(service.id)).toMatchObject({ status: 'UP', consecutiveFailures: 2 });
    const down = await checkNow(service.id);
    expect(down).toMatchObject({
      status: 'DOWN',
      consecutiveFailures: 3,
      httpStatus: 503,
      message: 'expected 200-299, got 503',
    });

    target.respondWith(path, 200);
    expect(await checkNow(service.id)).toMatchObject({ status: 'DOWN', consecutiveFailures: 0 });
    const up = await checkNow(service.id);
    expect(up).toMatchObject({ status: 'UP', message: null, reason: null });
    expect(target.hits(path) - hitsBefore).toBe(5);

    const { service: history } = await t.run(ServiceHistoryDocument, { id: service.id, window: 'LAST_HOUR' });
    expect(history!.statusChanges.edges.map((e) => e.node)).toMatchObject([
      { previous: 'DOWN', current: 'UP', message: expect.stringMatching(/^HTTP 200 in \d+ ms$/) },
      { previous: 'UP', current: 'DOWN', message: 'expected 200-299, got 503' },
      { previous: 'UNKNOWN', current: 'UP' },
    ]);
    expect(history!.uptime).toBeCloseTo(3 / 6, 5);
    expect(history!.latency).toMatchObject({ checks: 6, failures: 3 });
  });

  it('sends no request while paused, and none after unregistering', async () => {
    target.respondWith('/switch/paused', 200);
    target.respondWith('/switch/removed', 204);
    const paused = await register({
      name: 'to-pause',
      url: target.url('/switch/paused'),
      intervalSeconds: 1,
      timeoutMs: 500,
    });
    const removed = await register({
      name: 'to-remove',
      url: target.url('/switch/removed'),
      intervalSeconds: 1,
      timeoutMs: 500,
    });
    await eventually(async () => ((await stateOf(paused.id)).status === 'UP' ? true : undefined), 2_000, 'UP');
    await eventually(() => (target.hits('/switch/removed') > 0 ? true : undefined), 2_000, 'a first check');

    const pausedResult = await t.run(PauseServiceDocument, { id: paused.id });
    expect(pausedResult.pauseService).toMatchObject({ service: { paused: true, state: { status: 'PAUSED' } } });
    await t.run(UnregisterServiceDocument, { id: removed.id });
    const pausedHits = target.hits('/switch/paused');
    const removedHits = target.hits('/switch/removed');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(target.hits('/switch/paused')).toBe(pausedHits);
    expect(target.hits('/switch/removed')).toBe(removedHits);
    expect((await stateOf(paused.id)).status).toBe('PAUSED');
    // Checking a paused service on demand does not contact it either.
    expect(await checkNow(paused.id)).toMatchObject({ status: 'PAUSED' });
    expect(target.hits('/switch/paused')).toBe(pausedHits);
  });

  it('runs a test check of an unsaved definition without storing anything', async () => {
    const before = (await t.run(ServicesWithHistoryDocument, { first: 1 })).services.totalCount;
    const ok = await t.run(TestCheckDocument, { input: { name: 'try', url: target.url('/ok') } });
    expect(ok.testCheck).toMatchObject({ __typename: 'TestCheckPayload', ok: true, httpStatus: 200, reason: null });
    const failing = await t.run(TestCheckDocument, { input: { name: 'try', url: target.url('/status/500') } });
    expect(failing.testCheck).toMatchObject({ ok: false, reason: 'HTTP_STATUS', detail: 'expected 200-299, got 500' });
    const invalid = await t.run(TestCheckDocument, { input: { name: 'try', url: 'gopher://x' } });
    expect(invalid.testCheck).toMatchObject({ __typename: 'ValidationError', field: 'url' });
    expect((await t.run(ServicesWithHistoryDocument, { first: 1 })).services.totalCount).toBe(before);
  });

  it('answers NotFoundError when checking a service that does not exist', async () => {
    const { checkServiceNow } = await t.run(CheckServiceNowDocument, { id: 'U2VydmljZTpub3BlLW5vdC1oZXJl' });
    expect(checkServiceNow.__typename).toBe('NotFoundError');
  });

  it('reads state, uptime, latency and history of a page in a constant number of SQL statements', async () => {
    for (let i = 0; i < 6; i++)
      await register({ name: `page-${i}`, url: target.url(`/ok?page=${i}`), intervalSeconds: 3600 });
    await t.app.testing.history.flush();
    const statementsFor = async (first: number) => {
      t.queries.length = 0;
      const { services } = await t.run(ServicesWithHistoryDocument, { first });
      expect(services.edges.length).toBe(Math.min(first, services.totalCount));
      return requestStatements(t.queries).length;
    };
    expect(await statementsFor(50)).toBe(await statementsFor(2));
  });
});
