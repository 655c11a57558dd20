import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.js';
import type { PageWatch } from '../../pages/page-watch.js';

/** Open live streams beyond this are refused (503, retried by the browser later). */
export const MAX_LIVE_STREAMS = 10_000;
/** A comment this often keeps proxies and load balancers from closing an idle stream. */
export const KEEP_ALIVE_EVERY_MS = 25_000;
/** A reader this far behind is cut off; its browser reconnects and gets the page as it is then. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface LivePageStreamDeps {
  watch: PageWatch;
  /** What the page's <main> holds now, or null when there is no such page. */
  renderMain(slug: string): Promise<string | null>;
  logger: Logger;
}

export interface LivePageStreams {
  handle(req: IncomingMessage, res: ServerResponse, slug: string): void;
  readonly open: number;
  /** Ends every stream (the server is stopping: an open stream would hold it up). */
  close(): void;
}

interface PageStreams {
  /** Each reader, with the version it was sent last (one string shared by all who got it). */
  clients: Map<ServerResponse, string>;
  unwatch: () => void;
}

/** One Server-Sent Events message; every line of the data gets its own `data:`. */
export function sseMessage(event: string, data: string): string {
  return `event: ${event}\n${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;
}

/**
 * `/status/{slug}/live`: the page's content again each time it changes, as Server-Sent Events
 * (`event: page`, the inner HTML of <main>, rendered by the same code as the page itself). The
 * browser's EventSource reconnects on its own, and each connection starts with the page as it is
 * then, so nothing that happened while it was away is missed. A page whose services do not change
 * costs nothing but a keep-alive comment.
 */
export function createLivePageStreams(deps: LivePageStreamDeps): LivePageStreams {
  const log = deps.logger.child({ component: 'live-pages' });
  const pages = new Map<string, PageStreams>();
  let open = 0;

  const write = (res: ServerResponse, chunk: string) => {
    if (res.writableLength > MAX_BUFFERED_BYTES) return void res.destroy();
    res.write(chunk);
  };

  const refresh = async (slug: string, streams: PageStreams) => {
    const html = await deps.renderMain(slug);
    if (html === null) {
      for (const res of streams.clients.keys()) res.end(sseMessage('gone', 'This status page was removed.'));
      return;
    }
    // Rendered once for everyone watching the page; each gets it unless it already has it.
    let message: string | undefined;
    for (const [res, sent] of streams.clients) {
      if (sent === html) continue;
      message ??= sseMessage('page', html);
      streams.clients.set(res, html);
      write(res, message);
    }
  };

  const join = (slug: string, res: ServerResponse, sent: string) => {
    let streams = pages.get(slug);
    if (!streams) {
      const created: PageStreams = { clients: new Map(), unwatch: () => {} };
      created.unwatch = deps.watch.watch(slug, () => {
        refresh(slug, created).catch((err: unknown) => log.warn({ err, slug }, 'live status page refresh failed'));
      });
      pages.set(slug, created);
      streams = created;
    }
    streams.clients.set(res, sent);
    const joined = streams;
    return () => {
      joined.clients.delete(res);
      if (joined.clients.size > 0 || pages.get(slug) !== joined) return;
      pages.delete(slug);
      joined.unwatch();
    };
  };

  return {
    handle(req, res, slug) {
      if (open >= MAX_LIVE_STREAMS) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
        return void res.end('too many live status page streams\n');
      }
      deps
        .renderMain(slug)
        .then((html) => {
          if (res.destroyed) return;
          if (html === null) {
            res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
            return void res.end('no such status page\n');
          }
          res.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            'x-accel-buffering': 'no',
            'x-content-type-options': 'nosniff',
          });
          if (req.method === 'HEAD') return void res.end();
          open++;
          const leave = join(slug, res, html);
          const keepAlive = setInterval(() => write(res, ': keep-alive\n\n'), KEEP_ALIVE_EVERY_MS);
          res.once('close', () => {
            open--;
            clearInterval(keepAlive);
            leave();
          });
          res.write(`retry: 3000\n\n${sseMessage('page', html)}`);
        })
        .catch((err: unknown) => {
          log.error({ err, slug }, 'live status page failed');
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
          res.end();
        });
    },
    get open() {
      return open;
    },
    close() {
      for (const streams of pages.values()) for (const res of streams.clients.keys()) res.end();
    },
  };
}
