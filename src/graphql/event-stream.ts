import type { EventBus, Topics } from '../events/event-bus.js';

/** Events waiting for a slow reader beyond this are dropped, oldest first. */
export const MAX_PENDING_EVENTS = 10_000;

/**
 * An event bus subscription as the async iterator a GraphQL subscribe resolver returns. Ending the
 * iteration (return) unsubscribes at once.
 */
export function subscribeToEvents<T extends Topics, K extends keyof T & string>(
  bus: EventBus<T>,
  topic: K,
  serviceIds: ReadonlySet<string> | null,
): AsyncGenerator<T[K], undefined, unknown> {
  const pending: T[K][] = [];
  let waiting: ((result: IteratorResult<T[K], undefined>) => void) | null = null;
  let done = false;

  const unsubscribe = bus.subscribe(topic, serviceIds, (payload) => {
    if (done) return;
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: payload, done: false });
      return;
    }
    if (pending.length >= MAX_PENDING_EVENTS) pending.shift();
    pending.push(payload);
  });

  const finish = (): IteratorResult<T[K], undefined> => {
    if (!done) {
      done = true;
      unsubscribe();
      pending.length = 0;
      const resolve = waiting;
      waiting = null;
      resolve?.({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  };

  const iterator: AsyncGenerator<T[K], undefined, unknown> = {
    next() {
      if (pending.length > 0) return Promise.resolve({ value: pending.shift()!, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return: () => Promise.resolve(finish()),
    throw: (err: unknown) => {
      finish();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
