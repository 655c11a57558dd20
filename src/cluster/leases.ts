import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';
import { isDatabaseUnavailable } from '../db/availability.js';
import type { Logger } from '../logger.js';
import type { Ownership, OwnershipEvents } from './ownership.js';
import { settlesWithin } from '../timeouts.js';

export interface LeaseOptions {
  prisma: PrismaClient;
  /** Unique per process. */
  replicaId: string;
  /** How long a replica may stay silent before the others take its services over. */
  ttlMs: number;
  /** How often leases are renewed and free services claimed (a third of the TTL or less). */
  periodMs: number;
  events: OwnershipEvents;
  /** Runs before leases are given up, so that what was recorded under them is written first. */
  beforeRelease?: () => Promise<void>;
  logger: Logger;
  onChurn?: (kind: 'acquired' | 'lost' | 'released', count: number) => void;
}

/** Replicas stop trusting a lease this long before the database would let others take it. */
const SAFETY_MARGIN_MS = 500;
/** A replica may hold this many services above its fair share before it gives some back. */
const SHARE_SLACK = 1;
/**
 * How long a round waits for history to be written before it gives leases back, as a share of the
 * TTL: the round must end in time to renew. An overloaded replica can take tens of seconds to
 * flush; waiting for it stopped its renewals, the others took everything over, and the services
 * flipped between replicas without ever being shared. What is still unwritten is fenced out.
 */
const RELEASE_WAIT_TTL_SHARE = 1 / 3;

/**
 * Work partitioning through PostgreSQL leases, on the database clock: each round a replica
 * announces itself, renews what it holds, gives back what exceeds its fair share, and claims free
 * or expired services with SELECT ... FOR UPDATE SKIP LOCKED. No session advisory locks (they
 * break with pooled connections): every statement stands on its own.
 */
