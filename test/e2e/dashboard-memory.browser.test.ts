import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { registerService } from '../support/dashboard.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { startTarget, type Target } from '../support/target-fixture.js';

/**
 * What the dashboard page keeps in memory while its rows change (issue 13: "a dashboard open for
 * 10 minutes with 500 services changing keeps the page's JS heap under 50 MiB"). The heap size
 * itself is bench:web's figure; here the page's own heap snapshot is read for the objects that
 * grow with renders: the props of every row vnode still reachable (`{ row }`). The live tree has
 * one per row; Preact's stale vnodes used to reach one whole old tree per row change (see
 * web/src/app.tsx, Root).
 */
const SERVICES = 8;

let server: ServerProcess;
let target: Target;
let browser: TestBrowser | undefined;
let browserError: unknown;
const ids: string[] = [];
const path = (i: number) => `/switch/mem-${i}`;

beforeAll(async () => {
  server = await startServer({ startTimeoutMs: 90_000 });
  target = await startTarget();
  for (let i = 0; i < SERVICES; i++) {
    target.respondWith(path(i), 200);
    ids.push(
      await registerService(server.graphqlUrl, {
        name: `mem-${i}`,
        url: target.url(path(i)),
        intervalSeconds: 1,
        timeoutMs: 500,
      }),
    );
  }
  try {
    browser = await launchBrowser();
  } catch (err) {
    browserError = err;
  }
});

afterAll(async () => {
  await browser?.close();
  await stopAllServers();
  await target?.close();
});

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

async function heapSnapshot(cdp: CDPSession): Promise<Snapshot> {
  const chunks: string[] = [];
  const onChunk = ({ chunk }: { chunk: string }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  return JSON.parse(chunks.join('')) as Snapshot;
}

/** Objects in the heap with a property named `name` (a snapshot holds only what is reachable). */
function objectsWithProperty(snapshot: Snapshot, name: string): number {
  const { node_fields, edge_fields, edge_types } = snapshot.snapshot.meta;
  const edgeCount = node_fields.indexOf('edge_count');
  const [type, nameOrIndex] = [edge_fields.indexOf('type'), edge_fields.indexOf('name_or_index')];
  const property = edge_types[0].indexOf('property');
  const wanted = snapshot.strings.indexOf(name);
  let count = 0;
  let edge = 0;
  for (let node = 0; node < snapshot.nodes.length; node += node_fields.length) {
    let found = false;
    for (let k = snapshot.nodes[node + edgeCount]!; k > 0; k--, edge += edge_fields.length)
      if (snapshot.edges[edge + type] === property && snapshot.edges[edge + nameOrIndex] === wanted) found = true;
    if (found) count++;
  }
  return count;
}

const rowStatusAttr = (page: Page, id: string) =>
  page
    .locator(`tr[data-service-id="${id}"]`)
    .getAttribute('data-status', { timeout: 1_000 })
    .catch(() => null);

describe('the dashboard while its rows change', () => {
  it('keeps the rows of its current render only, not of every past render', async () => {
    if (!browser) throw browserError;
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(SERVICES);
    for (const id of ids) await expect.poll(() => rowStatusAttr(page, id), { timeout: 15_000 }).toBe('UP');
    // A filter typed and cleared: the whole app renders again with every row in it (a navigation,
    // a token, the live indicator do the same), then only the dashboard renders as events come.
    await page.getByLabel('Name').fill('mem');
    await page.getByLabel('Name').fill('');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(SERVICES);

    // One row after the other breaks: each change is a render in which one row re-renders.
    for (const [i, id] of ids.entries()) {
      target.respondWith(path(i), 503);
      await expect.poll(() => rowStatusAttr(page, id), { timeout: 15_000 }).toBe('DOWN');
    }

    const cdp = await page.context().newCDPSession(page);
    const rowProps = objectsWithProperty(await heapSnapshot(cdp), 'row');
    await cdp.detach();
    // One per row in the tree on screen (the component's props are its vnode's); a render in flight
    // may add one set. Keeping past renders adds a set per change: 9 sets and more here.
    expect(rowProps).toBeGreaterThanOrEqual(SERVICES);
    expect(rowProps).toBeLessThanOrEqual(3 * SERVICES);
    await page.close();
  });
});
