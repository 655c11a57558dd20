import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { pruneAndCompact } from './retention.js';

const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;
const PRUNE_FIRST_AFTER_MS = 60_000;

export interface HistoryPruning {
  /** Prunes a minute from now, then once a day. */
  start(): void;
  stop(): void;
  pruneNow(): Promise<void>;
}

/** The daily upkeep of stored history (retention.ts), on a timer that never holds the process open. */
export function createHistoryPruning(
  prisma: PrismaClient,
  now: () => Date,
  retentionDays: number,
  log: Logger,
): HistoryPruning {
  let timer: NodeJS.Timeout | null = null;
  const prune = () =>
    pruneAndCompact(prisma, now(), retentionDays).then(
      (result) => log.info(result, 'history pruned'),
      (err: unknown) => log.warn({ err }, 'history pruning failed; will try again tomorrow'),
    );
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      void prune();
      schedule(PRUNE_EVERY_MS);
    }, delayMs);
    timer.unref();
  };
  return {
    start: () => schedule(PRUNE_FIRST_AFTER_MS),
    stop() {
      if (timer) clearTimeout(timer);
    },
    pruneNow: () => pruneAndCompact(prisma, now(), retentionDays).then(() => undefined),
  };
}
