import { request } from '../api/http';
import { live } from '../api/live';
import {
  DashboardServicesDocument,
  DashboardUptimeDocument,
  LiveStatusDocument,
  type LiveStatusSubscription,
  type ServiceRowFragment,
} from '../generated/graphql';

export type Row = ServiceRowFragment & {
  /** undefined while the uptime query has not answered. */
  uptime24h: number | null | undefined;
  /** Bumped when a live event changed the row: the row flashes once per bump. */
  flash: number;
};
export type Change = LiveStatusSubscription['statusChanged'] & { key: number };

/** The API's largest page: 500 services come in one request. */
const PAGE_SIZE = 500;
/** Uptime and anything registered or removed elsewhere are re-read this often (and on reconnect). */
const REFRESH_MS = 60_000;
/** How long after the first connection the list is read again (the subscription is in place by then). */
const SETTLE_AFTER_CONNECT_MS = 500;
const RECENT_CHANGES = 20;

type Listener = () => void;
type Page<T> = { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };

/** Every node of a paged services query. */
async function allPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  do {
    const page: Page<T> = await fetchPage(after);
    for (const edge of page.edges) nodes.push(edge.node);
    after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null;
  } while (after);
  return nodes;
}

/**
 * Every service of the dashboard, in memory: loaded over HTTP, then kept current by one
 * statusChanged subscription. Listeners are told at most once per animation frame, so a burst of
 * events costs one render.
 */
class ServicesStore {
  rows = new Map<string, Row>();
  recent: Change[] = [];
  loaded = false;
  error: string | undefined;
  private uptime = new Map<string, number | null>();
  private listeners = new Set<Listener>();
  private frame = 0;
  private started = false;
  private changeKey = 0;
  private loadedAt = 0;
  /** The last transition this tab knows of: a reconnect asks for everything after it. */
  private cursor: string | null = null;

  /** Starts once; a later call (the dashboard shown again) reads the list again unless just read. */
  start() {
    if (this.started) {
      if (performance.now() - this.loadedAt > 2_000) void this.load();
      return;
    }
    this.started = true;
    live.subscribe(
      LiveStatusDocument,
      () => (this.cursor ? { after: this.cursor } : {}),
      (data) => {
        this.cursor = data.statusChanged.cursor;
        this.apply(data.statusChanged);
      },
    );
    live.onReconnect(() => void this.load());
    // The first list is read while the socket is still opening: a transition between that read and
    // the subscription being in place reaches neither (a fresh server has no cursor to resume from
    // yet). Read it once more shortly after the first connection, then live events keep it true.
    const offState = live.onState((state) => {
      if (state !== 'live') return;
      offState();
      setTimeout(() => void this.load(), SETTLE_AFTER_CONNECT_MS);
    });
    setInterval(() => void this.load(), REFRESH_MS);
    void this.load();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The list and the uptime figures in parallel; the rows show as soon as the list is in. */
  load() {
    this.loadedAt = performance.now();
    const list = allPages(async (after) => {
      const page = await request(DashboardServicesDocument, { first: PAGE_SIZE, after });
      this.cursor ??= page.statusCursor ?? null;
      return page.services;
    }).then((nodes) => {
      const fresh = new Map<string, Row>();
      for (const node of nodes) fresh.set(node.id, this.merge(node));
      this.rows = fresh;
      this.loaded = true;
      this.error = undefined;
    });
    const uptime = allPages(
      async (after) => (await request(DashboardUptimeDocument, { first: PAGE_SIZE, after })).services,
    ).then((nodes) => {
      this.uptime = new Map(nodes.map((node) => [node.id, node.uptime24h ?? null]));
    });
    const settle = (promise: Promise<void>) =>
      promise.then(
        () => this.withUptime(),
        (err: Error) => {
          this.error = err.message;
          this.changed();
        },
      );
    return Promise.all([settle(list), settle(uptime)]);
  }

  /** A service this tab deleted: no event says so. */
  forget(id: string) {
    if (this.rows.delete(id)) this.changed();
  }

  private withUptime() {
    for (const [id, row] of this.rows) {
      const uptime24h = this.uptime.get(id);
      if (uptime24h !== undefined && uptime24h !== row.uptime24h) this.rows.set(id, { ...row, uptime24h });
    }
    this.changed();
  }

  /** Keeps what a live event told us when a page read before that event arrives after it. */
  private merge(node: ServiceRowFragment): Row {
    const known = this.rows.get(node.id);
    const base = { uptime24h: known?.uptime24h, flash: known?.flash ?? 0 };
    if (known && (known.state.since ?? '') > (node.state.since ?? ''))
      return { ...node, ...base, state: known.state, paused: known.paused };
    return { ...node, ...base };
  }

  private apply(event: LiveStatusSubscription['statusChanged']) {
    const known = this.rows.get(event.service.id);
    const row: Row = {
      ...(known ?? { intervalSeconds: 0, uptime24h: undefined }),
      ...event.service,
      state: event.state,
      flash: (known?.flash ?? 0) + 1,
    };
    this.rows.set(row.id, row);
    this.recent = [{ ...event, key: ++this.changeKey }, ...this.recent].slice(0, RECENT_CHANGES);
    this.changed();
  }

  private changed() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const listener of [...this.listeners]) listener();
    });
  }
}

export const servicesStore = new ServicesStore();
