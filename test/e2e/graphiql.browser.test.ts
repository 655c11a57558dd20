import type { Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegisterServiceDocument } from '../generated/graphql.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { isLocal } from '../support/browser-traffic.js';
import { executeOperation } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { startTarget, type Target } from '../support/target-fixture.js';

/**
 * GraphiQL as a person meets it: Yoga's bundled page (@graphql-yoga/render-graphiql, GraphiQL with
 * Monaco) in Debian's Chromium, against the real server process. Selectors are GraphiQL's own
 * class names and ARIA labels.
 */
const SELECTORS = {
  // GraphiQL nests one .graphiql-container in another: the outermost is the whole UI.
  container: '.graphiql-container >> nth=0',
  queryEditor: 'section.graphiql-query-editor',
  queryText: 'section.graphiql-query-editor .view-lines',
  executeButton: 'button.graphiql-execute-button',
  resultText: 'section.result-window .view-lines',
} as const;

const SUMMARY_QUERY = '{ statusSummary { total } }';

let server: ServerProcess;
let target: Target;
const LIVE_PATH = '/switch/graphiql-live';
let browser: TestBrowser | undefined;
let browserError: unknown;
/** Every request, blocked request, failed request, WebSocket and page error of the whole file. */
const requests: string[] = [];
const blocked: string[] = [];
const failed: string[] = [];
const pageErrors: string[] = [];
const pages: Page[] = [];

beforeAll(async () => {
  server = await startServer();
  target = await startTarget();
  target.respondWith(LIVE_PATH, 200);
  // Two services, so the summary has something to count; the second is checked every second.
  for (const input of [
    { name: 'graphiql-e2e', url: 'http://127.0.0.1:9/health', intervalSeconds: 300 },
    { name: 'graphiql-live', url: target.url(LIVE_PATH), intervalSeconds: 1, timeoutMs: 500 },
  ]) {
    const result = await executeOperation(fetch, server.graphqlUrl, RegisterServiceDocument, { input });
    expect(result.registerService.__typename, JSON.stringify(result)).toBe('ServicePayload');
  }

  // A missing Chromium fails every test below with launchBrowser's message; nothing is skipped.
  try {
    browser = await launchBrowser();
  } catch (err) {
    browserError = err;
    return;
  }
  const { context } = browser;
  // Anything not on this machine is recorded and refused, so a closed network behaves the same everywhere.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (request) => requests.push(request.url()));
  context.on('requestfailed', (request) => failed.push(describeFailure(request)));
  context.on('page', (page) => {
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('websocket', (ws) => requests.push(ws.url()));
  });
});

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await stopAllServers();
  await target?.close();
});

function isGraphQLPost(request: Request, containing: string): boolean {
  return (
    request.url() === server.graphqlUrl &&
    request.method() === 'POST' &&
    (request.postData() ?? '').includes(containing)
  );
}

function describeFailure(request: Request): string {
  return `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`;
}

async function newPage(): Promise<Page> {
  if (!browser) throw browserError;
  const page = await browser.context.newPage();
  pages.push(page);
  return page;
}

/** A new tab on GraphiQL, once its editor and execute button are on screen. */
async function openGraphiQL(query?: string): Promise<Page> {
  const page = await newPage();
  const url = query === undefined ? server.graphqlUrl : `${server.graphqlUrl}?query=${encodeURIComponent(query)}`;
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status(), `GET ${url}`).toBe(200);
  await page.locator(SELECTORS.executeButton).waitFor({ state: 'visible', timeout: 20_000 });
  return page;
}

/** Monaco draws spaces as U+00A0; the result pane holds the JSON response. */
async function resultJson(page: Page): Promise<unknown> {
  const text = (await page.locator(SELECTORS.resultText).innerText()).replace(/\u00a0/g, ' ').trim();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe('GraphiQL at /graphql', () => {
  it('renders the editor, with the schema fetched from this server', async () => {
    const page = await newPage();
    const introspection = page.waitForResponse((r) => isGraphQLPost(r.request(), '__schema'), { timeout: 20_000 });
    const response = await page.goto(server.graphqlUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/text\/html/);
    expect(await page.title()).toBe('statuschecker');

    await expect.poll(() => page.locator(SELECTORS.container).isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.locator(SELECTORS.queryEditor).isVisible()).toBe(true);
    expect(await page.locator(`${SELECTORS.queryEditor} .monaco-editor`).isVisible()).toBe(true);
    const execute = page.locator(SELECTORS.executeButton);
    expect(await execute.isVisible()).toBe(true);
    expect(await execute.getAttribute('aria-label')).toMatch(/execute/i);
    expect((await introspection).status()).toBe(200);
    expect(pageErrors).toEqual([]);
  });

  it('runs a query opened from a link and shows the answer', async () => {
    const page = await openGraphiQL(SUMMARY_QUERY);
    await expect
      .poll(async () => (await page.locator(SELECTORS.queryText).innerText()).replace(/\u00a0/g, ' '), {
        timeout: 10_000,
      })
      .toContain('statusSummary');

    const answered = page.waitForResponse((r) => isGraphQLPost(r.request(), 'statusSummary'));
    await page.locator(SELECTORS.executeButton).click();
    expect((await answered).status()).toBe(200);
    await expect.poll(() => resultJson(page), { timeout: 10_000 }).toEqual({ data: { statusSummary: { total: 2 } } });
    expect(pageErrors).toEqual([]);
  });

  it('runs a query with Ctrl+Enter in the editor', async () => {
    const page = await openGraphiQL(SUMMARY_QUERY);
    await page.locator(SELECTORS.queryText).click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => resultJson(page), { timeout: 10_000 }).toEqual({ data: { statusSummary: { total: 2 } } });
  });

  it('runs a statusChanged subscription over WebSockets and shows the DOWN event when the target breaks', async () => {
    const page = await openGraphiQL('subscription { statusChanged { service { name } current message } }');
    const socket = page.waitForEvent('websocket', { timeout: 10_000 });
    await page.locator(SELECTORS.executeButton).click();
    expect(new URL((await socket).url()).pathname).toBe('/graphql');
    // Give the subscription a moment to be registered on the server before the target breaks.
    await new Promise((resolve) => setTimeout(resolve, 500));
    target.respondWith(LIVE_PATH, 503);
    await expect
      .poll(() => resultJson(page), { timeout: 10_000 })
      .toEqual({
        data: {
          statusChanged: { service: { name: 'graphiql-live' }, current: 'DOWN', message: 'expected 200-299, got 503' },
        },
      });
    expect(pageErrors).toEqual([]);
  });

  // Last, so that it also covers every request the tests above made.
  it('sends no request beyond 127.0.0.1, and none fails', async () => {
    const page = await openGraphiQL(SUMMARY_QUERY);
    await page.locator(SELECTORS.executeButton).click();
    await expect.poll(() => resultJson(page), { timeout: 10_000 }).toEqual({ data: { statusSummary: { total: 2 } } });
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.waitForLoadState('networkidle');

    expect(requests.length).toBeGreaterThan(0);
    expect(
      requests.filter((url) => !isLocal(url)),
      'requests that left 127.0.0.1',
    ).toEqual([]);
    expect(blocked).toEqual([]);
    expect(failed, 'failed requests').toEqual([]);
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });
});
