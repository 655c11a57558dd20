/**
 * bench:web — the dashboard in headless Chromium against the real server with many services.
 *
 *   npm run bench:web [-- --services 500 --minutes 10 --flips-per-second 10 --latency-seconds 30 --interval 2]
 *
 * The real server (`node dist/main.js`, embedded database in a temporary DATA_DIR) checks N
 * services, each a path on a local HTTP target that this process controls; a flipper breaks and
 * repairs `--flips-per-second` random services every second, so transitions keep coming. Debian's
 * Chromium (test/support/browser.ts, same flags as the tests) opens the dashboard.
 *
 * Figures, each beside a baseline from the same run:
 * - bundle: every chunk in dist/web/assets with its gzip size (level 9, what the server sends),
 *   and which of them the dashboard page actually loaded; budget 150 KiB gzip of dashboard JS;
 * - first render: navigation start to all N rows in the DOM (page clock), cold (first visit) and
 *   warm (median of 3 reloads); baseline: the dashboard's own list query from node over HTTP;
 * - change visible: for every transition during `--latency-seconds`, the server's `at` to the moment
 *   a MutationObserver in the page sees the row's data-status become the new status (one machine,
 *   one clock); baseline: `at` to arrival at a plain graphql-ws client in this process;
 * - heap: the page's JS heap (CDP Runtime.getHeapUsage after HeapProfiler.collectGarbage) after
 *   first render and every minute of `--minutes` with the flipper running; budget < 50 MiB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createClient } from 'graphql-ws';
import type { Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { launchBrowser } from '../test/support/browser.js';
import { registerService } from '../test/support/dashboard.js';
import { REPO_ROOT, startServer, stopAllServers } from '../test/support/server-process.js';
import { fmt, median, Samples, sleep, table, verdict } from './support/stats.js';

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '500' },
    minutes: { type: 'string', default: '10' },
    'flips-per-second': { type: 'string', default: '10' },
    'latency-seconds': { type: 'string', default: '30' },
    interval: { type: 'string', default: '2' },
  },
});
const SERVICES = Number(args.services);
const MINUTES = Number(args.minutes);
const FLIPS_PER_SECOND = Number(args['flips-per-second']);
const LATENCY_SECONDS = Number(args['latency-seconds']);
const INTERVAL = Number(args.interval);
const BUDGET = { jsGzipKiB: 150, firstRenderMs: 1000, changeMs: 1000, heapMiB: 50 };
const WEB_DIR = path.join(REPO_ROOT, 'dist/web');

function bundle() {
  const dir = path.join(WEB_DIR, 'assets');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.js') || name.endsWith('.css'))
    .map((name) => {
      const body = readFileSync(path.join(dir, name));
      return { name, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
    })
    .sort((a, b) => b.gzip - a.gzip);
}

/** One path per service; `broken` answers 503, the rest 200. */
async function startFlipTarget() {
  const broken = new Set<string>();
  const server = http.createServer((req, res) => {
    const key = (req.url ?? '/').slice(1);
    res.writeHead(broken.has(key) ? 503 : 200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let timer: NodeJS.Timeout | undefined;
  return {
    url: (key: string) => `http://127.0.0.1:${port}/${key}`,
    startFlipping(keys: string[]) {
      timer = setInterval(() => {
        for (let i = 0; i < FLIPS_PER_SECOND; i++) {
          const key = keys[Math.floor(Math.random() * keys.length)]!;
          if (!broken.delete(key)) broken.add(key);
        }
      }, 1000);
    },
    close() {
      clearInterval(timer);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1024 / 1024;
}

/** Navigation start to N rows in the DOM, on the page's own clock. */
async function firstRender(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (n) => document.querySelectorAll('tbody tr').length >= n && performance.now(),
    SERVICES,
    {
      polling: 'raf',
      timeout: 60_000,
    },
  );
  return (await handle.jsonValue()) as number;
}

async function listQueryMs(graphqlUrl: string): Promise<number> {
  const query = `query($first:Int!,$after:String){services(first:$first,after:$after){pageInfo{hasNextPage endCursor} edges{node{id name url labels paused intervalSeconds uptime24h:uptime(window:LAST_24_HOURS) state{status latencyMs message since lastCheckedAt}}}}}`;
  const started = performance.now();
  let after: string | null = null;
  do {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { first: 250, after } }),
    });
    const body = (await response.json()) as {
      data: { services: { pageInfo: { hasNextPage: boolean; endCursor: string } } };
    };
    after = body.data.services.pageInfo.hasNextPage ? body.data.services.pageInfo.endCursor : null;
  } while (after);
  return performance.now() - started;
}

