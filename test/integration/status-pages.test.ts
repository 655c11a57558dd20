import { encodeGlobalID } from '@pothos/plugin-relay';
import { DOMParser } from '@xmldom/xmldom';
import { parse as parseHtml } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_PAGE_SCRIPT } from '../../src/server/pages/status-page-html.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';
import { startTarget, type Target } from '../support/target-fixture.js';

const TOKEN = 'status-pages-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** Parses an SVG strictly (an XML error fails the test) and returns its root and its text. */
function parseSvg(text: string) {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => void errors.push(`${level}: ${message}`) }).parseFromString(
    text,
    'image/svg+xml',
  );
  expect(errors).toEqual([]);
  const root = doc.documentElement!;
  const texts = Array.from(root.getElementsByTagName('text')).map((t) => t.textContent ?? '');
  return { root, texts };
}

const PAGE_FIELDS = `id slug title description labels historyDays overall services { id name state { status } }`;
const CREATE = `mutation($input: StatusPageInput!) { createStatusPage(input: $input) { __typename
  ... on StatusPagePayload { page { ${PAGE_FIELDS} } } ... on ValidationError { field message } ... on Error { message } } }`;
const UPDATE = `mutation($id: ID!, $input: StatusPageInput!) { updateStatusPage(id: $id, input: $input) { __typename
  ... on StatusPagePayload { page { ${PAGE_FIELDS} } } ... on Error { message } } }`;
const DELETE = `mutation($id: ID!) { deleteStatusPage(id: $id) { __typename ... on StatusPagePayload { page { slug } } ... on Error { message } } }`;
const PUBLIC = `query($slug: String!) { statusPage(slug: $slug) { title description overall historyDays
  services { name state { status since } daily(days: 7) { day uptime downtimeSeconds } } } }`;

