import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NodeByIdDocument,
  PauseServiceDocument,
  RegisterServiceDocument,
  type RegisterServiceInput,
  ResumeServiceDocument,
  ServiceByIdDocument,
  ServiceByNameDocument,
  ServicesDocument,
  StatusSummaryDocument,
  UnregisterServiceDocument,
  UpdateServiceDocument,
} from '../generated/graphql.js';
import { requestStatements, startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';

describe.each(DATABASE_KINDS)('the registry over GraphQL on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    // The registry alone: with no checks running, every state stays UNKNOWN or PAUSED.
    t = await startTestApp(kind, { env: { SCHEDULER_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  const register = async (input: Partial<RegisterServiceInput> & { name: string }) => {
    const { registerService } = await t.run(RegisterServiceDocument, {
      input: { url: 'http://127.0.0.1:9/health', ...input },
    });
    return registerService;
  };
  const registered = async (input: Partial<RegisterServiceInput> & { name: string }) => {
    const result = await register(input);
    if (result.__typename !== 'ServicePayload') throw new Error(`expected a service, got ${JSON.stringify(result)}`);
    return result.service;
  };

  it('registers a service with the contract defaults and reads it back by id, by name and as a node', async () => {
    const service = await registered({ name: '  billing api  ', url: 'https://billing.example.com/health' });
    expect(service).toMatchObject({
      name: 'billing api',
      url: 'https://billing.example.com/health',
      method: 'GET',
      headers: [],
      intervalSeconds: 30,
      timeoutMs: 5000,
      expectedStatus: '200-299',
      bodyContains: null,
      failureThreshold: 1,
      successThreshold: 1,
      degradedAboveMs: null,
      labels: [],
      paused: false,
      state: { status: 'UNKNOWN', consecutiveFailures: 0, lastCheckedAt: null },
    });
    expect(Date.parse(service.createdAt)).not.toBeNaN();

    expect((await t.run(ServiceByIdDocument, { id: service.id })).service).toEqual(service);
    expect((await t.run(ServiceByNameDocument, { name: 'billing api' })).service).toEqual(service);
    expect((await t.run(NodeByIdDocument, { id: service.id })).node).toEqual({
      __typename: 'Service',
      id: service.id,
      name: 'billing api',
    });
  });

  it('stores every field as given', async () => {
    const service = await registered({
      name: 'full',
      url: 'http://127.0.0.1:8080/ready',
      method: 'POST',
      headers: [
        { name: 'X-Probe', value: 'statuschecker' },
        { name: 'Accept', value: 'application/json' },
      ],
      intervalSeconds: 10,
      timeoutMs: 2000,
      expectedStatus: '200,204,301-302',
      bodyContains: '"status":"ok"',
      failureThreshold: 3,
      successThreshold: 2,
      degradedAboveMs: 500,
      labels: ['team:payments', 'env/prod', 'team:payments'],
    });
    expect(service).toMatchObject({
      method: 'POST',
      headers: [
        { name: 'X-Probe', value: 'statuschecker' },
        { name: 'Accept', value: 'application/json' },
      ],
      intervalSeconds: 10,
      timeoutMs: 2000,
      expectedStatus: '200,204,301-302',
      bodyContains: '"status":"ok"',
      failureThreshold: 3,
      successThreshold: 2,
      degradedAboveMs: 500,
      labels: ['team:payments', 'env/prod'],
    });
  });

  it('returns a ValidationError naming the field, and stores nothing', async () => {
    const before = (await t.run(ServicesDocument, { first: 1 })).services.totalCount;
    const cases: [Partial<RegisterServiceInput> & { name: string }, string][] = [
      [{ name: '   ' }, 'name'],
      [{ name: 'bad-url', url: 'ftp://example.com/' }, 'url'],
      [{ name: 'relative', url: '/health' }, 'url'],
      [{ name: 'interval', intervalSeconds: 0 }, 'intervalSeconds'],
      [{ name: 'timeout', intervalSeconds: 1, timeoutMs: 1000 }, 'timeoutMs'],
      [{ name: 'status', expectedStatus: '200-199' }, 'expectedStatus'],
      [{ name: 'header', headers: [{ name: 'Bad Header', value: 'x' }] }, 'headers[0].name'],
      [{ name: 'label', labels: ['ok', 'Not OK'] }, 'labels[1]'],
      [{ name: 'threshold', failureThreshold: 101 }, 'failureThreshold'],
    ];
    for (const [input, field] of cases) {
      const result = await register(input);
      expect(result, input.name).toMatchObject({ __typename: 'ValidationError', field });
      if (result.__typename === 'ValidationError') expect(result.message).toContain(field);
    }
    expect((await t.run(ServicesDocument, { first: 1 })).services.totalCount).toBe(before);
  });

  it('rejects a second service with the same name as a ConflictError', async () => {
    await registered({ name: 'unique-name' });
    const again = await register({ name: 'unique-name', url: 'http://127.0.0.1:2/' });
    expect(again).toMatchObject({ __typename: 'ConflictError', message: expect.stringContaining('unique-name') });
  });

  it('updates only what is given, re-validates the merged result, and reports conflicts', async () => {
    const service = await registered({ name: 'to-update', intervalSeconds: 60, timeoutMs: 10_000, labels: ['a'] });
    const { updateService } = await t.run(UpdateServiceDocument, {
      id: service.id,
      input: { url: 'http://127.0.0.1:7/other', labels: ['b', 'c'], bodyContains: 'ok' },
    });
    expect(updateService).toMatchObject({
      __typename: 'ServicePayload',
      service: {
        name: 'to-update',
        url: 'http://127.0.0.1:7/other',
        labels: ['b', 'c'],
        bodyContains: 'ok',
        timeoutMs: 10_000,
      },
    });

    // 5 s interval is shorter than the stored 10 s timeout: the merged definition is invalid.
    const merged = await t.run(UpdateServiceDocument, { id: service.id, input: { intervalSeconds: 5 } });
    expect(merged.updateService).toMatchObject({ __typename: 'ValidationError', field: 'timeoutMs' });

    await registered({ name: 'taken' });
    const conflict = await t.run(UpdateServiceDocument, { id: service.id, input: { name: 'taken' } });
    expect(conflict.updateService.__typename).toBe('ConflictError');

    const cleared = await t.run(UpdateServiceDocument, { id: service.id, input: { bodyContains: null } });
    expect(cleared.updateService).toMatchObject({ service: { bodyContains: null, intervalSeconds: 60 } });
  });

  it('pauses and resumes: state PAUSED while paused, UNKNOWN again after', async () => {
    const service = await registered({ name: 'pausable' });
    const paused = await t.run(PauseServiceDocument, { id: service.id });
    expect(paused.pauseService).toEqual({
      __typename: 'ServicePayload',
      service: { id: service.id, paused: true, state: { status: 'PAUSED' } },
    });
    const resumed = await t.run(ResumeServiceDocument, { id: service.id });
    expect(resumed.resumeService).toEqual({
      __typename: 'ServicePayload',
      service: { id: service.id, paused: false, state: { status: 'UNKNOWN' } },
    });
  });

  it('unregisters a service; it is gone afterwards', async () => {
    const service = await registered({ name: 'short-lived' });
    const { unregisterService } = await t.run(UnregisterServiceDocument, { id: service.id });
    expect(unregisterService).toEqual({
      __typename: 'ServicePayload',
      service: { id: service.id, name: 'short-lived' },
    });
    expect((await t.run(ServiceByIdDocument, { id: service.id })).service).toBeNull();
    const again = await t.run(UnregisterServiceDocument, { id: service.id });
    expect(again.unregisterService.__typename).toBe('NotFoundError');
  });

  it.each([
    ['an id that was never issued', 'U2VydmljZTpub3BlLW5vdC1oZXJl'],
    ['garbage', 'not base64 at all'],
    ['the id of another type', Buffer.from('Other:1').toString('base64')],
    ['an empty string', ''],
  ])('answers NotFoundError for %s in every mutation that takes an id', async (_label, id) => {
    expect((await t.run(UnregisterServiceDocument, { id })).unregisterService.__typename).toBe('NotFoundError');
    expect((await t.run(PauseServiceDocument, { id })).pauseService.__typename).toBe('NotFoundError');
    expect((await t.run(ResumeServiceDocument, { id })).resumeService.__typename).toBe('NotFoundError');
    expect((await t.run(UpdateServiceDocument, { id, input: { name: 'x' } })).updateService.__typename).toBe(
      'NotFoundError',
    );
    expect((await t.run(ServiceByIdDocument, { id })).service).toBeNull();
  });

  it('requires exactly one of id or name to look a service up', async () => {
    const neither = await t.raw('{ service { id } }');
    expect(neither.body.errors?.[0]?.message).toBe('give exactly one of id or name');
    const both = await t.raw('{ service(id: "x", name: "y") { id } }');
    expect(both.body.errors?.[0]?.message).toBe('give exactly one of id or name');
  });

  describe('listing', () => {
    const prefix = 'page-';
    beforeAll(async () => {
      for (let i = 0; i < 12; i++) {
        await registered({ name: `${prefix}${String(i).padStart(2, '0')}`, labels: i % 3 === 0 ? ['third'] : [] });
      }
    });

    it('pages through more than one page in name order with stable cursors', async () => {
      const names: string[] = [];
      let after: string | null | undefined;
      let pages = 0;
      for (;;) {
        const { services } = await t.run(ServicesDocument, { first: 5, after, filter: { search: prefix } });
        expect(services.totalCount).toBe(12);
        names.push(...services.edges.map((e) => e.node.name));
        pages++;
        if (!services.pageInfo.hasNextPage) break;
        after = services.pageInfo.endCursor;
      }
      expect(pages).toBe(3);
      expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`));
    });

    it('filters by label, by case-insensitive name search, and by status from the cache', async () => {
      const byLabel = await t.run(ServicesDocument, { filter: { label: 'third', search: prefix } });
      expect(byLabel.services.edges.map((e) => e.node.name)).toEqual(['page-00', 'page-03', 'page-06', 'page-09']);
      expect(byLabel.services.totalCount).toBe(4);

      const bySearch = await t.run(ServicesDocument, { filter: { search: 'PAGE-1' } });
      expect(bySearch.services.edges.map((e) => e.node.name)).toEqual(['page-10', 'page-11']);

      const target = byLabel.services.edges[0]!.node;
      await t.run(PauseServiceDocument, { id: target.id });
      const paused = await t.run(ServicesDocument, { filter: { status: ['PAUSED'], search: prefix } });
      expect(paused.services.edges.map((e) => e.node.name)).toEqual(['page-00']);
      const unknown = await t.run(ServicesDocument, { filter: { status: ['UNKNOWN'], search: prefix } });
      expect(unknown.services.totalCount).toBe(11);
      await t.run(ResumeServiceDocument, { id: target.id });
    });

    it('treats LIKE wildcards in a search as plain text', async () => {
      await registered({ name: 'disk 95% full' });
      const percent = await t.run(ServicesDocument, { filter: { search: '%' } });
      expect(percent.services.edges.map((e) => e.node.name)).toEqual(['disk 95% full']);
      const underscore = await t.run(ServicesDocument, { filter: { search: 'page_0' } });
      expect(underscore.services.totalCount).toBe(0);
    });

    it('answers text PostgreSQL cannot hold (NUL, a lone surrogate) with nothing found, and such a cursor as invalid', async () => {
      for (const text of ['page\u0000', 'page\udfff']) {
        expect((await t.run(ServicesDocument, { filter: { search: text } })).services.totalCount).toBe(0);
        expect((await t.run(ServicesDocument, { filter: { label: text } })).services.totalCount).toBe(0);
        expect((await t.run(ServiceByNameDocument, { name: text })).service).toBeNull();
      }
      const hostile = Buffer.from('GPC:S:\u0000').toString('base64');
      const result = await t.raw('query($after: String) { services(first: 2, after: $after) { totalCount } }', {
        after: hostile,
      });
      expect(result.status).toBe(400);
      expect(result.body.errors?.[0]).toMatchObject({
        message: 'invalid cursor',
        extensions: { code: 'BAD_USER_INPUT' },
      });
    });

    it('costs a constant number of SQL statements whatever the page size', async () => {
      const statementsFor = async (first: number) => {
        t.queries.length = 0;
        const { services } = await t.run(ServicesDocument, { first });
        expect(services.edges.length).toBe(Math.min(first, services.totalCount));
        return requestStatements(t.queries).length;
      };
      const one = await statementsFor(1);
      const fifty = await statementsFor(50);
      expect(fifty).toBe(one);
      expect(one).toBeLessThanOrEqual(2);
    });
  });

  it('summarises status counts from the cache', async () => {
    const { statusSummary } = await t.run(StatusSummaryDocument);
    const { services } = await t.run(ServicesDocument, { first: 1 });
    expect(statusSummary.total).toBe(services.totalCount);
    expect(
      statusSummary.up + statusSummary.degraded + statusSummary.down + statusSummary.paused + statusSummary.unknown,
    ).toBe(statusSummary.total);
  });
});
