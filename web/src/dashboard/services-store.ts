import { request } from '../api/http';
import { live } from '../api/live';
import {
  DashboardServicesDocument,
  LiveStatusDocument,
  type LiveStatusSubscription,
  type ServiceRowFragment,
} from '../generated/graphql';

export type Row = ServiceRowFragment & {
  /** Bumped when a live event changed the row: the row flashes once per bump. */
  flash: number;
};
export type Change = LiveStatusSubscription['statusChanged'] & { key: number };

const PAGE_SIZE = 250;
/** Uptime and anything registered or removed elsewhere are re-read this often (and on reconnect). */
const REFRESH_MS = 60_000;
const RECENT_CHANGES = 20;

type Listener = () => void;

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
  private listeners = new Set<Listener>();
  private frame = 0;
  private started = false;
  private changeKey = 0;

  /** Starts once; every later call (the dashboard shown again) reads the list again. */
  start() {
    if (this.started) return void this.load();
    this.started = true;
    live.subscribe(LiveStatusDocument, () => ({}), (data) => this.apply(data.statusChanged));
    live.onReconnect(() => void this.load());
    setInterval(() => void this.load(), REFRESH_MS);
    void this.load();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load() {
    try {
      const fresh = new Map<string, Row>();
      let after: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof fetchPage>> = await fetchPage(after);
        for (const { node } of page.edges) fresh.set(node.id, this.merge(node));
        after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null;
      } while (after);
      this.rows = fresh;
      this.loaded = true;
      this.error = undefined;
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.changed();
  }

  /** Keeps what a live event told us when a page read before that event arrives after it. */
  private merge(node: ServiceRowFragment): Row {
    const known = this.rows.get(node.id);
    if (known && (known.state.since ?? '') > (node.state.since ?? '')) {
      return { ...node, state: known.state, paused: known.paused, flash: known.flash };
    }
    return { ...node, flash: known?.flash ?? 0 };
  }

  /** A service this tab deleted: no event says so. */
  forget(id: string) {
    if (this.rows.delete(id)) this.changed();
  }

  private apply(event: LiveStatusSubscription['statusChanged']) {
    const known = this.rows.get(event.service.id);
    const row: Row = {
      ...(known ?? { intervalSeconds: 0, uptime24h: null }),
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

async function fetchPage(after: string | null) {
  const data = await request(DashboardServicesDocument, { first: PAGE_SIZE, after });
  return data.services;
}

export const servicesStore = new ServicesStore();
