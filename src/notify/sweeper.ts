import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { insertCertificateNotices, insertReminders, insertStableNotices } from './sweep-sql.js';

export interface Sweeper {
  /** One pass: reminders, certificate notices, flapping ends; resolves with the deliveries made. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): void;
}

export interface SweeperOptions {
  prisma: PrismaClient;
  logger: Logger;
  now: () => Date;
  intervalMs?: number;
  /** Deliveries were made: the outbox may send them now. */
  onCreated: () => void;
}

export const SWEEP_INTERVAL_MS = 30_000;

/**
 * The notices no transition causes. Every replica sweeps; each notice has a key unique in the
 * database, so a notice is made once however many replicas sweep, and again after no restart.
 */
export function createSweeper(options: SweeperOptions): Sweeper {
  const log = options.logger.child({ component: 'notify' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  const runOnce = (): Promise<number> => {
    running ??= (async () => {
      try {
        const at = options.now();
        let made = 0;
        for (const sweep of [insertStableNotices, insertReminders, insertCertificateNotices])
          made += await sweep(options.prisma, at);
        if (made > 0) options.onCreated();
        return made;
      } finally {
        running = null;
      }
    })();
    return running;
  };

  return {
    runOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        runOnce().catch((err: unknown) => log.warn({ err }, 'notification sweep failed; trying again at the next'));
      }, options.intervalMs ?? SWEEP_INTERVAL_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
