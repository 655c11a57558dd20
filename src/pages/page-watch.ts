import type { MonitorEvents } from '../checks/monitor-topics.js';
import type { Logger } from '../logger.js';

/** A page is told of its changes at most this often: a burst of transitions is one refresh. */
export const PAGE_CHANGE_EVERY_MS = 1_000;
/**
 * Also this often while anyone watches: what no event announces (the page's own definition edited
 * on another replica, a new day in the bars, the "updated" time) is picked up by then.
 */
export const PAGE_REFRESH_EVERY_MS = 60_000;

export interface PageWatchDeps {
  events: MonitorEvents;
  /** The ids of the services a page shows now (it changes as services gain or lose its labels). */
  serviceIdsOf(slug: string): Promise<ReadonlySet<string> | null>;
  logger: Logger;
}

export interface PageWatch {
  /**
   * Calls `onChange` (at most once a second) after anything the page shows may have changed: a
   * transition or incident of one of its services, a service registered, edited or removed, and
   * every minute. One set of bus listeners per page, however many watch it.
   */
  watch(slug: string, onChange: () => void): () => void;
  readonly pages: number;
}

interface WatchedPage {
  listeners: Set<() => void>;
  serviceIds: ReadonlySet<string>;
  timer: NodeJS.Timeout | undefined;
  lastAt: number;
  refresh: NodeJS.Timeout;
  unsubscribe: () => void;
}

export function createPageWatch(deps: PageWatchDeps): PageWatch {
  const log = deps.logger.child({ component: 'page-watch' });
  const pages = new Map<string, WatchedPage>();

  const loadMembers = (slug: string, page: WatchedPage) =>
    deps
      .serviceIdsOf(slug)
      .then((ids) => {
        if (ids) page.serviceIds = ids;
      })
      .catch((err: unknown) => log.warn({ err, slug }, 'could not read the services of a status page'));

  const fire = (slug: string, page: WatchedPage) => {
    page.timer = undefined;
    page.lastAt = Date.now();
    // Membership first: a transition of a service that just gained the page's label must count.
    void loadMembers(slug, page).finally(() => {
      for (const listener of page.listeners) listener();
    });
  };
  const changed = (slug: string, page: WatchedPage) => {
    if (page.timer || pages.get(slug) !== page) return;
    page.timer = setTimeout(() => fire(slug, page), Math.max(0, page.lastAt + PAGE_CHANGE_EVERY_MS - Date.now()));
  };

  const open = (slug: string): WatchedPage => {
    const page: WatchedPage = {
      listeners: new Set(),
      serviceIds: new Set(),
      timer: undefined,
      lastAt: Date.now(),
      refresh: setInterval(() => changed(slug, page), PAGE_REFRESH_EVERY_MS),
      unsubscribe: () => {},
    };
    page.refresh.unref();
    const mine = ({ serviceId }: { serviceId: string }) => {
      if (page.serviceIds.has(serviceId)) changed(slug, page);
    };
    const unsubscribers = [
      deps.events.subscribe('statusChanged', null, mine),
      deps.events.subscribe('incidentChanged', null, mine),
      // Any service may gain or lose the page's labels.
      deps.events.subscribe('serviceChanged', null, () => changed(slug, page)),
    ];
    page.unsubscribe = () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
    // Until the members are known, a transition could slip by: look once more when they are.
    void loadMembers(slug, page).then(() => changed(slug, page));
    return page;
  };

  return {
    watch(slug, onChange) {
      let page = pages.get(slug);
      if (!page) {
        page = open(slug);
        pages.set(slug, page);
      }
      const watched = page;
      watched.listeners.add(onChange);
      return () => {
        watched.listeners.delete(onChange);
        if (watched.listeners.size > 0 || pages.get(slug) !== watched) return;
        pages.delete(slug);
        watched.unsubscribe();
        clearTimeout(watched.timer);
        clearInterval(watched.refresh);
      };
    },
    get pages() {
      return pages.size;
    },
  };
}
