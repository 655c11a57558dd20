import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { recordTraffic, type Traffic } from '../support/browser-traffic.js';
import { registerService, seriousA11yViolations, serviceStatus } from '../support/dashboard.js';
import { executeRaw } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

/** A public status page in Chromium: complete with JavaScript off, and accessible. */
let server: ServerProcess;
let target: Target;
let noScript: TestBrowser;
let withScript: TestBrowser;
let traffic: Traffic;
const pages: Page[] = [];
const ids: string[] = [];

beforeAll(async () => {
  server = await startServer({ startTimeoutMs: 90_000 });
  target = await startTarget();
  for (const [name, status] of [
    ['checkout', 200],
    ['search', 200],
    ['payments', 503],
  ] as const) {
    target.respondWith(`/switch/${name}`, status);
    ids.push(
      await registerService(server.graphqlUrl, {
        name,
        url: target.url(`/switch/${name}`),
        intervalSeconds: 1,
        timeoutMs: 500,
      }),
    );
  }
  await registerService(server.graphqlUrl, { name: 'not-on-the-page', url: target.url('/switch/checkout') });
  const created = await executeRaw(
    fetch,
    server.graphqlUrl,
    `mutation($input: StatusPageInput!) { createStatusPage(input: $input) { __typename } }`,
    { input: { slug: 'shop', title: 'Shop', description: 'The shop and its parts', serviceIds: ids } },
  );
  expect(created.body.data).toEqual({ createStatusPage: { __typename: 'StatusPagePayload' } });
  const expected = { checkout: 'UP', search: 'UP', payments: 'DOWN' };
  for (const [name, status] of Object.entries(expected)) {
    await eventually(
      async () => ((await serviceStatus(server.graphqlUrl, name)) === status ? true : undefined),
      15_000,
    );
  }
  noScript = await launchBrowser({ javaScriptEnabled: false });
  withScript = await launchBrowser();
  traffic = await recordTraffic(noScript.context);
});

afterAll(async () => {
  for (const page of pages) await page.close().catch(() => undefined);
  await noScript?.close();
  await withScript?.close();
  await stopAllServers();
  await target?.close();
});

async function open(browser: TestBrowser, url: string): Promise<Page> {
  const page = await browser.context.newPage();
  pages.push(page);
  await page.goto(url);
  return page;
}

describe('a public status page in Chromium', () => {
  it('renders whole with JavaScript disabled: title, banner, only its services', async () => {
    const page = await open(noScript, `${server.url}/status/shop`);
    expect(await page.title()).toBe('Shop status');
    expect(await page.locator('.banner').innerText()).toContain('Partial outage');
    expect(await page.locator('.service h2').allInnerTexts()).toEqual(['checkout', 'search', 'payments']);
    expect(await page.locator('.service[data-status="DOWN"] .status').innerText()).toContain('Outage');
    expect(await page.locator('.service').first().locator('.bar li').count()).toBe(90);
    const body = await page.locator('body').innerText();
    expect(body).not.toContain('not-on-the-page');
    expect(body).not.toContain('127.0.0.1');
    // One request: the page itself, nothing else (styles inline, its live stream needs JavaScript, nothing off this machine).
    expect(traffic.requests).toEqual([`${server.url}/status/shop`]);
    expect(traffic.blocked).toEqual([]);
  });

  it('is accessible and fits a phone', async () => {
    const page = await open(withScript, `${server.url}/status/shop`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });

  it('goes live: transitions and an incident appear without a reload', {
    timeout: 60_000,
  }, async () => {
    const page = await open(withScript, `${server.url}/status/shop`);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(String(err)));
    await page.waitForSelector('main[data-live="1"]', { timeout: 10_000 });
    // When the banner changes, in the page's own clock (the same machine's).
    await page.evaluate(() => {
      const w = window as unknown as { bannerChangedAt?: number };
      new MutationObserver(() => {
        const overall = document.querySelector('.banner')?.getAttribute('data-overall');
        if (overall === 'ALL_OPERATIONAL' && w.bannerChangedAt === undefined) w.bannerChangedAt = Date.now();
      }).observe(document.querySelector('main')!, { childList: true, subtree: true });
    });

    target.respondWith('/switch/payments', 200);
    await page.waitForSelector('.banner[data-overall="ALL_OPERATIONAL"]', { timeout: 15_000 });
    expect(await page.locator('.service[data-status="DOWN"]').count()).toBe(0);
    const since = await executeRaw(fetch, server.graphqlUrl, `{ service(name: "payments") { state { since } } }`);
    const transitionAt = Date.parse((since.body.data as { service: { state: { since: string } } }).service.state.since);
    const shownAt = await page.evaluate(() => (window as unknown as { bannerChangedAt?: number }).bannerChangedAt);
    console.log(`status page: a transition shown ${shownAt! - transitionAt} ms after it happened`);

    const incident = await executeRaw(
      fetch,
      server.graphqlUrl,
      `mutation($input: IncidentInput!) { createIncident(input: $input) { __typename } }`,
      { input: { title: 'Slow checkouts', message: 'We are looking into it.', serviceIds: [ids[0]] } },
    );
    expect(incident.body.data).toEqual({ createIncident: { __typename: 'IncidentPayload' } });
    await page.waitForSelector('.incident.open h3:text("Slow checkouts")', { timeout: 10_000 });

    const streams = /^statuschecker_status_page_streams (\d+)/m.exec(
      await (await fetch(`${server.url}/metrics`)).text(),
    );
    expect(Number(streams?.[1])).toBeGreaterThanOrEqual(1);
    target.respondWith('/switch/payments', 503);
    await page.waitForSelector('.banner[data-overall="PARTIAL_OUTAGE"]', { timeout: 15_000 });
    expect(problems).toEqual([]);
  });
});
