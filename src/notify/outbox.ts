import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { nextAttemptAt, RETRY_SCHEDULE, type RetrySchedule } from './backoff.js';
import type { ChannelKind, EmailOptions, NotificationEvent } from './channel-input.js';
import { type Notification, serviceLink } from './message.js';
import {
  absorbIntoLeaders,
  type ClaimedDelivery,
  claimDeliveries,
  type DeliveryItemRow,
  type DeliveryOutcome,
  deferAsSummaries,
  loadItems,
  recordOutcomes,
  sentSince,
} from './outbox-claim-sql.js';
import type { SecretBox } from './secrets.js';
import type { ChannelSender, ResolvedChannel, SendOutcome, Transports } from './sender.js';

export interface OutboxOptions {
  prisma: PrismaClient;
  secrets: SecretBox;
  senders: Readonly<Record<ChannelKind, ChannelSender>>;
  transports: Transports;
  logger: Logger;
  publicUrl: string | null;
  now?: () => Date;
  /** Deliveries claimed per round. */
  batchSize?: number;
  /** Sends in flight at once. */
  concurrency?: number;
  /** Polling interval while nothing is due (other replicas' deliveries, retries, grouping windows). */
  idleMs?: number;
  /** Tests: a faster schedule than about 10 s doubling to 10 min for 24 h. */
  retry?: RetrySchedule;
  /** Called after every attempt, for metrics. */
  onAttempt?: (kind: ChannelKind, outcome: 'sent' | 'retry' | 'failed', secondsSinceTransition: number) => void;
}

export interface Outbox {
  /** Something may be due now (a transition was just written): claim at once instead of at the next poll. */
  poke(): void;
  /** One round: claim, send, record; resolves with how many deliveries were attempted. */
  runOnce(): Promise<number>;
  /** Sends one delivery this process created and holds the claim of, and records the outcome. */
  sendClaimed(claim: ClaimedDelivery): Promise<DeliveryOutcome>;
  readonly token: string;
  start(): void;
  stop(): Promise<void>;
}

/** How long a claim lasts: three times an attempt (10 s), so only a dead sender loses it. */
export const CLAIM_MS = 30_000;
const RATE_WINDOW_MS = 60_000;
const ERROR_CHARS = 500;

