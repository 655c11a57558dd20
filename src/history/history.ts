import type { MonitorSink } from '../checks/monitor-sink.js';
import type { ServiceState } from '../checks/service-state.js';
import { createHistoryPruning } from './history-pruning.js';
import { createHistoryWriter, type HistoryWriterOptions } from './history-writer.js';
import { loadLastKnownStates } from './last-known-states.js';
import type { RollupBuffer } from './rollup-buffer.js';
import { newestTransitionId, type StoredTransition, transitionsAfter } from './transition-log.js';

export interface HistoryOptions extends HistoryWriterOptions {
  retentionDays: number;
}

export interface History {
  readonly sink: MonitorSink;
  readonly rollups: RollupBuffer;
  /** Last known states (of the given services, or all), to seed the cache. */
  loadStates(serviceIds?: readonly string[]): Promise<Map<string, ServiceState>>;
  /** Writes everything buffered now; rejects if the database refuses (the data stays buffered). */
  flush(): Promise<void>;
  /** Transitions, states and rollups still waiting to be written. */
  pending(): { transitions: number; states: number; rollups: number };
  start(): void;
  /** Stops the timers and makes a last attempt to write everything within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  pruneNow(): Promise<void>;
  /** Stored transitions after a transition id, oldest first (a replay reads them page by page). */
  transitionsAfter(afterId: string, serviceIds: ReadonlySet<string> | null, limit: number): Promise<StoredTransition[]>;
  /** The newest stored transition's id (null: none yet). */
  newestTransitionId(): Promise<string | null>;
  /** The oldest moment still kept: anything before it was pruned by the retention. */
  keptSince(): Date;
}

/**
 * Stored history: the writer (buffered, retried, fenced: history-writer.ts), its daily pruning
 * (history-pruning.ts) and the last known states read back at start (last-known-states.ts).
 */
export function createHistory(options: HistoryOptions): History {
  const writer = createHistoryWriter(options);
  const now = options.now ?? (() => new Date());
  const log = options.logger.child({ component: 'history' });
  const pruning = createHistoryPruning(options.prisma, now, options.retentionDays, log);
  return {
    sink: writer.sink,
    rollups: writer.rollups,
    loadStates: (serviceIds) => loadLastKnownStates(options.prisma, serviceIds),
    flush: () => writer.flush(),
    pending: () => writer.pending(),
    start() {
      writer.start();
      pruning.start();
    },
    async stop(timeoutMs = 5_000) {
      pruning.stop();
      await writer.stop(timeoutMs);
    },
    pruneNow: () => pruning.pruneNow(),
    transitionsAfter: (afterId, serviceIds, limit) => transitionsAfter(options.prisma, afterId, serviceIds, limit),
    newestTransitionId: () => newestTransitionId(options.prisma),
    keptSince: () => new Date(now().getTime() - options.retentionDays * 86_400_000),
  };
}
