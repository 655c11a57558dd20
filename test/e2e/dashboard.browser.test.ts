import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { isLocal, recordTraffic, type Traffic } from '../support/browser-traffic.js';
import { registerService, rowOf, rowStatus, seriousA11yViolations, serviceStatus } from '../support/dashboard.js';
import { executeRaw } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { startTarget, type Target } from '../support/target-fixture.js';

/**
 * The operator dashboard at / as a person meets it: Debian's Chromium against the real server
 * process, which serves the built app (dist/web) and the API it uses. Services are registered over
 * the API; the test flips their target and watches the page change without a reload.
 */
let server: ServerProcess;
let target: Target;
let browser: TestBrowser | undefined;
let browserError: unknown;
let traffic: Traffic;
const pages: Page[] = [];
const ids: Record<string, string> = {};

const FLIP_PATH = '/switch/dash-flip';

beforeAll(async () => {
  // Start-up is not what this file measures; a loaded machine may take longer than the default.
  server = await startServer({ startTimeoutMs: 90_000 });
  target = await startTarget();
  target.respondWith(FLIP_PATH, 200);
  target.respondWith('/switch/dash-broken', 503);
  target.respondWith('/switch/dash-steady', 200);
  for (const [name, path, labels] of [
    ['dash-flip', FLIP_PATH, ['prod', 'web']],
    ['dash-broken', '/switch/dash-broken', ['prod']],
    ['dash-steady', '/switch/dash-steady', ['staging']],
  ] as const) {
    ids[name] = await registerService(server.graphqlUrl, {
      name,
      url: target.url(path),
      intervalSeconds: 1,
      timeoutMs: 500,
      labels: [...labels],
    });
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
  await stopAllServers();
  await target?.close();
});

async function openDashboard(path = '/'): Promise<Page> {
  if (!browser) throw browserError;
  const page = await browser.context.newPage();
  pages.push(page);
  const response = await page.goto(`${server.url}${path}`);
  expect(response?.status(), `GET ${path}`).toBe(200);
  return page;
}

/** A value set on window survives only as long as the page is not reloaded. */
const markPage = (page: Page) => page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
const stillSamePage = (page: Page) => page.evaluate(() => (window as unknown as { marker?: number }).marker === 42);

describe('the dashboard at /', () => {
  it('lists every service with its status as text, broken ones first', async () => {
    const page = await openDashboard();
    expect(await page.title()).toMatch(/statuschecker/);
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(() => rowStatus(page, ids['dash-broken']!), { timeout: 15_000 }).toMatch(/Down/);
    await expect.poll(() => rowStatus(page, ids['dash-steady']!), { timeout: 15_000 }).toMatch(/Up/);
    expect(await page.locator('tbody tr').first().getAttribute('data-service-id')).toBe(ids['dash-broken']);
    const broken = rowOf(page, ids['dash-broken']!);
    expect(await broken.innerText()).toContain('expected 200-299, got 503');
    expect(await broken.innerText()).toContain('prod');
    await expect.poll(() => page.locator('[data-count="DOWN"] dd').innerText()).toBe('1');
    expect(traffic.pageErrors).toEqual([]);
  });

  it('filters by status, label and name, and keeps the filter in the address', async () => {
    const page = await openDashboard();
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBe(3);
    await page.getByLabel('Label').selectOption('staging');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('label')).toBe('staging');
    await page.getByLabel('Label').selectOption('');
    await page.getByLabel('Status').selectOption('DOWN');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Name').fill('FLIP');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').getAttribute('data-service-id')).toBe(ids['dash-flip']);
  });

  it('shows a row go DOWN and come back UP, without a reload, when its target breaks and recovers', async () => {
    const page = await openDashboard();
    const id = ids['dash-flip']!;
    await expect.poll(() => rowStatus(page, id), { timeout: 15_000 }).toMatch(/Up/);
    await expect.poll(() => page.locator('[data-live="live"]').count(), { timeout: 10_000 }).toBe(1);
    await markPage(page);

    target.respondWith(FLIP_PATH, 500);
    await expect.poll(() => rowStatus(page, id), { timeout: 15_000 }).toMatch(/Down/);
    expect(await rowOf(page, id).innerText()).toContain('expected 200-299, got 500');
    await expect.poll(() => page.locator(`.recent li[data-service-id="${id}"][data-current="DOWN"]`).count()).toBe(1);

    target.respondWith(FLIP_PATH, 200);
    await expect.poll(() => rowStatus(page, id), { timeout: 15_000 }).toMatch(/Up/);
    expect(await stillSamePage(page)).toBe(true);
    expect(traffic.pageErrors).toEqual([]);
  });
});

