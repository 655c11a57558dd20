import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { StatusChangedDocument, SummaryChangedDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';
import { connectClient, subscribe } from '../support/subscriptions.js';

const ENV_TOKEN = 'environment-token-labels-aaaa';
const globalIdOf = (id: string) => Buffer.from(`Service:${id}`).toString('base64');

/** A token limited to `team:payments` sees only those services, everywhere, and changes only them. */
describe.each(DATABASE_KINDS)('a token limited to labels on %s', (kind) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  let reader = '';
  let writer = '';
  const clients: Client[] = [];
  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) =>
    executeRaw(fetch, `${t.baseUrl}/graphql`, query, variables, { authorization: `Bearer ${token}` });
  const data = async <T>(token: string, query: string, variables: Record<string, unknown> = {}) => {
    const { body } = await call(token, query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  };
  const makeToken = async (name: string, scopes: string[], labels: string[]) =>
    (
      await data<{ createApiToken: { token: string } }>(
        ENV_TOKEN,
        'mutation($name: String!, $scopes: [TokenScope!]!, $labels: [String!]) { createApiToken(name: $name, scopes: $scopes, labels: $labels) { ... on CreatedApiToken { token } } }',
        { name, scopes, labels },
      )
    ).createApiToken.token;
  const pause = (token: string, id: string) =>
    data<{ pauseService: { __typename: string; message?: string } }>(
      token,
      'mutation($id: ID!) { pauseService(id: $id) { __typename ... on Error { message } } }',
      { id },
    );

  beforeAll(async () => {
    t = await startTestApp(kind, { env: { API_TOKENS: ENV_TOKEN, SCHEDULER_ENABLED: 'false' }, listen: true });
    for (const [name, labels] of [
      ['pay-api', ['team:payments']],
      ['pay-db', ['team:payments', 'tier:1']],
      ['search-api', ['team:search']],
      ['unlabelled', []],
    ] as const) {
      ids[name] = globalIdOf(
        (await t.app.testing.registry.register({ name, url: 'http://127.0.0.1:9/', labels: [...labels] })).id,
      );
    }
    reader = await makeToken('payments-reader', ['READ'], ['team:payments']);
    writer = await makeToken('payments-ci', ['WRITE'], ['team:payments']);
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await t?.close();
  });

  it('queries: services, service(id/name), node(id), the summary and status pages show only its services', async () => {
    const listed = await data<{ services: { totalCount: number; edges: { node: { name: string } }[] } }>(
      reader,
      '{ services { totalCount edges { node { name } } } }',
    );
    expect(listed.services.edges.map((e) => e.node.name)).toEqual(['pay-api', 'pay-db']);
    expect(listed.services.totalCount).toBe(2);
    const filtered = await data<{ services: { totalCount: number } }>(
      reader,
      '{ services(filter: { label: "team:search" }) { totalCount } }',
    );
    expect(filtered.services.totalCount).toBe(0);

    const one = `query($id: ID!, $name: String!) {
      byId: service(id: $id) { name } byName: service(name: $name) { name } node(id: $id) { id }
    }`;
    expect(await data(reader, one, { id: ids['search-api'], name: 'search-api' })).toEqual({
      byId: null,
      byName: null,
      node: null,
    });
    expect(await data(reader, one, { id: ids['pay-api'], name: 'pay-api' })).toEqual({
      byId: { name: 'pay-api' },
      byName: { name: 'pay-api' },
      node: { id: ids['pay-api'] },
    });
    // The same queries with the unlimited token: all four exist (the control).
    expect(
      (await data<{ services: { totalCount: number } }>(ENV_TOKEN, '{ services { totalCount } }')).services.totalCount,
    ).toBe(4);
    expect(await data(ENV_TOKEN, one, { id: ids['search-api'], name: 'search-api' })).toMatchObject({
      byId: { name: 'search-api' },
    });

    expect(await data(reader, '{ statusSummary { total unknown } }')).toEqual({
      statusSummary: { total: 2, unknown: 2 },
    });

    await data(
      ENV_TOKEN,
      'mutation($ids: [ID!]) { createStatusPage(input: { slug: "everything", title: "All", serviceIds: $ids }) { __typename } }',
      { ids: Object.values(ids) },
    );
    const page = await data<{ statusPage: { services: { name: string }[] } }>(
      reader,
      '{ statusPage(slug: "everything") { services { name } } }',
    );
    expect(page.statusPage.services.map((s) => s.name)).toEqual(['pay-api', 'pay-db']);
  });

  it('what is not a service is refused: channels, deliveries, tokens', async () => {
    for (const query of [
      '{ notificationChannels { id } }',
      'mutation { createStatusPage(input: { slug: "mine", title: "Mine" }) { __typename } }',
    ]) {
      const { status, body } = await call(writer, query);
      expect(status, query).toBe(403);
      expect(body.errors?.[0]?.message, query).toMatch(
        /^a token limited to labels \(team:payments\) reads and changes its services only/,
      );
    }
  });

  it('mutations: its services change; another is "not found"; it cannot register or move one outside its labels', async () => {
    expect(await pause(writer, ids['search-api']!)).toEqual({
      pauseService: { __typename: 'NotFoundError', message: expect.stringContaining('no service with id') },
    });
    expect(t.app.testing.cache.get(Buffer.from(ids['search-api']!, 'base64').toString().slice(8))?.status).not.toBe(
      'PAUSED',
    );
    expect(await pause(writer, ids['pay-db']!)).toEqual({ pauseService: { __typename: 'ServicePayload' } });

    const register = (labels: string[]) =>
      data<{ registerService: { __typename: string; field?: string } }>(
        writer,
        'mutation($labels: [String!]) { registerService(input: { name: "new-one", url: "http://127.0.0.1:9/", labels: $labels }) { __typename ... on ValidationError { field } } }',
        { labels },
      );
    expect(await register(['team:search'])).toEqual({
      registerService: { __typename: 'ValidationError', field: 'labels' },
    });
    expect(await register([])).toEqual({ registerService: { __typename: 'ValidationError', field: 'labels' } });
    expect(await register(['team:payments'])).toEqual({ registerService: { __typename: 'ServicePayload' } });

    const move = await data<{ updateService: { __typename: string; field?: string } }>(
      writer,
      'mutation($id: ID!) { updateService(id: $id, input: { labels: ["team:search"] }) { __typename ... on ValidationError { field } } }',
      { id: ids['pay-api'] },
    );
    expect(move).toEqual({ updateService: { __typename: 'ValidationError', field: 'labels' } });
    const update = await data<{ updateService: { __typename: string } }>(
      writer,
      'mutation($id: ID!) { updateService(id: $id, input: { intervalSeconds: 120 }) { __typename } }',
      { id: ids['search-api'] },
    );
    expect(update).toEqual({ updateService: { __typename: 'NotFoundError' } });
    // dependsOn: another team's service is no parent it may name, told as for one that does not exist.
    const idOf = (global: string) => Buffer.from(global, 'base64').toString().split(':')[1]!;
    const depend = async (parents: string[]) =>
      data<{ updateService: { __typename: string; field?: string; message?: string } }>(
        writer,
        'mutation($id: ID!, $parents: [ID!]) { updateService(id: $id, input: { dependsOn: $parents }) { __typename ... on ValidationError { field message } } }',
        { id: ids['pay-db'], parents },
      );
    expect(await depend([ids['search-api']!])).toEqual({
      updateService: {
        __typename: 'ValidationError',
        field: 'dependsOn',
        message: `dependsOn: no such service: ${idOf(ids['search-api']!)}`,
      },
    });
    expect(await depend([ids['pay-api']!])).toEqual({ updateService: { __typename: 'ServicePayload' } });
    expect(await depend([])).toEqual({ updateService: { __typename: 'ServicePayload' } });
  });

  it('subscriptions: statusChanged and summaryChanged carry only its services', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`, { connectionParams: { authorization: `Bearer ${reader}` } });
    clients.push(client);
    const changes = subscribe(client, StatusChangedDocument, {});
    const summaries = subscribe(client, SummaryChangedDocument, {});
    await expect.poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Another team's service changes first; then one of ours.
    expect((await pause(ENV_TOKEN, ids['search-api']!)).pauseService.__typename).toBe('ServicePayload');
    expect((await pause(ENV_TOKEN, ids.unlabelled!)).pauseService.__typename).toBe('ServicePayload');
    expect((await pause(ENV_TOKEN, ids['pay-api']!)).pauseService.__typename).toBe('ServicePayload');
    const first = await changes.next();
    expect(first.statusChanged.service.name).toBe('pay-api');
    const summary = await summaries.next((s) => s.summaryChanged.paused === 2);
    // pay-api and pay-db paused, and "new-one" (registered by the writer) unknown: 3 services of ours.
    expect(summary.summaryChanged).toMatchObject({ total: 3, paused: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes.events.map((e) => e.statusChanged.service.name)).toEqual(['pay-api']);
    expect(changes.errors).toEqual([]);
    expect(summaries.events.every((s) => s.summaryChanged.total === 3)).toBe(true);
  });

  it('export: its services only, without channels, windows, pages or links outside its labels', async () => {
    const idOf = (global: string) => Buffer.from(global, 'base64').toString().split(':')[1]!;
    const worker = await t.app.testing.registry.register({
      name: 'pay-worker',
      url: 'http://127.0.0.1:9/worker',
      labels: ['team:payments'],
      dependsOn: [idOf(ids['pay-api']!), idOf(ids['search-api']!)],
    });
    try {
      const { exportConfig } = await data<{ exportConfig: string }>(reader, '{ exportConfig }');
      const document = parse(exportConfig) as { services: { name: string; dependsOn?: string[] }[] };
      expect(Object.keys(document)).toEqual(['services']);
      expect(document.services.map((s) => s.name)).toEqual(['new-one', 'pay-api', 'pay-db', 'pay-worker']);
      expect(document.services.find((s) => s.name === 'pay-worker')?.dependsOn).toEqual(['pay-api']);
      expect(exportConfig).not.toMatch(/search-api|unlabelled/);
      expect(exportConfig).toMatch(/^# only the services with one of the labels team:payments/);
      const { exportConfig: json } = await data<{ exportConfig: string }>(reader, '{ exportConfig(format: JSON) }');
      expect(Object.keys(JSON.parse(json))).toEqual(['$comment', 'services']);
      // The whole export is still the admin's.
      const { exportConfig: all } = await data<{ exportConfig: string }>(ENV_TOKEN, '{ exportConfig }');
      expect(all).toMatch(/search-api/);
      expect(all).toMatch(/dependsOn:\n\s+- pay-api\n\s+- search-api/);
    } finally {
      await t.app.testing.registry.unregister(worker.id);
    }
  });

  it('rotatePushToken: WRITE on its own heartbeats only; the push endpoint takes its secret, never an API token', async () => {
    const heartbeat = async (name: string, labels: string[]) => {
      const { pushToken, id } = await t.app.testing.registry.register({
        name,
        kind: 'HEARTBEAT',
        heartbeat: { periodSeconds: 3600, graceSeconds: 60 },
        labels,
      });
      if (pushToken === undefined) throw new Error('no push secret');
      return { id, globalId: globalIdOf(id), secret: pushToken };
    };
    const ours = await heartbeat('pay-backup', ['team:payments']);
    const theirs = await heartbeat('search-backup', ['team:search']);
    const rotate = (token: string, id: string) =>
      call(
        token,
        'mutation($id: ID!) { rotatePushToken(id: $id) { __typename ... on ServicePayload { pushUrl } ... on Error { message } } }',
        { id },
      );
    const pushStatus = async (id: string, secret: string) =>
      (await fetch(`${t.baseUrl}/push/${id}/${secret}`, { method: 'POST' })).status;

    // A READ token may not run a mutation at all.
    const read = await rotate(reader, ours.globalId);
    expect(read.status).toBe(403);
    expect(read.body.errors?.[0]?.message).toMatch(/scope is READ/);
    // Another team's heartbeat does not exist for the writer; its secret is untouched.
    expect((await rotate(writer, theirs.globalId)).body.data).toEqual({
      rotatePushToken: { __typename: 'NotFoundError', message: expect.stringContaining('no service with id') },
    });
    expect(await pushStatus(theirs.id, theirs.secret)).toBe(200);
    // Its own: a new secret, the old one refused from now on.
    const mine = await rotate(writer, ours.globalId);
    const pushUrl = (mine.body.data as { rotatePushToken: { pushUrl: string } }).rotatePushToken.pushUrl;
    const secret = new URL(pushUrl).pathname.split('/')[3]!;
    expect(secret).not.toBe(ours.secret);
    expect(await pushStatus(ours.id, ours.secret)).toBe(404);
    expect(await pushStatus(ours.id, secret)).toBe(200);
    // The push endpoint is not the API: an API token, even the unlimited one, is no push secret.
    for (const token of [ENV_TOKEN, writer]) {
      const res = await fetch(`${t.baseUrl}/push/${ours.id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(404);
    }
  });
});