export function createLeaseOwnership(options: LeaseOptions): Ownership {
  const { prisma, replicaId, ttlMs } = options;
  const log = options.logger.child({ component: 'leases', replicaId });
  const held = new Map<string, string>();
  /** Until when (performance.now()) the leases are known valid: set from each successful renewal. */
  let validUntil = 0;
  /** The last round could not reach the database: keep checking what we hold (nobody can take it). */
  let databaseUnreachable = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  /** The previous round failed: take nothing over this round (see the claim below). */
  let recovering = false;

  const drop = (ids: string[], kind: 'lost' | 'released') => {
    if (ids.length === 0) return;
    for (const id of ids) held.delete(id);
    options.onChurn?.(kind, ids.length);
    options.events.lost(ids);
  };

  const instance = randomUUID();
  const round = async () => {
    const startedAt = performance.now();
    // The heartbeat renews every lease this replica holds at once (a lease lives as long as its
    // owner announces itself): one row written per round, whatever the number of services.
    const announced = await prisma.$queryRawUnsafe<unknown[]>(
      `INSERT INTO "Replica" ("id", "instance", "startedAt", "lastSeenAt") VALUES ($1, $2, now(), now())
       ON CONFLICT ("id") DO UPDATE SET "lastSeenAt" = now(), "instance" = EXCLUDED."instance",
         "startedAt" = CASE WHEN "Replica"."instance" = EXCLUDED."instance" THEN "Replica"."startedAt" ELSE now() END
       WHERE "Replica"."instance" = EXCLUDED."instance" OR "Replica"."lastSeenAt" < now() - $3 * interval '1 millisecond'
       RETURNING 1`,
      replicaId,
      instance,
      ttlMs,
    );
    if (announced.length === 0) {
      drop([...held.keys()], 'lost');
      throw new Error(`REPLICA_ID ${replicaId} is in use by another live process: give every replica its own`);
    }
    // Let go of services paused since; what is still ours is whatever carries our name.
    await prisma.$executeRawUnsafe(
      `DELETE FROM "Lease" l USING "Service" s WHERE l."owner" = $1 AND s."id" = l."serviceId" AND s."paused"`,
      replicaId,
    );
    const current = await prisma.$queryRawUnsafe<{ serviceId: string; token: string }[]>(
      `SELECT "serviceId", "token" FROM "Lease" WHERE "owner" = $1`,
      replicaId,
    );
    const still = new Map(current.map((r) => [r.serviceId, r.token]));
    drop(
      [...held.keys()].filter((id) => still.get(id) !== held.get(id)),
      'lost',
    );
    // Only now, with what was taken over dropped, may results be accepted again: vouching for the
    // leases at the heartbeat would let a replica waking from a pause record, for a moment, results
    // of services that are no longer its own.
    validUntil = startedAt + ttlMs - SAFETY_MARGIN_MS;
    databaseUnreachable = false;

    const [{ replicas, services }] = await prisma.$queryRawUnsafe<{ replicas: number; services: number }[]>(
      `SELECT (SELECT count(*)::int FROM "Replica" WHERE "lastSeenAt" > now() - $1 * interval '1 millisecond') AS replicas,
              (SELECT count(*)::int FROM "Service" WHERE NOT "paused") AS services`,
      ttlMs,
    ) as [{ replicas: number; services: number }];
    const share = Math.ceil(services / Math.max(1, replicas));

    if (held.size > share + SHARE_SLACK) {
      // Give back the excess so that a replica that just joined gets its part.
      const excess = [...held.keys()].slice(share);
      options.events.lost(excess);
      if (!(await settlesWithin(options.beforeRelease?.(), ttlMs * RELEASE_WAIT_TTL_SHARE))) {
        log.warn({ released: excess.length }, 'history not written in time; giving leases back anyway (the rest is fenced out)');
      }
      await prisma.$executeRawUnsafe(
        `DELETE FROM "Lease" WHERE "owner" = $1 AND "serviceId" = ANY($2::text[])`,
        replicaId,
        excess,
      );
      for (const id of excess) held.delete(id);
      options.onChurn?.('released', excess.length);
    }

    const wanted = share - held.size;
    if (wanted > 0) {
      // A lease is taken over only from a replica silent for longer than the TTL. Right after a
      // failed round (a database outage silences every replica) nothing is taken over: every live
      // replica gets one round to announce itself before others may claim what it holds, so no
      // history recorded during the outage is fenced out.
      const ownerIsGone = `NOT EXISTS (SELECT 1 FROM "Replica" r WHERE r."id" = "Lease"."owner" AND r."lastSeenAt" > now() - $2 * interval '1 millisecond')`;
      const claimed = await prisma.$queryRawUnsafe<{ serviceId: string; token: string; takeover: boolean }[]>(
        `WITH free AS (
           SELECT s."id" FROM "Service" s
           LEFT JOIN "Lease" ON "Lease"."serviceId" = s."id"
           WHERE NOT s."paused" AND ("Lease"."serviceId" IS NULL OR ($4::boolean AND ${ownerIsGone}))
           ORDER BY s."id"
           LIMIT $3
           FOR UPDATE OF s SKIP LOCKED
         )
         INSERT INTO "Lease" ("serviceId", "owner", "token", "acquiredAt")
         SELECT free."id", $1, gen_random_uuid()::text, now() FROM free
         ON CONFLICT ("serviceId") DO UPDATE
           SET "owner" = EXCLUDED."owner", "token" = EXCLUDED."token", "acquiredAt" = EXCLUDED."acquiredAt"
           WHERE ${ownerIsGone}
         RETURNING "serviceId", "token", (xmax <> 0) AS takeover`,
        replicaId,
        ttlMs,
        wanted,
        !recovering,
      );
      if (claimed.length > 0) {
        for (const lease of claimed) held.set(lease.serviceId, lease.token);
        const takeovers = claimed.filter((c) => c.takeover).length;
        options.onChurn?.('acquired', claimed.length);
        log.info({ acquired: claimed.length, takeovers, held: held.size, share, replicas }, 'leases acquired');
        options.events.acquired(claimed.map((c) => c.serviceId));
      }
    }
  };

  const runRound = () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await round();
          recovering = false;
        } while (again && !stopped);
      } catch (err) {
        recovering = true;
        if (isDatabaseUnavailable(err)) {
          if (!databaseUnreachable) log.warn({ err, held: held.size }, 'lease round failed: database unreachable; still checking the services held');
          databaseUnreachable = true;
        } else {
          log.error({ err }, 'lease round failed');
        }
      } finally {
        running = null;
      }
    })();
    return running;
  };

  return {
    owns: (serviceId) => held.has(serviceId),
    // While the database is unreachable nobody can take a lease over, so what we hold stays ours.
    accepts: (serviceId) => held.has(serviceId) && (databaseUnreachable || performance.now() < validUntil),
    fenceOf: (serviceId) => held.get(serviceId) ?? null,
    claimSoon() {
      if (!stopped) void runRound();
    },
    get owned() {
      return held.size;
    },
    start() {
      // Replicas that ended without saying goodbye (SIGKILL) leave a row; an hour later it goes.
      void prisma
        .$executeRawUnsafe(`DELETE FROM "Replica" WHERE "lastSeenAt" < now() - interval '1 hour'`)
        .catch((err: unknown) => log.debug({ err }, 'could not clean up old replica rows'));
      void runRound();
      timer = setInterval(() => void runRound(), options.periodMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      const ids = [...held.keys()];
      await options.beforeRelease?.();
      try {
        await prisma.$executeRawUnsafe(`DELETE FROM "Lease" WHERE "owner" = $1`, replicaId);
        await prisma.$executeRawUnsafe(`DELETE FROM "Replica" WHERE "id" = $1`, replicaId);
        log.info({ released: ids.length }, 'leases released');
      } catch (err) {
        log.warn({ err }, 'could not release leases; they expire on their own');
      }
      drop(ids, 'released');
    },
  };
}
