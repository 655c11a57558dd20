import type { LookupFunction } from 'node:net';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { TargetPolicy } from '../policy/target-policy.js';
import type { ProtectManaged } from '../registry/managed.js';
import { type ChannelStore, createChannelStore } from './channels.js';
import { createHttpTransport } from './http-transport.js';
import { createMailTransport } from './mail-transport.js';
import { createOutbox, type Outbox, type OutboxOptions } from './outbox.js';
import { pendingCount } from './outbox-claim-sql.js';
import { insertTransitionDeliveries, type TransitionNotice } from './outbox-create-sql.js';
import type { Sql } from './outbox-sql-parts.js';
import { createSecretBox } from './secrets.js';
import { SENDERS } from './senders.js';
import { createSweeper, type Sweeper } from './sweeper.js';

export interface NotificationsOptions {
  prisma: PrismaClient;
  /** Refuse API changes to the config file's channels (CONFIG_FILE, not in merge mode). */
  protectManaged?: ProtectManaged;
  policy: TargetPolicy;
  secretsKey: Buffer | null;
  publicUrl: string | undefined;
  logger: Logger;
  userAgent: string;
  now?: () => Date;
  /** Tests: name resolution for receivers, a private CA for SMTP. */
  lookup?: LookupFunction;
  smtpCa?: string;
  /** How often reminders, certificate notices and flapping ends are looked for (default 30 s). */
  sweepIntervalMs?: number;
  /** Longest one attempt may take (default 10 s). */
  attemptTimeoutMs?: number;
  outbox?: Partial<Pick<OutboxOptions, 'batchSize' | 'concurrency' | 'idleMs' | 'onAttempt' | 'retry'>>;
}

export interface Notifications {
  readonly channels: ChannelStore;
  readonly outbox: Outbox;
  readonly sweeper: Sweeper;
  /**
   * Creates the deliveries of transitions just written, inside the transaction that wrote them
   * (`sql` is that transaction). Call `written()` after it commits.
   */
  recordTransitions(sql: Sql, rows: readonly TransitionNotice[]): Promise<number>;
  /** Deliveries waiting to be sent (all replicas'). */
  queueDepth(): Promise<number>;
  /** Transitions with deliveries were committed: send them now rather than at the next poll. */
  written(): void;
  start(): void;
  stop(): Promise<void>;
}

/** The notification room, built from config: channels, the outbox and its senders. */
export function createNotifications(options: NotificationsOptions): Notifications {
  const now = options.now ?? (() => new Date());
  const secrets = createSecretBox(options.secretsKey);
  const log = options.logger.child({ component: 'notify' });
  const http = createHttpTransport({
    policy: options.policy,
    lookup: options.lookup,
    userAgent: options.userAgent,
    timeoutMs: options.attemptTimeoutMs,
  });
  const sendMail = createMailTransport({
    policy: options.policy,
    lookup: options.lookup,
    ca: options.smtpCa,
    timeoutMs: options.attemptTimeoutMs,
  });
  const outbox = createOutbox({
    prisma: options.prisma,
    secrets,
    senders: SENDERS,
    transports: { postJson: http.postJson, sendMail },
    logger: options.logger,
    publicUrl: options.publicUrl ?? null,
    now,
    ...options.outbox,
  });
  const channels = createChannelStore({
    prisma: options.prisma,
    secrets,
    checkUrl: (url) => options.policy.checkUrl(url),
    outbox,
    now,
    protectManaged: options.protectManaged,
  });
  const sweeper = createSweeper({
    prisma: options.prisma,
    logger: options.logger,
    now,
    intervalMs: options.sweepIntervalMs,
    onCreated: () => outbox.poke(),
  });
  if (!secrets.sealing) log.info('SECRETS_KEY is not set: notification channel secrets are stored unencrypted');
  return {
    channels,
    outbox,
    sweeper,
    recordTransitions: insertTransitionDeliveries,
    written: () => outbox.poke(),
    queueDepth: () => pendingCount(options.prisma),
    start() {
      outbox.start();
      sweeper.start();
    },
    async stop() {
      sweeper.stop();
      await outbox.stop();
      await http.close();
    },
  };
}
