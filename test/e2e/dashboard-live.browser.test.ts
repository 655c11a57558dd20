import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { recordTraffic, type Traffic } from '../support/browser-traffic.js';
import { registerService, rowOf, rowStatus, serviceStatus } from '../support/dashboard.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/**
 * The dashboard against a server that wants a token (API_TOKENS), and through a TCP proxy the test
 * can cut: the app asks for the token, sends it over HTTP and in connection_init, and after its
 * socket is cut it reconnects and shows what changed while it was away.
 */
const TOKEN = 'dashboard-e2e-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

let server: ServerProcess;
let target: Target;
let proxy: TcpProxy;
let browser: TestBrowser | undefined;
let browserError: unknown;
let traffic: Traffic;
const pages: Page[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startServer({ env: { API_TOKENS: TOKEN }, startTimeoutMs: 90_000 });
  proxy = await startTcpProxy('127.0.0.1', server.port);
  target = await startTarget();
  for (const name of ['live-token', 'live-away']) {
    target.respondWith(`/switch/${name}`, 200);
    ids[name] = await registerService(
      server.graphqlUrl,
      { name, url: target.url(`/switch/${name}`), intervalSeconds: 1, timeoutMs: 500 },
      AUTH,
    );
  }
  try {
    browser = await launchBrowser();
  } catch (err) {
    browserError = err;
    return;
  }
  traffic = await recordTraffic(browser.context);
});

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await stopAllServers();
  await target?.close();
});

async function open(origin: string): Promise<Page> {
  if (!browser) throw browserError;
  const page = await browser.context.newPage();
  pages.push(page);
  expect((await page.goto(`${origin}/`))?.status()).toBe(200);
  return page;
}

async function enterToken(page: Page, token: string) {
  const prompt = page.getByRole('dialog', { name: 'API token' });
  await prompt.waitFor({ state: 'visible', timeout: 10_000 });
  await prompt.getByLabel('Token').fill(token);
  await prompt.getByRole('button', { name: 'Use token' }).click();
}

describe('a server with API_TOKENS', () => {
  it('asks for a token, refuses a wrong one, and works live with the right one', async () => {
    const page = await open(server.url);
    await enterToken(page, 'not-the-right-token-at-all');
    await expect
      .poll(() => page.getByRole('dialog', { name: 'API token' }).innerText(), { timeout: 10_000 })
      .toContain('refused');

    await enterToken(page, TOKEN);
    await expect.poll(() => page.getByRole('dialog').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => rowStatus(page, ids['live-token']!), { timeout: 15_000 }).toMatch(/Up/);
    await expect.poll(() => page.locator('[data-live="live"]').count(), { timeout: 10_000 }).toBe(1);
    // Kept for the tab only.
    expect(await page.evaluate(() => sessionStorage.getItem('statuschecker.token'))).toBe(TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    target.respondWith('/switch/live-token', 503);
    await expect.poll(() => rowStatus(page, ids['live-token']!), { timeout: 15_000 }).toMatch(/Down/);
    target.respondWith('/switch/live-token', 200);
    await expect.poll(() => rowStatus(page, ids['live-token']!), { timeout: 15_000 }).toMatch(/Up/);
    expect(traffic.pageErrors).toEqual([]);
  });

  it('reconnects after its WebSocket is cut and shows the transition that happened while it was away', async () => {
    const page = await open(`http://${proxy.address}`);
    await enterToken(page, TOKEN);
    const id = ids['live-away']!;
    await expect.poll(() => rowStatus(page, id), { timeout: 15_000 }).toMatch(/Up/);
    await expect.poll(() => page.locator('[data-live="live"]').count(), { timeout: 10_000 }).toBe(1);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));

    proxy.cut();
    await expect.poll(() => page.locator('[data-live="offline"]').count(), { timeout: 20_000 }).toBe(1);
    target.respondWith('/switch/live-away', 500);
    await expect.poll(() => serviceStatus(server.graphqlUrl, 'live-away', AUTH), { timeout: 15_000 }).toBe('DOWN');
    // Still away: the page has not been told.
    expect(await rowStatus(page, id)).toMatch(/Up/);
    proxy.restore();

    await expect.poll(() => page.locator('[data-live="live"]').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => rowStatus(page, id), { timeout: 15_000 }).toMatch(/Down/);
    // Replayed from the cursor, not just read again: the change itself is listed.
    const change = page.locator(`.recent li[data-service-id="${id}"][data-current="DOWN"]`);
    await expect.poll(() => change.count(), { timeout: 15_000 }).toBe(1);
    expect(await change.innerText()).toContain('expected 200-299, got 500');
    expect(await rowOf(page, id).innerText()).toContain('got 500');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    expect(traffic.pageErrors).toEqual([]);
  });
});