async function main() {
  console.log(
    `bench:web — ${SERVICES} services, interval ${INTERVAL} s, ${FLIPS_PER_SECOND} flips/s, heap run ${MINUTES} min`,
  );
  const chunks = bundle();

  const target = await startFlipTarget();
  const server = await startServer({ startTimeoutMs: 120_000 });
  const browser = await launchBrowser();
  try {
    const keys = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 25) {
      await Promise.all(
        keys.slice(i, i + 25).map((key, j) =>
          registerService(server.graphqlUrl, {
            name: key,
            url: target.url(key),
            intervalSeconds: INTERVAL,
            timeoutMs: 1000,
            labels: [`team-${(i + j) % 7}`, (i + j) % 3 ? 'prod' : 'staging'],
          }),
        ),
      );
    }
    await sleep(INTERVAL * 1000 + 1000);

    // Bundle: what the dashboard loads, from the browser's own requests.
    const page = await browser.context.newPage();
    const loaded = new Set<string>();
    page.on('response', (response) => {
      const name = new URL(response.url()).pathname.split('/').pop() ?? '';
      if (response.url().includes('/assets/')) loaded.add(name);
    });
    const cold = await firstRender(page, `${server.url}/`);
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) warm.push(await firstRender(page, `${server.url}/`));
    const query: number[] = [];
    for (let i = 0; i < 3; i++) query.push(await listQueryMs(server.graphqlUrl));
    const dashboardJs = chunks
      .filter((c) => c.name.endsWith('.js') && loaded.has(c.name))
      .reduce((sum, c) => sum + c.gzip, 0);
    const allJs = chunks.filter((c) => c.name.endsWith('.js')).reduce((sum, c) => sum + c.gzip, 0);
    console.log('\nBundle (dist/web/assets, gzip -9):');
    console.log(
      table([
        ['chunk', 'bytes', 'gzip KiB', 'loaded by /'],
        ...chunks.map((c) => [c.name, fmt.int(c.bytes), fmt.kib(c.gzip), loaded.has(c.name) ? 'yes' : 'no (lazy)']),
      ]),
    );
    console.log(`dashboard JS ${fmt.kib(dashboardJs)} KiB gzip (all JS ${fmt.kib(allJs)} KiB)`);

    // Change latency: the server's `at` to the row in the DOM, and to a bare graphql-ws client.
    target.startFlipping(keys);
    await page.evaluate(() => {
      const seen: [string, string, number][] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      const observer = new MutationObserver((records) => {
        const now = Date.now();
        for (const record of records) {
          const row = record.target as HTMLElement;
          if (record.type === 'attributes' && row.dataset.serviceId)
            seen.push([row.dataset.serviceId, row.dataset.status ?? '', now]);
        }
      });
      observer.observe(document.querySelector('tbody')!, {
        subtree: true,
        attributes: true,
        attributeFilter: ['data-status'],
      });
      (window as unknown as { stopObserving: () => void }).stopObserving = () => observer.disconnect();
    });
    const events: { id: string; status: string; at: number; received: number }[] = [];
    const client = createClient({
      url: server.graphqlUrl.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const stop = client.subscribe<{ statusChanged: { at: string; current: string; service: { id: string } } }>(
      { query: 'subscription { statusChanged { at current service { id } } }' },
      {
        next: ({ data }) => {
          if (data)
            events.push({
              id: data.statusChanged.service.id,
              status: data.statusChanged.current,
              at: Date.parse(data.statusChanged.at),
              received: Date.now(),
            });
        },
        error: (err) => console.error('subscription error', err),
        complete: () => undefined,
      },
    );
    await sleep(LATENCY_SECONDS * 1000);
    stop();
    await sleep(1500);
    const seen = await page.evaluate(() => {
      const w = window as unknown as { seen: [string, string, number][]; stopObserving: () => void };
      w.stopObserving();
      const copy = w.seen.slice();
      w.seen.length = 0;
      return copy;
    });
    await client.dispose();
    const toDom = new Samples(events.length);
    const toClient = new Samples(events.length);
    let missed = 0;
    for (const event of events) {
      toClient.add(event.received - event.at);
      const hit = seen.find(([id, status, t]) => id === event.id && status === event.status && t >= event.at - 5);
      if (hit) toDom.add(hit[2] - event.at);
      else missed++;
    }

    // Heap over time.
    const heap: [string, number][] = [['after first render', await heapMiB(page)]];
    for (let minute = 1; minute <= MINUTES; minute++) {
      await sleep(60_000);
      heap.push([`after ${minute} min`, await heapMiB(page)]);
    }
    const rows = await page.locator('tbody tr').count();

    const [domP50, domP95, domP99] = toDom.percentiles(50, 95, 99);
    const [clientP50, clientP95] = toClient.percentiles(50, 95);
    console.log('\nFirst render (navigation start → all rows in the DOM):');
    console.log(
      table([
        ['what', 'ms', 'baseline: list query from node (ms)', 'ratio'],
        ['cold', fmt.ms(cold), fmt.ms(query[0]!), fmt.fixed(cold / query[0]!)],
        ['warm (median of 3)', fmt.ms(median(warm)), fmt.ms(median(query)), fmt.fixed(median(warm) / median(query))],
      ]),
    );
    console.log(
      `\nChange visible (server's at → DOM), ${toDom.size} of ${events.length} transitions seen (${missed} not seen: rows re-rendered away or re-flipped first):`,
    );
    console.log(
      table([
        ['to', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        ['row in the page', fmt.ms(domP50!), fmt.ms(domP95!), fmt.ms(domP99!), fmt.ms(toDom.max())],
        ['baseline: graphql-ws client in node', fmt.ms(clientP50!), fmt.ms(clientP95!), '', fmt.ms(toClient.max())],
      ]),
    );
    console.log(`\nJS heap (after GC), ${rows} rows on the page at the end:`);
    console.log(table([['when', 'MiB'], ...heap.map(([when, mib]) => [when, fmt.fixed(mib, 1)])]));
    const finalHeap = heap[heap.length - 1]![1];
    console.log('\nBudgets:');
    console.log(
      table([
        ['budget', 'measured', 'limit', ''],
        [
          'dashboard JS gzip',
          `${fmt.kib(dashboardJs)} KiB`,
          `${BUDGET.jsGzipKiB} KiB`,
          verdict(dashboardJs <= BUDGET.jsGzipKiB * 1024),
        ],
        [
          'first render (cold)',
          `${fmt.ms(cold)} ms`,
          `${BUDGET.firstRenderMs} ms`,
          verdict(cold <= BUDGET.firstRenderMs),
        ],
        ['change visible p99', `${fmt.ms(domP99!)} ms`, `${BUDGET.changeMs} ms`, verdict(domP99! <= BUDGET.changeMs)],
        [
          `heap after ${MINUTES} min`,
          `${fmt.fixed(finalHeap, 1)} MiB`,
          `${BUDGET.heapMiB} MiB`,
          verdict(finalHeap < BUDGET.heapMiB),
        ],
      ]),
    );
  } finally {
    await browser.close();
    await stopAllServers();
    await target.close();
  }
}

await main();
