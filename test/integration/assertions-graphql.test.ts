import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssertedCheckCompletedDocument,
  type AssertionInput,
  CheckAssertedServiceNowDocument,
  RegisterAssertedServiceDocument,
  TestAssertedCheckDocument,
  UpdateAssertedServiceDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';

const HEALTH = JSON.stringify({ status: 'degraded', checks: [{ name: 'db', status: 'ok' }] });

describe.each(DATABASE_KINDS)('assertions through the API on %s', (database) => {
  let t: TestApp;
  let web: Target;
  beforeAll(async () => {
    web = await startTarget();
    web.respondWith('/health', 200, HEALTH);
    t = await startTestApp(database, { listen: true });
  });
  afterAll(async () => {
    await t?.close();
    await web?.close();
  });

  const register = (name: string, url: string, assertions: AssertionInput[], extra: Record<string, unknown> = {}) =>
    t.run(RegisterAssertedServiceDocument, {
      input: { name: `${name}-${database}`, url, intervalSeconds: 3600, assertions, ...extra },
    });

  it('stores assertions, fails a check with ASSERTION naming the one that failed, lists every outcome in state', async () => {
    const assertions: AssertionInput[] = [
      { source: 'STATUS', operator: 'EQUALS', value: '200' },
      { source: 'JSON', path: '$.status', operator: 'EQUALS', value: 'ok' },
      { source: 'JSON', path: '$.checks[0].status', operator: 'EQUALS', value: 'ok' },
    ];
    const { registerService } = await register('asserted', web.url('/health'), assertions);
    if (registerService.__typename !== 'ServicePayload') throw new Error(registerService.__typename);
    const { id } = registerService.service;
    expect(registerService.service.assertions).toEqual([
      { source: 'STATUS', path: null, operator: 'EQUALS', value: '200', degrade: false },
      { source: 'JSON', path: '$.status', operator: 'EQUALS', value: 'ok', degrade: false },
      { source: 'JSON', path: '$.checks[0].status', operator: 'EQUALS', value: 'ok', degrade: false },
    ]);

    const client = connectClient(`${t.baseUrl}/graphql`);
    const completed = subscribe(client, AssertedCheckCompletedDocument, { serviceIds: [id] });
    try {
      // In place before the check below (the subscription is set up asynchronously).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { checkServiceNow } = await t.run(CheckAssertedServiceNowDocument, { id });
      if (checkServiceNow.__typename !== 'ServicePayload') throw new Error(checkServiceNow.__typename);
      const { state } = checkServiceNow.service;
      expect(state).toMatchObject({
        status: 'DOWN',
        reason: 'ASSERTION',
        message: '$.status: expected "ok", got "degraded"',
      });
      expect(state.assertions.map((outcome) => [outcome.assertion.path, outcome.ok, outcome.actual])).toEqual([
        [null, true, '200'],
        ['$.status', false, 'degraded'],
        ['$.checks[0].status', true, 'ok'],
      ]);
      // The body was read for the JSON assertions: the first byte and the transfer are phases.
      expect(state.phases).toMatchObject({
        dnsMs: null,
        tlsMs: null,
        firstByteMs: expect.any(Number),
        transferMs: expect.any(Number),
      });
      const event = (await completed.next()).checkCompleted;
      expect(event).toMatchObject({ ok: false, reason: 'ASSERTION', phases: { firstByteMs: expect.any(Number) } });
      expect(event.assertions.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    } finally {
      completed.dispose();
      await client.dispose();
    }

    // With degrade, the same failure makes the service DEGRADED instead.
    const { updateService } = await t.run(UpdateAssertedServiceDocument, {
      id,
      input: { assertions: [{ source: 'JSON', path: '$.status', operator: 'EQUALS', value: 'ok', degrade: true }] },
    });
    expect(updateService.__typename).toBe('ServicePayload');
    const again = await t.run(CheckAssertedServiceNowDocument, { id });
    if (again.checkServiceNow.__typename !== 'ServicePayload') throw new Error('not checked');
    expect(again.checkServiceNow.service.state).toMatchObject({
      status: 'DEGRADED',
      reason: null,
      message: '$.status: expected "ok", got "degraded"',
      assertions: [expect.objectContaining({ ok: false, actual: 'degraded' })],
    });
  });

  it('testCheck returns each assertion outcome', async () => {
    const { testCheck } = await t.run(TestAssertedCheckDocument, {
      input: {
        name: 'unsaved',
        url: web.url('/health'),
        assertions: [{ source: 'BODY', operator: 'MATCHES', value: '"status":\\s*"degraded"' }],
      },
    });
    expect(testCheck).toMatchObject({
      __typename: 'TestCheckPayload',
      ok: true,
      assertions: [{ ok: true }],
      phases: { dnsMs: null, tlsMs: null, firstByteMs: expect.any(Number), transferMs: expect.any(Number) },
    });
  });

  it.each<[string, string, AssertionInput[], string, RegExp, Record<string, unknown>?]>([
    [
      'a JSONPath that does not parse',
      'http',
      [
        { source: 'STATUS', operator: 'EXISTS' },
        { source: 'JSON', path: '$.a[', operator: 'EXISTS' },
      ],
      'assertions[1].path',
      /is not a JSONPath \(RFC 9535\)/,
    ],
    [
      'a JSONPath without $',
      'http',
      [{ source: 'JSON', path: 'status', operator: 'EXISTS' }],
      'assertions[0].path',
      /is not a JSONPath/,
    ],
    [
      'a JSONPath running a backtracking regex',
      'http',
      [{ source: 'JSON', path: '$[?match(@.a, "(a+)+")]', operator: 'EXISTS' }],
      'assertions[0].path',
      /match\(\) is not allowed/,
    ],
    [
      'a regex that does not compile',
      'http',
      [{ source: 'BODY', operator: 'MATCHES', value: '(unclosed' }],
      'assertions[0].value',
      /missing closing \)/,
    ],
    [
      'a backreference (not RE2)',
      'http',
      [{ source: 'BODY', operator: 'MATCHES', value: '(a)\\1' }],
      'assertions[0].value',
      /not a regular expression RE2 accepts/,
    ],
    [
      'a source the kind does not have',
      'tcp',
      [{ source: 'JSON', path: '$.a', operator: 'EXISTS' }],
      'assertions[0].source',
      /TCP checks have no JSON/,
    ],
    [
      'a missing value',
      'http',
      [{ source: 'STATUS', operator: 'EQUALS' }],
      'assertions[0].value',
      /EQUALS needs a value/,
    ],
    [
      'a value for EXISTS',
      'http',
      [{ source: 'BODY', operator: 'EXISTS', value: 'x' }],
      'assertions[0].value',
      /EXISTS takes no value/,
    ],
    [
      'a bound that is no number',
      'http',
      [{ source: 'LATENCY_MS', operator: 'LESS_THAN', value: 'fast' }],
      'assertions[0].value',
      /needs a number/,
    ],
    [
      'a HEADER without a name',
      'http',
      [{ source: 'HEADER', operator: 'EXISTS' }],
      'assertions[0].path',
      /needs the header name/,
    ],
    [
      'a path on BODY',
      'http',
      [{ source: 'BODY', path: '$.a', operator: 'EXISTS' }],
      'assertions[0].path',
      /BODY takes no path/,
    ],
    [
      'more than 20',
      'http',
      Array.from({ length: 21 }, () => ({ source: 'BODY' as const, operator: 'EXISTS' as const })),
      'assertions',
      /at most 20/,
    ],
    [
      'STATUS assertions beside an expectedStatus',
      'http',
      [{ source: 'STATUS', operator: 'EQUALS', value: '503' }],
      'expectedStatus',
      /either expectedStatus or STATUS assertions/,
      { expectedStatus: '200,503' },
    ],
  ])('refuses %s, naming the field', async (_what, scheme, assertions, field, message, extra = {}) => {
    const url = scheme === 'tcp' ? 'tcp://127.0.0.1:5432' : web.url('/health');
    const { registerService } = await register(`bad-${field}`, url, assertions, extra);
    expect(registerService).toMatchObject({ __typename: 'ValidationError', field });
    if (registerService.__typename === 'ValidationError') expect(registerService.message).toMatch(message);
  });
});
