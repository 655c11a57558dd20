import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { Yoga } from './yoga.js';

export interface HttpServerOptions {
  yoga: Yoga;
  logger: Logger;
  metrics: MetricsRegistry;
  /** /readyz answers 200 only while this resolves true. */
  isReady: () => Promise<boolean>;
}

/** One node:http server: Yoga at /graphql, plus the probes an orchestrator needs. */
export function createHttpServer(options: HttpServerOptions): Server {
  const log = options.logger.child({ component: 'http' });
  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/healthz': (res) => sendText(res, 200, 'ok\n'),
    '/readyz': async (res) => {
      const ready = await options.isReady().catch(() => false);
      sendText(res, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
    },
    '/metrics': async (res) => sendText(res, 200, await options.metrics.metrics(), options.metrics.contentType),
  };

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = routes[path];
    if (route && (req.method === 'GET' || req.method === 'HEAD')) {
      Promise.resolve(route(res)).catch((err: unknown) => {
        log.error({ err, path }, 'probe handler failed');
        if (!res.headersSent) sendText(res, 500, 'error\n');
      });
      return;
    }
    void options.yoga.handle(req, res);
  });
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
