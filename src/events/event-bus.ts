import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';

/** Every event concerns one service; that is what subscribers filter on. */
export type Topics = { [topic: string]: { serviceId: string } };

export type Listener<P> = (payload: P, remote: boolean) => void;

/** Carries batches of events to the other processes and back (Redis), or nowhere (one process). */
export interface RemoteTransport {
  send(topic: string, message: string): void;
  listen(topic: string, onMessage: (message: string) => void): void;
  /** Called after the connection to the other processes was lost and is back: events may be missing. */
  onReset(callback: () => void): void;
  close(): Promise<void>;
}

export interface EventBusOptions {
  logger: Logger;
  remote?: RemoteTransport;
  /** Topics whose events are sent to other processes in batches at most this often (ms). */
  batchMs?: Partial<Record<string, number>>;
  /** Revives what JSON turned into strings (dates). */
  reviver?: (key: string, value: unknown) => unknown;
}

export interface EventBus<T extends Topics> {
  /** Delivers to local subscribers at once, and to other processes (batched where configured). */
  publish<K extends keyof T & string>(topic: K, payload: T[K]): void;
  /**
   * Listens to a topic: to the events of the given services only, or to all with `null`. Only the
   * listeners that asked for a service are woken by its events.
   */
  subscribe<K extends keyof T & string>(
    topic: K,
    serviceIds: ReadonlySet<string> | null,
    listener: Listener<T[K]>,
  ): () => void;
  /** Called when events from other processes may have been missed (a reconnect). */
  onReset(callback: () => void): void;
  listenerCount(topic: keyof T & string): number;
  /** True when events reach other processes (a remote transport is configured). */
  readonly shared: boolean;
  close(): Promise<void>;
}

interface TopicListeners<P> {
  all: Set<Listener<P>>;
  byService: Map<string, Set<Listener<P>>>;
}

interface Envelope {
  /** The process that published the events. */
  o: string;
  e: unknown[];
}

/**
 * Typed topics with filtering at the source. In one process it is a plain in-memory dispatcher;
 * with a remote transport, every event also reaches the other processes, which deliver it to
 * their own subscribers (and ignore their own events coming back).
 */
export function createEventBus<T extends Topics>(options: EventBusOptions): EventBus<T> {
  const log = options.logger.child({ component: 'events' });
  const origin = randomUUID();
  const topics = new Map<string, TopicListeners<unknown>>();
  const outgoing = new Map<string, unknown[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const listening = new Set<string>();
  const remote = options.remote;

  const listenersOf = (topic: string): TopicListeners<unknown> => {
    let entry = topics.get(topic);
    if (!entry) {
      entry = { all: new Set(), byService: new Map() };
      topics.set(topic, entry);
    }
    return entry;
  };

  const deliver = (topic: string, payload: { serviceId: string }, isRemote: boolean) => {
    const entry = topics.get(topic);
    if (!entry) return;
    const call = (listener: Listener<unknown>) => {
      try {
        listener(payload, isRemote);
      } catch (err) {
        log.error({ err, topic }, 'event listener failed');
      }
    };
    for (const listener of entry.all) call(listener);
    const forService = entry.byService.get(payload.serviceId);
    if (forService) for (const listener of forService) call(listener);
  };

  const flush = (topic: string) => {
    timers.delete(topic);
    const batch = outgoing.get(topic);
    if (!batch || batch.length === 0 || !remote) return;
    outgoing.set(topic, []);
    try {
      remote.send(topic, JSON.stringify({ o: origin, e: batch } satisfies Envelope));
    } catch (err) {
      log.warn({ err, topic, events: batch.length }, 'could not send events to other processes');
    }
  };

  const receive = (topic: string, message: string) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message, options.reviver) as Envelope;
      if (typeof envelope?.o !== 'string' || !Array.isArray(envelope.e)) throw new Error('not an event envelope');
    } catch (err) {
      log.warn({ err, topic, bytes: message.length }, 'malformed event message dropped');
      return;
    }
    if (envelope.o === origin) return;
    for (const payload of envelope.e) {
      if (typeof (payload as { serviceId?: unknown })?.serviceId !== 'string') {
        log.warn({ topic }, 'malformed event dropped');
        continue;
      }
      deliver(topic, payload as { serviceId: string }, true);
    }
  };

  const ensureListening = (topic: string) => {
    if (!remote || listening.has(topic)) return;
    listening.add(topic);
    remote.listen(topic, (message) => receive(topic, message));
  };

  return {
    publish(topic, payload) {
      deliver(topic, payload, false);
      if (!remote) return;
      let batch = outgoing.get(topic);
      if (!batch) {
        batch = [];
        outgoing.set(topic, batch);
      }
      batch.push(payload);
      const batchMs = options.batchMs?.[topic] ?? 0;
      if (batchMs <= 0) flush(topic);
      else if (!timers.has(topic)) timers.set(topic, setTimeout(flush, batchMs, topic));
    },

    subscribe(topic, serviceIds, listener) {
      ensureListening(topic);
      const entry = listenersOf(topic);
      const l = listener as Listener<unknown>;
      if (serviceIds === null) {
        entry.all.add(l);
        return () => entry.all.delete(l);
      }
      for (const id of serviceIds) {
        let set = entry.byService.get(id);
        if (!set) {
          set = new Set();
          entry.byService.set(id, set);
        }
        set.add(l);
      }
      return () => {
        for (const id of serviceIds) {
          const set = entry.byService.get(id);
          set?.delete(l);
          if (set?.size === 0) entry.byService.delete(id);
        }
      };
    },

    onReset(callback) {
      remote?.onReset(callback);
    },

    shared: remote !== undefined,

    listenerCount(topic) {
      const entry = topics.get(topic);
      if (!entry) return 0;
      let count = entry.all.size;
      for (const set of entry.byService.values()) count += set.size;
      return count;
    },

    async close() {
      for (const topic of [...timers.keys()]) {
        clearTimeout(timers.get(topic));
        flush(topic);
      }
      await remote?.close();
    },
  };
}
