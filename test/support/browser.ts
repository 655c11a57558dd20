import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * On a closed network Chromium's own background traffic (updates, sync, QUIC probes, Google
 * lookups) is refused at every start; these flags keep it quiet. Root needs --no-sandbox.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  /** One browser context on its own fresh profile directory. */
  context: BrowserContext;
  close(): Promise<void>;
}

/** Fails loudly, never skips, when the browser is not installed. */
export function assertChromiumInstalled(executablePath = CHROMIUM_PATH): void {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${executablePath}: install it with \`apt-get install -y chromium\` ` +
        '(Debian package), or set CHROMIUM_PATH to a Chromium/Chrome executable. Browser tests never skip.',
    );
  }
}

/**
 * Headless Chromium on a new, empty --user-data-dir that is removed on close. Playwright passes the
 * profile directory itself (it refuses --user-data-dir in args), hence a persistent context.
 */
export async function launchBrowser(options: { javaScriptEnabled?: boolean } = {}): Promise<TestBrowser> {
  assertChromiumInstalled();
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      timeout: 30_000,
      javaScriptEnabled: options.javaScriptEnabled ?? true,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`could not start Chromium at ${CHROMIUM_PATH}: ${(err as Error).message}`, { cause: err });
  }
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
