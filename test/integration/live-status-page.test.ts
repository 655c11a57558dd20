import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

interface SseEvent {
  event: string;
  data: string;
}

/** Reads a Server-Sent Events stream as a browser's EventSource would, keeping every event. */
async function openStream(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const events: SseEvent[] = [];
  let ended = false;
  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const data = block.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
          const event = block.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          if (data.length > 0) events.push({ event, data: data.join('\n') });
        }
      }
      ended = true;
    })();
  }
  return {
    response,
    events,
    get ended() {
      return ended;
    },
    /** Waits for the n-th event (1-based). */
    nth: (n: number, timeoutMs = 10_000) =>
      eventually(() => events[n - 1], timeoutMs, `event ${n} on ${new URL(url).pathname}`),
    close: () => controller.abort(),
  };
}

const banner = (html: string) => /data-overall="([A-Z_]+)"/.exec(html)?.[1];

describe.each(DATABASE_KINDS)('a live status page on %s', (kind) => {
  let t: TestApp;
  let target: Target;
  const ids: Record<string, string> = {};
  const flip = async (name: string, status: number) => {
    target.respondWith(`/switch/${name}`, status);
    await t.app.testing.checkNow(ids[name]!);
  };
  const gql = (query: string, variables?: Record<string, unknown>) =>
    executeRaw(fetch, `${t.baseUrl}/graphql`, query, variables);
  const live = (slug: string) => openStream(`${t.baseUrl}/status/${slug}/live`);

  beforeAll(async () => {
    target = await startTarget();
    t = await startTestApp(kind, { listen: true, env: { SCHEDULER_ENABLED: 'false' } });
    for (const name of ['api', 'web', 'db', 'internal-billing']) {
      target.respondWith(`/switch/${name}`, 200);
      const row = await t.app.testing.registry.register({
        name,
        url: target.url(`/switch/${name}`),
        labels: name === 'web' ? ['public'] : [],
      });
      ids[name] = row.id;
      await t.app.testing.checkNow(row.id);
    }
    const created = await gql(`mutation($input: StatusPageInput!) { createStatusPage(input: $input) { __typename } }`, {
      input: {
        slug: 'live',
        title: 'Live',
        serviceIds: [encodeGlobalID('Service', ids.api!), encodeGlobalID('Service', ids.db!)],
        labels: ['public'],
      },
    });
    expect(created.body.data).toEqual({ createStatusPage: { __typename: 'StatusPagePayload' } });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it('starts with the page as it is, then sends it again on each change of its own services only', async () => {
    const stream = live('live');
    const s = await stream;
    expect(s.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const first = await s.nth(1);
    expect(first.event).toBe('page');
    expect(banner(first.data)).toBe('ALL_OPERATIONAL');
    expect(first.data).toContain('<h2>api</h2>');
    expect(first.data).toContain('<h2>web</h2>');
    expect(first.data).not.toContain('internal-billing');
    expect(first.data).not.toContain('127.0.0.1');

    await flip('db', 503);
    expect(banner((await s.nth(2)).data)).toBe('PARTIAL_OUTAGE');

    // A service that is not on the page changes: the page is not sent again.
    await flip('internal-billing', 503);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(s.events).toHaveLength(2);

    // A burst is one message (at most one a second), with the page as it is at its end.
    await flip('api', 503);
    await flip('web', 503);
    await flip('web', 200);
    await flip('api', 200);
    await eventually(
      () => (banner(s.events.at(-1)!.data) === 'PARTIAL_OUTAGE' && s.events.length > 2 ? true : undefined),
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(s.events.length).toBeLessThanOrEqual(4);
    s.close();
    await flip('internal-billing', 200);
  });

  it('shows a new incident, and a service that gains the page label', async () => {
    const s = await live('live');
    await s.nth(1);
    const incident = await gql(`mutation($input: IncidentInput!) { createIncident(input: $input) { __typename } }`, {
      input: {
        title: 'Database maintenance overrun',
        message: 'Investigating.',
        serviceIds: [encodeGlobalID('Service', ids.db!)],
      },
    });
    expect(incident.body.data).toEqual({ createIncident: { __typename: 'IncidentPayload' } });
    await eventually(
      () => (s.events.some((e) => e.data.includes('Database maintenance overrun')) ? true : undefined),
      10_000,
    );

    const row = await t.app.testing.registry.register({
      name: 'search',
      url: target.url('/switch/api'),
      labels: ['public'],
    });
    await eventually(() => (s.events.at(-1)!.data.includes('<h2>search</h2>') ? true : undefined), 10_000);
    await t.app.testing.registry.unregister(row.id);
    s.close();
  });

  it('gives a reconnecting reader what changed while it was away, and says when the page is gone', async () => {
    const away = await live('live');
    expect(banner((await away.nth(1)).data)).toBe('PARTIAL_OUTAGE');
    away.close();
    await flip('db', 200);
    const back = await live('live');
    expect(banner((await back.nth(1)).data)).toBe('ALL_OPERATIONAL');

    const missing = await live('no-such-page');
    expect(missing.response.status).toBe(404);

    const { body } = await gql(`{ statusPages { id slug } }`);
    const page = (body.data!.statusPages as { id: string; slug: string }[]).find((p) => p.slug === 'live')!;
    await gql(`mutation($id: ID!) { deleteStatusPage(id: $id) { __typename } }`, { id: page.id });
    // Deleting is announced by the next change of a service the page showed.
    await flip('db', 503);
    await eventually(() => (back.events.some((e) => e.event === 'gone') && back.ended ? true : undefined), 10_000);
  });

  it('does not hold up a stopping server', async () => {
    await gql(`mutation($input: StatusPageInput!) { createStatusPage(input: $input) { __typename } }`, {
      input: { slug: 'stop', title: 'Stop', labels: ['public'] },
    });
    const s = await live('stop');
    await s.nth(1);
    await t.stop();
    await eventually(() => (s.ended ? true : undefined), 5_000, 'the stream to end');
  });
});