describe.each(DATABASE_KINDS)('status pages on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  const ids: Record<string, string> = {};
  const gql = (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = AUTH) =>
    executeRaw(fetch, `${t.baseUrl}/graphql`, query, variables, headers);
  const page = async (path: string) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    return { response, text: await response.text() };
  };

  beforeAll(async () => {
    target = await startTarget();
    t = await startTestApp(kind, { listen: true, env: { SCHEDULER_ENABLED: 'false', API_TOKENS: TOKEN } });
    const services = [
      ['api', 200, ['public']],
      ['web', 200, ['public']],
      ['db', 503, []],
      ['internal-billing', 200, ['secret-team']],
    ] as const;
    for (const [name, status, labels] of services) {
      target.respondWith(`/switch/${name}`, status);
      const row = await t.app.testing.registry.register({
        name,
        url: target.url(`/switch/${name}`),
        labels: [...labels],
      });
      ids[name] = row.id;
      await t.app.testing.checkNow(row.id);
    }
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it('creates, reads, updates and deletes a page, with a token; typed errors name the field', async () => {
    const input = {
      slug: 'crud',
      title: 'Crud',
      serviceIds: [encodeGlobalID('Service', ids.db!)],
      labels: ['public'],
    };
    const created = await gql(CREATE, { input });
    const made = created.body.data?.createStatusPage as { page: { id: string; services: { name: string }[] } };
    expect(made.page).toMatchObject({ slug: 'crud', historyDays: 90, overall: 'PARTIAL_OUTAGE' });
    // Named services first, in order, then those with a label, by name.
    expect(made.page.services.map((s) => s.name)).toEqual(['db', 'api', 'web']);

    expect((await gql(CREATE, { input })).body.data?.createStatusPage).toMatchObject({ __typename: 'ConflictError' });
    expect((await gql(CREATE, { input: { ...input, slug: 'Bad Slug!' } })).body.data?.createStatusPage).toMatchObject({
      __typename: 'ValidationError',
      field: 'slug',
    });
    expect(
      (await gql(CREATE, { input: { ...input, slug: 'x', historyDays: 0 } })).body.data?.createStatusPage,
    ).toMatchObject({ __typename: 'ValidationError', field: 'historyDays' });
    expect(
      (await gql(CREATE, { input: { ...input, slug: 'y', serviceIds: [encodeGlobalID('Service', 'nope')] } })).body.data
        ?.createStatusPage,
    ).toMatchObject({ __typename: 'ValidationError', field: 'serviceIds[0]' });

    const updated = await gql(UPDATE, {
      id: made.page.id,
      input: {
        slug: 'crud',
        title: 'Crud 2',
        labels: [],
        historyDays: 30,
        serviceIds: [encodeGlobalID('Service', ids.api!)],
      },
    });
    expect(updated.body.data?.updateStatusPage).toMatchObject({
      page: { title: 'Crud 2', historyDays: 30, overall: 'ALL_OPERATIONAL', services: [{ name: 'api' }] },
    });
    const listed = await gql('{ statusPages { slug } }');
    expect(listed.body.data?.statusPages).toEqual([{ slug: 'crud' }]);

    // Writing needs a token.
    const anonymous = await gql(CREATE, { input: { ...input, slug: 'anon' } }, {});
    expect(anonymous.status).toBe(401);
    expect((await gql(DELETE, { id: made.page.id })).body.data?.deleteStatusPage).toMatchObject({
      page: { slug: 'crud' },
    });
    expect((await gql(DELETE, { id: made.page.id })).body.data?.deleteStatusPage).toMatchObject({
      __typename: 'NotFoundError',
    });
  });

  it('statusPage(slug) needs no token and shows nothing but the page itself', async () => {
    await gql(CREATE, {
      input: {
        slug: 'public-api',
        title: 'Example status',
        description: 'Our public services',
        serviceIds: [encodeGlobalID('Service', ids.db!)],
        labels: ['public'],
      },
    });
    const read = await gql(PUBLIC, { slug: 'public-api' }, {});
    expect(read.status).toBe(200);
    const statusPage = read.body.data?.statusPage as {
      overall: string;
      services: { name: string; daily: unknown[] }[];
    };
    expect(statusPage.overall).toBe('PARTIAL_OUTAGE');
    expect(statusPage.services.map((s) => s.name)).toEqual(['db', 'api', 'web']);
    expect(statusPage.services[1]!.daily).toHaveLength(7);
    expect(statusPage.services[1]!.daily.at(-1)).toMatchObject({ uptime: 1, downtimeSeconds: 0 });
    expect((await gql(PUBLIC, { slug: 'no-such-page' }, {})).body.data).toEqual({ statusPage: null });

    // Anything beyond the page's public fields still needs a token: ids, urls, labels, messages, other services.
    for (const query of [
      '{ statusPage(slug: "public-api") { services { id } } }',
      '{ statusPage(slug: "public-api") { services { url } } }',
      '{ statusPage(slug: "public-api") { services { labels } } }',
      '{ statusPage(slug: "public-api") { id labels } }',
      '{ statusPage(slug: "public-api") { services { state { message } } } }',
      '{ statusPage(slug: "public-api") { title } services(first: 5) { totalCount } }',
      '{ statusPage(slug: "public-api") { ...on StatusPage { services { ...F } } } } fragment F on Service { url }',
      '{ statusPages { slug } }',
    ]) {
      const refused = await gql(query, undefined, {});
      expect(refused.status, query).toBe(401);
      expect(refused.body.errors?.[0]?.extensions?.code, query).toBe('UNAUTHENTICATED');
    }
  });

  it('/status/{slug} is complete HTML: title, description, banner, only its services, no url or id', async () => {
    await gql(CREATE, {
      input: {
        slug: 'three',
        title: 'Three services',
        serviceIds: ['api', 'web', 'db'].map((n) => encodeGlobalID('Service', ids[n]!)),
        historyDays: 30,
      },
    });
    const { response, text } = await page('/status/three');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toMatch(/max-age/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const doc = parseHtml(text);
    expect(doc.querySelector('title')?.text).toBe('Three services status');
    expect(doc.querySelector('meta[name="description"]')?.getAttribute('content')).toBe(
      'Partial outage: the current status of Three services.',
    );
    expect(doc.querySelector('h1')?.text).toBe('Three services');
    expect(doc.querySelector('.banner')?.text.trim()).toBe('▼ Partial outage');
    // Only the page's own script (it goes live); nothing an operator typed became one.
    expect(doc.querySelectorAll('script').map((e) => e.text)).toEqual([STATUS_PAGE_SCRIPT]);
    const services = doc.querySelectorAll('.service');
    expect(services.map((s) => s.querySelector('h2')?.text)).toEqual(['api', 'web', 'db']);
    expect(services.map((s) => s.getAttribute('data-status'))).toEqual(['UP', 'UP', 'DOWN']);
    expect(services[2]!.querySelector('.status')?.text).toContain('Outage');
    expect(services[0]!.querySelectorAll('.bar li')).toHaveLength(30);
    expect(services[0]!.querySelectorAll('.bar li').at(-1)?.getAttribute('class')).toBe('good');
    expect(services[0]!.querySelectorAll('.bar li').at(-1)?.getAttribute('title')).toMatch(/: 100\.00 % up$/);
    // Nothing else: no other service, no url, no id, no message.
    expect(text).not.toContain('internal-billing');
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('/switch/');
    for (const id of Object.values(ids)) expect(text).not.toContain(id);
    expect(text).not.toContain('503');

    const missing = await page('/status/nope');
    expect(missing.response.status).toBe(404);
    expect(parseHtml(missing.text).querySelector('h1')?.text).toBe('Status page not found');
  });

  it('says major outage when all are down, and escapes what operators typed', async () => {
    await gql(CREATE, {
      input: {
        slug: 'escaped',
        title: 'A <b>bold</b> "title"',
        description: '<script>alert(1)</script>',
        serviceIds: [encodeGlobalID('Service', ids.db!)],
      },
    });
    const { text } = await page('/status/escaped');
    const doc = parseHtml(text);
    expect(doc.querySelector('.banner')?.getAttribute('data-overall')).toBe('MAJOR_OUTAGE');
    expect(doc.querySelector('h1')?.text).toBe('A <b>bold</b> "title"');
    // Only the page's own script (it goes live); nothing an operator typed became one.
    expect(doc.querySelectorAll('script').map((e) => e.text)).toEqual([STATUS_PAGE_SCRIPT]);
    expect(doc.querySelector('meta[name="description"]')?.getAttribute('content')).toBe('<script>alert(1)</script>');
  });

  it('badges: shields-style SVG for a service on a status page, 404 for any other, with cache headers', async () => {
    await gql(CREATE, {
      input: {
        slug: 'badges',
        title: 'Badges',
        serviceIds: ['api', 'db'].map((n) => encodeGlobalID('Service', ids[n]!)),
      },
    });
    const status = await page('/badge/db/status.svg');
    expect(status.response.status).toBe(200);
    expect(status.response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(status.response.headers.get('cache-control')).toMatch(/^public, max-age=60/);
    const svg = parseSvg(status.text);
    expect(svg.root.tagName).toBe('svg');
    expect(svg.root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(svg.texts).toContain('db');
    expect(svg.texts).toContain('down');
    expect(parseSvg((await page('/badge/api/status.svg')).text).texts).toContain('up');

    const uptime = await page('/badge/api/uptime.svg?window=LAST_24_HOURS');
    expect(uptime.response.status).toBe(200);
    expect(parseSvg(uptime.text).texts).toEqual(expect.arrayContaining(['api uptime 24h', '100%']));
    expect(parseSvg((await page('/badge/db/uptime.svg')).text).texts).toEqual(
      expect.arrayContaining(['db uptime 30d', '0.00%']),
    );
    const badWindow = await page('/badge/api/uptime.svg?window=FOREVER');
    expect(badWindow.response.status).toBe(400);
    expect(badWindow.response.headers.get('x-badge-error')).toMatch(/^window: one of LAST_HOUR/);
    expect((await page('/badge/api/status.svg?style=for-the-badge')).response.status).toBe(200);

    // Not on any page, or no such service: no badge, and nothing said about it.
    for (const path of [
      '/badge/internal-billing/status.svg',
      '/badge/internal-billing/uptime.svg',
      '/badge/nope/status.svg',
    ]) {
      const missing = await page(path);
      expect(missing.response.status, path).toBe(404);
      const texts = parseSvg(missing.text).texts;
      expect(texts.join(' '), path).not.toContain('internal-billing');
    }
  });
});