/**
 * The sending side of the outbox. Every replica runs one; claims (FOR UPDATE SKIP LOCKED, with a
 * claim that runs out) make each delivery go through one sender at a time, and each outcome is
 * recorded only by the sender still holding the claim.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { prisma } = options;
  const log = options.logger.child({ component: 'notify' });
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 16;
  const idleMs = options.idleMs ?? 1_000;
  // One token per process: a claim taken over after it ran out is no longer this process's to record.
  const token = randomUUID();
  const abort = new AbortController();
  // Every attempt in flight listens for the stop, and stops listening when it ends: up to
  // `concurrency` listeners from the loop (and as many from sendClaimed beside it) is no leak.
  setMaxListeners(concurrency * 2 + 1, abort.signal);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;

  const channelsOf = async (ids: string[]): Promise<Map<string, ResolvedChannel | Error>> => {
    const rows = await prisma.notificationChannel.findMany({ where: { id: { in: ids } } });
    return new Map<string, ResolvedChannel | Error>(
      rows.map((row): [string, ResolvedChannel | Error] => {
        try {
          const secret = row.secret === null ? null : options.secrets.open(row.secret, row.id);
          const email = (row.email ?? null) as EmailOptions | null;
          return [
            row.id,
            { id: row.id, name: row.name, kind: row.kind, url: row.url, secret, email } satisfies ResolvedChannel,
          ];
        } catch (err) {
          return [row.id, err as Error];
        }
      }),
    );
  };

  const notificationOf = (claim: ClaimedDelivery, items: DeliveryItemRow[]): Notification => ({
    deliveryId: claim.id,
    event: claim.event as NotificationEvent,
    at: claim.createdAt,
    summary: claim.summary,
    publicUrl: options.publicUrl,
    services: items.map((i) => ({
      id: i.serviceId,
      name: i.name,
      url: i.url,
      labels: i.labels,
      previous: i.previous,
      current: i.current,
      message: i.message,
      reason: i.reason,
      since: i.at,
      link: serviceLink(options.publicUrl, i.serviceId),
    })),
  });

  const attempt = async (
    claim: ClaimedDelivery,
    channel: ResolvedChannel | Error | undefined,
    items: DeliveryItemRow[],
  ): Promise<DeliveryOutcome> => {
    const at = now();
    if (channel === undefined)
      return {
        id: claim.id,
        status: 'FAILED',
        sentAt: null,
        lastError: 'the channel was deleted',
        nextAttemptAt: null,
      };
    if (items.length === 0 && claim.event !== 'TEST') {
      return {
        id: claim.id,
        status: 'FAILED',
        sentAt: null,
        lastError: 'its services were removed',
        nextAttemptAt: null,
      };
    }
    let outcome: SendOutcome;
    if (channel instanceof Error) {
      outcome = { ok: false, error: channel.message, permanent: false };
    } else {
      try {
        outcome = await options.senders[channel.kind].send(
          notificationOf(claim, items),
          channel,
          options.transports,
          abort.signal,
        );
      } catch (err) {
        log.error({ err, deliveryId: claim.id }, 'sender threw; treated as a failed attempt');
        outcome = { ok: false, error: `sender error: ${(err as Error).message}`, permanent: false };
      }
    }
    const done = now();
    const kind = channel instanceof Error ? 'WEBHOOK' : channel.kind;
    const seconds = (done.getTime() - claim.createdAt.getTime()) / 1000;
    if (outcome.ok) {
      options.onAttempt?.(kind, 'sent', seconds);
      return { id: claim.id, status: 'SENT', sentAt: done, lastError: null, nextAttemptAt: null };
    }
    // A receiver may echo what it was sent (a token, the signature key): never keep it.
    const error = redact(`attempt ${claim.attempts}: ${outcome.error}`, channel).slice(0, ERROR_CHARS);
    const next = outcome.permanent
      ? null
      : nextAttemptAt(claim.createdAt, claim.attempts, at, outcome.retryAfterMs, options.retry ?? RETRY_SCHEDULE);
    options.onAttempt?.(kind, next ? 'retry' : 'failed', seconds);
    log.warn(
      {
        deliveryId: claim.id,
        channelId: claim.channelId,
        attempts: claim.attempts,
        permanent: outcome.permanent,
        retryAt: next,
      },
      'notification attempt failed',
    );
    return next
      ? { id: claim.id, status: 'PENDING', sentAt: null, lastError: error, nextAttemptAt: next }
      : {
          id: claim.id,
          status: 'FAILED',
          sentAt: null,
          lastError: outcome.permanent ? error : `gave up after 24 h; ${error}`,
          nextAttemptAt: null,
        };
  };

  /** Gathers grouped and summary deliveries into one per channel (and event); returns those left to send. */
  const gather = async (claimed: ClaimedDelivery[], at: Date): Promise<ClaimedDelivery[]> => {
    const leaders = new Map<string, ClaimedDelivery>();
    const followers: string[] = [];
    const keep: ClaimedDelivery[] = [];
    for (const d of claimed) {
      if (!d.summary && d.groupWindowSeconds === 0) {
        keep.push(d);
        continue;
      }
      const key = `${d.channelId}\0${d.summary ? '*' : d.event}`;
      if (leaders.has(key)) followers.push(d.id);
      else {
        leaders.set(key, d);
        keep.push(d);
      }
    }
    if (leaders.size > 0) await absorbIntoLeaders(prisma, token, at, [...leaders.values()], followers);
    return keep;
  };

  /** Over a channel's rate limit: the excess waits a minute and goes out as one summary. */
  const limitRate = async (claimed: ClaimedDelivery[], at: Date): Promise<ClaimedDelivery[]> => {
    const counted = claimed.filter((d) => !d.summary && d.event !== 'TEST');
    const sent = await sentSince(
      prisma,
      [...new Set(counted.map((d) => d.channelId))],
      new Date(at.getTime() - RATE_WINDOW_MS),
    );
    const deferred = new Set<string>();
    const used = new Map<string, number>();
    for (const d of counted) {
      const n = (used.get(d.channelId) ?? sent.get(d.channelId) ?? 0) + 1;
      used.set(d.channelId, n);
      if (n > d.rateLimitPerMinute) deferred.add(d.id);
    }
    if (deferred.size === 0) return claimed;
    log.warn({ deferred: deferred.size }, 'notification rate limit reached: the excess goes out as one summary');
    await deferAsSummaries(prisma, token, [...deferred], new Date(at.getTime() + RATE_WINDOW_MS));
    return claimed.filter((d) => !deferred.has(d.id));
  };

  const sendAll = async (claims: ClaimedDelivery[]): Promise<DeliveryOutcome[]> => {
    const [channels, items] = await Promise.all([
      channelsOf([...new Set(claims.map((c) => c.channelId))]),
      loadItems(
        prisma,
        claims.map((c) => c.id),
      ),
    ]);
    const byDelivery = new Map<string, DeliveryItemRow[]>();
    for (const item of items) byDelivery.set(item.deliveryId, [...(byDelivery.get(item.deliveryId) ?? []), item]);
    const outcomes: DeliveryOutcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < claims.length) {
        const claim = claims[next++]!;
        outcomes.push(await attempt(claim, channels.get(claim.channelId), byDelivery.get(claim.id) ?? []));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claims.length) }, worker));
    return outcomes;
  };

  const runOnce = async (): Promise<number> => {
    const at = now();
    const claimed = await claimDeliveries(prisma, token, at, batchSize, CLAIM_MS);
    if (claimed.length === 0) return 0;
    const toSend = await limitRate(await gather(claimed, at), at);
    const outcomes = await sendAll(toSend);
    await recordOutcomes(prisma, token, outcomes);
    return claimed.length;
  };

  const loop = async () => {
    try {
      do {
        again = false;
        while (!stopped && (await runOnce()) >= batchSize);
      } while (again && !stopped);
    } catch (err) {
      log.warn({ err }, 'notification round failed; trying again shortly');
    }
  };

  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    running = loop().finally(() => {
      running = null;
      if (!stopped) {
        timer = setTimeout(kick, again ? 0 : idleMs);
        timer.unref();
      }
    });
  };

  return {
    token,
    poke: kick,
    runOnce,
    async sendClaimed(claim) {
      const [outcome] = await sendAll([claim]);
      await recordOutcomes(prisma, token, [outcome!]);
      return outcome!;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await running;
    },
  };
}

function redact(text: string, channel: ResolvedChannel | Error): string {
  if (channel instanceof Error) return text;
  const secrets = [channel.secret, channel.url && new URL(channel.url).pathname.length > 1 ? channel.url : null].filter(
    (v): v is string => !!v && v.length >= 4,
  );
  return secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