describe('registering and changing a service through the form', () => {
  it('shows the ValidationError beside the url field for ftp://x', async () => {
    const page = await openDashboard('/services/new');
    await page.getByLabel('Name').fill('dash-ftp');
    await page.getByLabel('URL').fill('ftp://x');
    await page.getByRole('button', { name: 'Register' }).click();
    const error = page.locator('[data-field="url"] .field-error');
    await expect.poll(() => error.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await error.innerText()).toMatch(/http|scheme|url/i);
    const url = page.getByLabel('URL');
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    // The message is tied to the input for screen readers.
    expect(await url.getAttribute('aria-describedby')).toContain('field-url-error');
    expect(await page.locator('[data-field="name"] .field-error').count()).toBe(0);
  });

  it('tests before saving, registers, pauses, resumes and deletes, all through the UI', async () => {
    target.respondWith('/switch/dash-ui', 200);
    const page = await openDashboard('/');
    await page.getByRole('link', { name: 'Register a service' }).click();
    await page.getByLabel('Name').fill('dash-ui');
    await page.getByLabel('URL').fill(target.url('/switch/dash-ui'));
    await page.getByLabel('Interval (s)').fill('1');
    await page.getByLabel('Timeout (ms)').fill('500');
    await page.getByLabel('Labels').fill('ui, prod');

    await page.getByRole('button', { name: 'Test before saving' }).click();
    const outcome = page.getByTestId('test-result');
    await expect.poll(() => outcome.innerText(), { timeout: 10_000 }).toMatch(/Test: passed.*HTTP 200/);
    // Testing stored nothing.
    expect(await serviceStatus(server.graphqlUrl, 'dash-ui')).toBeUndefined();

    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(/\/services\/[^/]+$/, { timeout: 10_000 });
    await expect.poll(() => page.locator('h1').innerText()).toBe('dash-ui');
    await expect.poll(() => page.locator('.page-head .status').innerText(), { timeout: 15_000 }).toMatch(/Up/);

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('.page-head .status').innerText(), { timeout: 10_000 }).toMatch(/Paused/);
    expect(await serviceStatus(server.graphqlUrl, 'dash-ui')).toBe('PAUSED');

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.locator('.page-head .status').innerText(), { timeout: 15_000 }).toMatch(/Up|Unknown/);
    await expect.poll(() => serviceStatus(server.graphqlUrl, 'dash-ui'), { timeout: 15_000 }).toBe('UP');

    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete dash-ui?' });
    await expect.poll(() => dialog.isVisible(), { timeout: 5_000 }).toBe(true);
    // Cancel first: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await serviceStatus(server.graphqlUrl, 'dash-ui')).toBe('UP');
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${server.url}/`, { timeout: 10_000 });
    expect(await serviceStatus(server.graphqlUrl, 'dash-ui')).toBeUndefined();
    await expect.poll(() => page.locator('tbody tr', { hasText: 'dash-ui' }).count(), { timeout: 10_000 }).toBe(0);
    expect(traffic.pageErrors).toEqual([]);
  });
});

describe('a heartbeat through the UI', () => {
  it('registers one, shows its push URL once, turns UP on a ping, and makes a new URL that replaces it', async () => {
    const page = await openDashboard('/services/new');
    await page.getByLabel('Name').fill('dash-nightly');
    await page.getByLabel('A heartbeat: a job pings statuschecker').check();
    expect(await page.getByLabel('URL').count()).toBe(0);
    await page.getByLabel('Every (s)').fill('3600');
    await page.getByLabel('Grace (s)').fill('60');
    await page.getByRole('button', { name: 'Register' }).click();
    const shown = page.getByTestId('push-url');
    await shown.waitFor({ timeout: 10_000 });
    const pushUrl = (await shown.innerText()).trim();
    expect(pushUrl).toMatch(new RegExp(`^${server.url}/push/[0-9a-f-]{36}/[A-Za-z0-9_-]{43}$`));

    expect((await fetch(pushUrl, { method: 'POST' })).status).toBe(200);
    await page.getByRole('link', { name: 'Go to dash-nightly' }).click();
    await expect.poll(() => page.locator('.page-head .status').innerText(), { timeout: 10_000 }).toMatch(/Up/);
    expect(await page.getByTestId('state').innerText()).toMatch(/Last ping/);
    expect(await page.locator('#definition-title + dl').innerText()).toMatch(/every 3600 s\s*, up to 60 s late/);
    // The URL is not shown again on the service's page.
    expect(await page.getByTestId('push-url').count()).toBe(0);

    await page.getByRole('button', { name: 'New push URL' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Make a new one' }).click();
    const fresh = page.getByTestId('push-url');
    await fresh.waitFor({ timeout: 10_000 });
    const newUrl = (await fresh.innerText()).trim();
    expect(newUrl).not.toBe(pushUrl);
    expect((await fetch(pushUrl)).status).toBe(404);
    expect((await fetch(newUrl)).status).toBe(200);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('names a bad cron schedule beside its field', async () => {
    const page = await openDashboard('/services/new');
    await page.getByLabel('Name').fill('dash-bad-cron');
    await page.getByLabel('A heartbeat: a job pings statuschecker').check();
    await page.getByLabel('Cron schedule').fill('0 0 30 2 *');
    await page.getByRole('button', { name: 'Register' }).click();
    const error = page.locator('[data-field="cron"] .field-error');
    await expect.poll(() => error.innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/never/);
    expect(await page.getByLabel('Cron schedule').getAttribute('aria-invalid')).toBe('true');
  });
});

describe('a service page', () => {
  it("shows each assertion's outcome, where the time went and the notifications sent, and follows the checks live", async () => {
    target.respondWith('/switch/dash-hook', 200);
    target.respondWith('/switch/dash-asserted', 200, '{"status":"ok"}');
    const channel = await executeRaw(
      fetch,
      server.graphqlUrl,
      'mutation($input: NotificationChannelInput!) { createNotificationChannel(input: $input) { __typename ... on NotificationChannelPayload { channel { id } } } }',
      { input: { name: 'dash-hook', kind: 'WEBHOOK', url: target.url('/switch/dash-hook') } },
    );
    const channelId = (channel.body.data as { createNotificationChannel: { channel: { id: string } } })
      .createNotificationChannel.channel.id;
    const id = await registerService(server.graphqlUrl, {
      name: 'dash-asserted',
      url: target.url('/switch/dash-asserted'),
      intervalSeconds: 1,
      timeoutMs: 500,
      assertions: [
        { source: 'STATUS', operator: 'EQUALS', value: '200' },
        { source: 'JSON', path: '$.status', operator: 'EQUALS', value: 'ok' },
      ],
      notificationChannelIds: [channelId],
    });
    await expect.poll(() => serviceStatus(server.graphqlUrl, 'dash-asserted'), { timeout: 15_000 }).toBe('UP');
    target.respondWith('/switch/dash-asserted', 503, 'busy');
    await expect.poll(() => serviceStatus(server.graphqlUrl, 'dash-asserted'), { timeout: 15_000 }).toBe('DOWN');

    const page = await openDashboard(`/services/${id}`);
    const assertions = page.getByTestId('assertions');
    await assertions.waitFor({ timeout: 10_000 });
    const rows = assertions.locator('tbody tr');
    expect(await rows.nth(0).innerText()).toMatch(/STATUS equals "200"\s+✗ failed\s+503/);
    expect(await rows.nth(1).innerText()).toMatch(/JSON \$\.status equals "ok"\s+✗ failed/);
    expect(await page.getByTestId('phases').innerText()).toMatch(/First byte\s+[\d.]+ ms/);
    await expect
      .poll(
        async () =>
          (
            await page
              .getByTestId('deliveries')
              .innerText()
              .catch(() => '')
          ).replace(/\s+/g, ' '),
        {
          timeout: 15_000,
        },
      )
      .toMatch(/DOWN dash-hook \(webhook\) SENT/);

    // The next checks arrive live: the assertions turn to passed without a reload.
    await markPage(page);
    target.respondWith('/switch/dash-asserted', 200, '{"status":"ok"}');
    await expect.poll(() => rows.nth(1).innerText(), { timeout: 10_000 }).toMatch(/✓ passed\s+ok/);
    expect(await stillSamePage(page)).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

describe('accessibility and the network', () => {
  it('has no serious or critical axe-core violations on the dashboard and a service page', async () => {
    const page = await openDashboard('/');
    await expect.poll(() => page.locator('tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'dash-broken' }).first().click();
    await expect.poll(() => page.locator('h1').innerText(), { timeout: 10_000 }).toBe('dash-broken');
    await expect.poll(() => page.locator('#history-title').count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.goto(`${server.url}/services/new`);
    await page.getByLabel('URL').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('serves client routes with the app, keeps GraphiQL at /graphql, caches hashed assets', async () => {
    const page = await openDashboard(`/services/${ids['dash-steady']}`);
    await expect.poll(() => page.locator('h1').innerText(), { timeout: 10_000 }).toBe('dash-steady');
    const html = await fetch(`${server.url}/services/x/edit`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await html.text())?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const graphiql = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toContain('graphiql');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  // Last, so that it covers every request the tests above made.
  it('sent no request beyond 127.0.0.1, and none failed', async () => {
    const page = await openDashboard('/');
    await page.waitForLoadState('networkidle');
    expect(traffic.requests.length).toBeGreaterThan(0);
    expect(traffic.requests.some((url) => url.startsWith('ws://127.0.0.1'))).toBe(true);
    expect(
      traffic.requests.filter((url) => !isLocal(url)),
      'requests that left 127.0.0.1',
    ).toEqual([]);
    expect(traffic.blocked).toEqual([]);
    expect(traffic.failed, 'failed requests').toEqual([]);
    expect(traffic.pageErrors, 'uncaught errors in the page').toEqual([]);
  });
});
