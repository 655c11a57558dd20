import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { PublicRoutes } from './pages/public-routes.js';
import type { PushRoute } from './push-route.js';
import { withRequestId } from './request-context.js';
import { createWebAssets } from './web-assets.js';
import type { Yoga } from './yoga.js';

/** Inbound timeouts: a client that dawdles over its headers or body is cut off. */
export const HTTP_TIMEOUTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
} as const;

export interface HttpServerOptions {
  yoga: Yoga;
  logger: Logger;
  /** The Prometheus exposition, written piece by piece. */
  metrics: { contentType: string; render(write: (chunk: string) => void | Promise<void>): Promise<void> };
  /** When set, /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  /** /readyz answers 200 only while this resolves true. */
  isReady: () => Promise<boolean>;
  /** The built dashboard (default dist/web). */
  webDir?: string;
  /** Status pages and badges: public, no token. */
  publicRoutes?: PublicRoutes;
  /** Heartbeat pushes: /push/{id}/{secret}…, the secret being their token. */
  pushRoute?: PushRoute;
}

/** One node:http server: Yoga at /graphql, the dashboard at /, the probes an orchestrator needs and /metrics. */
export function createHttpServer(options: HttpServerOptions): Server {
  const log = options.logger.child({ component: 'http' });
  const metricsAllowed = bearerCheck(options.metricsToken);
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> = {
    '/healthz': (_req, res) => sendText(res, 200, 'ok\n'),
    '/readyz': async (_req, res) => {
      const ready = await options.isReady().catch(() => false);
      sendText(res, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
    },
    '/metrics': async (req, res) => {
      if (!metricsAllowed(req.headers.authorization)) {
        res.setHeader('www-authenticate', 'Bearer');
        return sendText(res, 401, 'metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      }
      res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') return void res.end();
      // Streamed as it is written (the exposition yields between slices), respecting back-pressure.
      await options.metrics.render(async (chunk) => {
        if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
      });
      res.end();
    },
  };

  const web = createWebAssets(options.webDir);

  const server = createServer((req, res) => {
    withRequestId((requestId) => {
      res.setHeader('x-request-id', requestId);
      const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
      if (options.pushRoute?.handle(req, res, path)) return;
      if (options.publicRoutes?.handle(req, res, path)) return;
      if (web.handle(req, res, path)) return;
      const route = routes[path];
      if (route && (req.method === 'GET' || req.method === 'HEAD')) {
        Promise.resolve(route(req, res)).catch((err: unknown) => {
          log.error({ err, path, requestId }, 'probe handler failed');
          if (!res.headersSent) sendText(res, 500, 'error\n');
        });
        return;
      }
      void options.yoga.handle(req, res);
    });
  });
  server.headersTimeout = HTTP_TIMEOUTS.headersTimeoutMs;
  server.requestTimeout = HTTP_TIMEOUTS.requestTimeoutMs;
  server.keepAliveTimeout = HTTP_TIMEOUTS.keepAliveTimeoutMs;
  return server;
}

/** Constant-time check of a Bearer token; everything passes when no token is configured. */
function bearerCheck(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '';
    return timingSafeEqual(expected, createHash('sha256').update(presented).digest());
  };
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
