import { GraphQLError } from 'graphql';
import type { StatusChangedEvent } from '../checks/monitor-topics.js';
import { initialState } from '../checks/service-state.js';
import type { StatusSummary } from '../checks/status-cache.js';
import type { StoredTransition } from '../history/transition-log.js';
import type { GraphQLDeps } from './deps.js';
import { subscribeToEvents } from './event-stream.js';
import { transitionTimeOf } from './transition-cursor.js';

/** Rows read from the database per replay query. */
export const REPLAY_PAGE = 500;
/** summaryChanged is sent at most this often. */
export const SUMMARY_EVERY_MS = 1_000;

type StreamDeps = Pick<GraphQLDeps, 'events' | 'history' | 'recentTransitions'>;
/** `summary`: the counts this subscriber may see (all of the cache's, or a limited token's). */
type SummaryDeps = Pick<GraphQLDeps, 'cache'> & { summary?: () => StatusSummary };

/** A stored transition as a live event; its state is what the row says (status, since, message). */
function replayed(row: StoredTransition): StatusChangedEvent {
  return {
    ...row,
    state: { ...initialState(false, row.at), status: row.current, lastCheckedAt: row.at, message: row.message },
  };
}

/**
 * statusChanged after a cursor: every transition after it, then live, with no gap and no
 * duplicate. The live subscription starts first and buffers; then the stored transitions are
 * replayed page by page, then those seen on the bus but maybe not stored yet; then the buffer and
 * everything after it, less what was already sent.
 */
export function resumedStatusChanges(
  deps: StreamDeps,
  serviceIds: ReadonlySet<string> | null,
  afterId: string,
): AsyncGenerator<StatusChangedEvent, undefined, unknown> {
  if (transitionTimeOf(afterId) < deps.history.keptSince()) {
    throw new GraphQLError('this cursor is older than the history kept (HISTORY_RETENTION_DAYS)', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return replayThenLive(deps, serviceIds, afterId);
}

async function* replayThenLive(
  deps: StreamDeps,
  serviceIds: ReadonlySet<string> | null,
  afterId: string,
): AsyncGenerator<StatusChangedEvent, undefined, unknown> {
  const live = subscribeToEvents(deps.events, 'statusChanged', serviceIds);
  const sent = new Set<string>();
  try {
    let last = afterId;
    for (;;) {
      const page = await deps.history.transitionsAfter(last, serviceIds, REPLAY_PAGE);
      for (const row of page) {
        sent.add(row.id);
        last = row.id;
        yield replayed(row);
      }
      if (page.length < REPLAY_PAGE) break;
    }
    for (const event of deps.recentTransitions.after(afterId, serviceIds)) {
      if (sent.has(event.id)) continue;
      sent.add(event.id);
      yield event;
    }
    for await (const event of live) {
      if (event.id <= afterId || sent.has(event.id)) continue;
      yield event;
    }
  } finally {
    await live.return(undefined);
  }
  return undefined;
}

const sameSummary = (a: StatusSummary, b: StatusSummary) =>
  (Object.keys(a) as (keyof StatusSummary)[]).every((k) => a[k] === b[k]);

/**
 * The status counts, each time they change (a transition, a service added or removed, here or on
 * another replica), at most once a second: a burst of changes is one message with the counts at
 * its end, and a change that is undone before it is sent is not sent.
 */
export function summaryChanges(deps: SummaryDeps): AsyncGenerator<StatusSummary, undefined, unknown> {
  const summaryNow = deps.summary ?? (() => deps.cache.summary());
  let lastSent = summaryNow();
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | null = null;
  let ready: StatusSummary | null = null;
  let done = false;

  const send = () => {
    timer = undefined;
    const summary = summaryNow();
    if (sameSummary(summary, lastSent)) return;
    lastSent = summary;
    lastAt = Date.now();
    ready = summary;
    wake?.();
  };
  const unsubscribe = deps.cache.onCountsChanged(() => {
    if (!timer && !done) timer = setTimeout(send, Math.max(0, lastAt + SUMMARY_EVERY_MS - Date.now()));
  });
  const finish = (): IteratorResult<StatusSummary, undefined> => {
    done = true;
    unsubscribe();
    clearTimeout(timer);
    const resolve = wake;
    wake = null;
    resolve?.();
    return { value: undefined, done: true };
  };

  const iterator: AsyncGenerator<StatusSummary, undefined, unknown> = {
    async next() {
      while (!done && !ready) await new Promise<void>((resolve) => (wake = resolve));
      if (done) return { value: undefined, done: true };
      const value = ready!;
      ready = null;
      return { value, done: false };
    },
    return: () => Promise.resolve(finish()),
    throw: (err: unknown) => {
      finish();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
