import type { IncomingMessage, ServerResponse } from 'node:http';
import { UPTIME_WINDOWS, type UptimeWindow } from '../../history/windows.js';
import type { Logger } from '../../logger.js';
import type { BadgeFacts } from '../../pages/badges.js';
import type { PageView } from '../../pages/page-view.js';
import { renderAtomFeed } from './atom-feed.js';
import { BADGE_STYLES, type BadgeStyle, badgeSvg } from './badge-svg.js';
import type { LivePageStreams } from './live-page-stream.js';
import { STATUS_PAGE_CSS_HASH } from './status-page-css.js';
import { renderNotFound, renderStatusPage, STATUS_PAGE_SCRIPT_HASH } from './status-page-html.js';

export interface PublicRouteDeps {
  pageView(slug: string): Promise<PageView | null>;
  statusBadge(name: string): Promise<BadgeFacts | null>;
  uptimeBadge(name: string, window: UptimeWindow): Promise<BadgeFacts | null>;
  now: () => Date;
  logger: Logger;
  /** PUBLIC_URL: the feed's links; unset, they are made from the request's Host. */
  publicUrl?: string | undefined;
  /** `/status/{slug}/live`: the page's changes as they happen. */
  live?: LivePageStreams;
}

export interface PublicRoutes {
  /** Answers the request when it is one of these routes; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

const PAGE_CSP = `default-src 'none'; style-src '${STATUS_PAGE_CSS_HASH}'; script-src '${STATUS_PAGE_SCRIPT_HASH}'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
const STATUS_PAGE = /^\/status\/([^/]+)\/?$/;
const LIVE = /^\/status\/([^/]+)\/live$/;
const FEED = /^\/status\/([^/]+)\/feed\.atom$/;
const BADGE = /^\/badge\/([^/]+)\/(status|uptime)\.svg$/;
const BADGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";
const NO_BADGE: BadgeFacts = { label: 'badge', message: 'not found', color: 'lightgrey' };

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

  const sendBadge = (res: ServerResponse, status: number, svg: string, head: boolean, error?: string) => {
    res.writeHead(status, {
      'content-type': 'image/svg+xml; charset=utf-8',
      // Short: a badge in a README should follow the status, not a cache's idea of it.
      'cache-control': status === 200 ? 'public, max-age=60, stale-while-revalidate=60' : 'no-cache',
      'content-security-policy': BADGE_CSP,
      'x-content-type-options': 'nosniff',
      ...(error ? { 'x-badge-error': error } : {}),
    });
    res.end(head ? undefined : svg);
  };

  const badge = async (req: IncomingMessage, res: ServerResponse, name: string, kind: string) => {
    const head = req.method === 'HEAD';
    const query = new URL(req.url ?? '/', 'http://badge').searchParams;
    const style = (query.get('style') ?? 'flat') as BadgeStyle;
    if (!BADGE_STYLES.includes(style)) {
      return sendBadge(
        res,
        400,
        badgeSvg({ ...NO_BADGE, message: 'bad style' }),
        head,
        `style: one of ${BADGE_STYLES.join(', ')}`,
      );
    }
    let facts: BadgeFacts | null;
    if (kind === 'status') facts = await deps.statusBadge(name);
    else {
      const window = (query.get('window') ?? 'LAST_30_DAYS') as UptimeWindow;
      if (!(window in UPTIME_WINDOWS)) {
        const windows = Object.keys(UPTIME_WINDOWS).join(', ');
        return sendBadge(
          res,
          400,
          badgeSvg({ ...NO_BADGE, message: 'bad window' }, style),
          head,
          `window: one of ${windows}`,
        );
      }
      facts = await deps.uptimeBadge(name, window);
    }
    if (!facts) return sendBadge(res, 404, badgeSvg(NO_BADGE, style), head, 'no public service with this name');
    sendBadge(res, 200, badgeSvg(facts, style), head);
  };

  const decoded = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return null;
    }
  };

  const feed = async (req: IncomingMessage, res: ServerResponse, slug: string) => {
    const head = req.method === 'HEAD';
    const view = await deps.pageView(slug);
    if (!view) return send(res, 404, renderNotFound(slug), head);
    const baseUrl = (deps.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`).replace(/\/+$/, '');
    res.writeHead(200, {
      'content-type': 'application/atom+xml; charset=utf-8',
      'cache-control': 'public, max-age=60',
      'x-content-type-options': 'nosniff',
    });
    res.end(head ? undefined : renderAtomFeed(view, baseUrl, deps.now()));
  };

  return {
    handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const feedMatch = FEED.exec(path);
      if (feedMatch) {
        const slug = decoded(feedMatch[1]!) ?? '';
        feed(req, res, slug).catch((err: unknown) => {
          log.error({ err, slug }, 'status feed failed');
          if (!res.headersSent) send(res, 503, renderNotFound(slug).replace('not found', 'unavailable'), false);
          else res.end();
        });
        return true;
      }
      const liveMatch = deps.live ? LIVE.exec(path) : null;
      if (liveMatch) {
        const slug = decoded(liveMatch[1]!);
        if (slug === null) send(res, 404, renderNotFound(liveMatch[1]!), req.method === 'HEAD');
        else deps.live!.handle(req, res, slug);
        return true;
      }
      const badgeMatch = BADGE.exec(path);
      if (badgeMatch) {
        const name = decoded(badgeMatch[1]!);
        const answer =
          name === null
            ? Promise.resolve(sendBadge(res, 404, badgeSvg(NO_BADGE), false))
            : badge(req, res, name, badgeMatch[2]!);
        answer.catch((err: unknown) => {
          log.error({ err, path }, 'badge failed');
          if (!res.headersSent) sendBadge(res, 503, badgeSvg({ ...NO_BADGE, message: 'unavailable' }), false);
          else res.end();
        });
        return true;
      }
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
