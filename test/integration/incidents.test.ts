import { encodeGlobalID } from '@pothos/plugin-relay';
import { DOMParser } from '@xmldom/xmldom';
import { parse as parseHtml } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';

const TOKEN = 'incidents-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const INCIDENT = `incident { id title status resolvedAt services { name } updates { status message } }`;
const RESULT = `__typename ... on IncidentPayload { ${INCIDENT} } ... on ValidationError { field } ... on Error { message }`;

describe.each(DATABASE_KINDS)('incidents on %s', (kind) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const gql = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = AUTH) =>
    (await executeRaw(fetch, `${t.baseUrl}/graphql`, query, variables, headers)).body;
  const get = async (path: string) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    return { response, text: await response.text() };
  };

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true, env: { SCHEDULER_ENABLED: 'false', API_TOKENS: TOKEN } });
    for (const name of ['shop', 'search', 'internal']) {
      ids[name] = encodeGlobalID(
        'Service',
        (await t.app.testing.registry.register({ name, url: 'http://127.0.0.1:9/' })).id,
      );
    }
    for (const [slug, services] of [
      ['shop', ['shop', 'search']],
      ['internal', ['internal']],
    ] as const) {
      await gql(`mutation($input: StatusPageInput!) { createStatusPage(input: $input) { __typename } }`, {
        input: { slug, title: `${slug} status`, serviceIds: services.map((n) => ids[n]) },
      });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('goes INVESTIGATING → IDENTIFIED → MONITORING → RESOLVED, on the pages of its services and in their feed', async () => {
    const created = await gql(`mutation($input: IncidentInput!) { createIncident(input: $input) { ${RESULT} } }`, {
      input: { title: 'Checkout is slow & failing', message: 'We are looking into <errors>.', serviceIds: [ids.shop] },
    });
    const incident = (created.data!.createIncident as { incident: { id: string } }).incident;
    expect(created.data?.createIncident).toMatchObject({
      incident: { status: 'INVESTIGATING', resolvedAt: null, services: [{ name: 'shop' }] },
    });
    for (const [status, message] of [
      ['IDENTIFIED', 'A bad deploy.'],
      ['MONITORING', 'Rolled back; watching.'],
    ]) {
      const updated = await gql(
        `mutation($id: ID!, $input: IncidentUpdateInput!) { updateIncident(id: $id, input: $input) { ${RESULT} } }`,
        { id: incident.id, input: { status, message } },
      );
      expect(updated.data?.updateIncident).toMatchObject({ incident: { status } });
    }
    const bad = await gql(
      `mutation($id: ID!, $input: IncidentUpdateInput!) { updateIncident(id: $id, input: $input) { ${RESULT} } }`,
      { id: incident.id, input: { status: 'PANICKING', message: 'x' } },
    );
    expect(bad.data?.updateIncident).toMatchObject({ __typename: 'ValidationError', field: 'status' });

    // Open: on the shop page, not on the other one.
    let page = parseHtml((await get('/status/shop')).text);
    const open = page.querySelector('.incident.open');
    expect(open?.querySelector('h3')?.text).toBe('Checkout is slow & failing');
    expect(open?.getAttribute('data-status')).toBe('MONITORING');
    expect(open?.querySelectorAll('ol li').map((li) => li.querySelector('strong')?.text)).toEqual([
      'Monitoring',
      'Identified',
      'Investigating',
    ]);
    expect(open?.text).toContain('We are looking into <errors>.');
    expect((await get('/status/internal')).text).not.toContain('Checkout');

    const resolved = await gql(`mutation($id: ID!) { resolveIncident(id: $id, message: "Fixed.") { ${RESULT} } }`, {
      id: incident.id,
    });
    expect(resolved.data?.resolveIncident).toMatchObject({ incident: { status: 'RESOLVED' } });
    expect(
      (resolved.data!.resolveIncident as { incident: { resolvedAt: string | null } }).incident.resolvedAt,
    ).not.toBeNull();
    const again = await gql(`mutation($id: ID!) { resolveIncident(id: $id) { ${RESULT} } }`, { id: incident.id });
    expect(again.data?.resolveIncident).toMatchObject({ __typename: 'ConflictError' });

    page = parseHtml((await get('/status/shop')).text);
    expect(page.querySelector('.incident.open')).toBeNull();
    expect(page.querySelector('.incident[data-status="RESOLVED"] h3')?.text).toBe('Checkout is slow & failing');
    expect(page.querySelector('link[type="application/atom+xml"]')?.getAttribute('href')).toBe(
      '/status/shop/feed.atom',
    );

    // Read without a token, as the page's public fields.
    const anonymous = await gql(
      `{ statusPage(slug: "shop") { incidents(first: 5) { totalCount edges { node { title status updates { status message } } } } } }`,
      undefined,
      {},
    );
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data?.statusPage).toMatchObject({
      incidents: {
        totalCount: 1,
        edges: [{ node: { status: 'RESOLVED', updates: [{}, {}, {}, { message: 'Fixed.' }] } }],
      },
    });
    const refused = await executeRaw(
      fetch,
      `${t.baseUrl}/graphql`,
      '{ statusPage(slug: "shop") { incidents { edges { node { services { name } } } } } }',
    );
    expect(refused.status).toBe(401);
  });

  it('serves the incidents of a page as an Atom feed', async () => {
    await gql(`mutation($input: IncidentInput!) { createIncident(input: $input) { __typename } }`, {
      input: {
        title: 'Search index rebuilding',
        status: 'IDENTIFIED',
        message: 'Results may be stale.',
        serviceIds: [ids.search],
      },
    });
    const { response, text } = await get('/status/shop/feed.atom');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const errors: string[] = [];
    const doc = new DOMParser({
      onError: (level, message) => void errors.push(`${level}: ${message}`),
    }).parseFromString(text, 'application/xml');
    expect(errors).toEqual([]);
    const feed = doc.documentElement!;
    expect(feed.tagName).toBe('feed');
    expect(feed.namespaceURI).toBe('http://www.w3.org/2005/Atom');
    const entries = Array.from(feed.getElementsByTagName('entry'));
    const titles = entries.map((e) => e.getElementsByTagName('title')[0]?.textContent);
    expect(titles).toEqual(['[IDENTIFIED] Search index rebuilding', '[RESOLVED] Checkout is slow & failing']);
    for (const entry of entries) {
      expect(entry.getElementsByTagName('id')[0]?.textContent).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(entry.getElementsByTagName('updated')[0]?.textContent ?? ''))).toBe(false);
    }
    expect(entries[1]!.getElementsByTagName('content')[0]?.textContent).toContain('We are looking into <errors>.');
    expect(feed.getElementsByTagName('link')[0]?.getAttribute('href')).toBe(`${t.baseUrl}/status/shop/feed.atom`);
    expect((await get('/status/internal/feed.atom')).text).not.toContain('Search');
    expect((await get('/status/nope/feed.atom')).response.status).toBe(404);
  });
});
