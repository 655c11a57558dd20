import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { PageView } from '../../pages/page-view.js';
import { STATUS_PAGE_CSS_HASH } from './status-page-css.js';
import { renderNotFound, renderStatusPage } from './status-page-html.js';

export interface PublicRouteDeps {
  pageView(slug: string): Promise<PageView | null>;
  now: () => Date;
  logger: Logger;
}

export interface PublicRoutes {
  /** Answers the request when it is one of these routes; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

const PAGE_CSP = `default-src 'none'; style-src '${STATUS_PAGE_CSS_HASH}'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
const STATUS_PAGE = /^\/status\/([^/]+)\/?$/;

/**
 * The public pages, which need no token: `/status/{slug}`, rendered whole on the server from the
 * domain (no GraphQL round trip), showing only the page's own services.
 */
export function createPublicRoutes(deps: PublicRouteDeps): PublicRoutes {
  const log = deps.logger.child({ component: 'pages' });

  const send = (res: ServerResponse, status: number, body: string, head: boolean) => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': status === 200 ? 'public, max-age=15' : 'no-store',
      'content-security-policy': PAGE_CSP,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    res.end(head ? undefined : body);
  };

  const statusPage = async (res: ServerResponse, slug: string, head: boolean) => {
    const view = await deps.pageView(slug);
    if (!view) return send(res, 404, renderNotFound(slug), head);
    send(res, 200, renderStatusPage(view, deps.now()), head);
  };

  return {
    handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const match = STATUS_PAGE.exec(path);
      if (!match) return false;
      let slug: string;
      try {
        slug = decodeURIComponent(match[1]!);
      } catch {
        send(res, 404, renderNotFound(match[1]!), req.method === 'HEAD');
        return true;
      }
      statusPage(res, slug, req.method === 'HEAD').catch((err: unknown) => {
        log.error({ err, slug }, 'status page failed');
        if (!res.headersSent) send(res, 503, renderNotFound(slug).replace('not found', 'unavailable'), false);
        else res.end();
      });
      return true;
    },
  };
}
