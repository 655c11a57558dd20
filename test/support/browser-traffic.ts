import type { BrowserContext, Request } from 'playwright-core';

/** 127.0.0.1 only; data: and this origin's blob: URLs stay inside the page. */
export function isLocal(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:') return true;
    if (parsed.protocol === 'blob:') return new URL(parsed.pathname).hostname === '127.0.0.1';
    return ['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol) && parsed.hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

export interface Traffic {
  /** Every request and WebSocket URL the pages opened. */
  requests: string[];
  /** Requests to anywhere but 127.0.0.1, refused. */
  blocked: string[];
  failed: string[];
  pageErrors: string[];
}

/**
 * Records every request, WebSocket and page error of a browser context, and refuses anything not on
 * this machine, so that a closed network behaves the same everywhere.
 */
export async function recordTraffic(context: BrowserContext): Promise<Traffic> {
  const traffic: Traffic = { requests: [], blocked: [], failed: [], pageErrors: [] };
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    traffic.blocked.push(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (request) => traffic.requests.push(request.url()));
  context.on('requestfailed', (request) => traffic.failed.push(describeFailure(request)));
  context.on('page', (page) => {
    page.on('pageerror', (err) => traffic.pageErrors.push(err.message));
    page.on('websocket', (ws) => traffic.requests.push(ws.url()));
  });
  return traffic;
}

function describeFailure(request: Request): string {
  return `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`;
}
