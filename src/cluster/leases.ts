import type { PrismaClient } from '../db/database.js';
import { isDatabaseUnavailable } from '../db/availability.js';
import type { Logger } from '../logger.js';
import type { Ownership, OwnershipEvents } from './ownership.js';

export interface LeaseOptions {
  prisma: PrismaClient;
  /** Unique per process. */
  replicaId: string;
  /** How long a lease lasts without renewal; another replica takes the service over after it. */
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

  const round = async () => {
    const startedAt = performance.now();
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Replica" ("id", "startedAt", "lastSeenAt") VALUES ($1, now(), now())
       ON CONFLICT ("id") DO UPDATE SET "lastSeenAt" = now()`,
      replicaId,
    );
    // Renew what we hold (even if it expired meanwhile: nobody took it if the token is ours),
    // and let go of services paused or removed since.
    const renewed = await prisma.$queryRawUnsafe<{ serviceId: string; token: string }[]>(
      `UPDATE "Lease" l SET "expiresAt" = now() + $2 * interval '1 millisecond'
       FROM "Service" s
       WHERE l."owner" = $1 AND s."id" = l."serviceId" AND NOT s."paused"
       RETURNING l."serviceId", l."token"`,
      replicaId,
      ttlMs,
    );
    await prisma.$executeRawUnsafe(
      `DELETE FROM "Lease" l USING "Service" s WHERE l."owner" = $1 AND s."id" = l."serviceId" AND s."paused"`,
      replicaId,
    );
    validUntil = startedAt + ttlMs - SAFETY_MARGIN_MS;
    databaseUnreachable = false;
    const still = new Map(renewed.map((r) => [r.serviceId, r.token]));
    drop(
      [...held.keys()].filter((id) => still.get(id) !== held.get(id)),
      'lost',
    );

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
      await options.beforeRelease?.();
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
      // An expired lease is taken over only from a replica that stopped announcing itself. Right
      // after a failed round (a database outage, which expires every lease) nothing is taken over:
      // every live replica gets one round to renew what it holds before others may claim it, so no
      // history recorded during the outage is fenced out.
      const claimed = await prisma.$queryRawUnsafe<{ serviceId: string; token: string; takeover: boolean }[]>(
        `WITH free AS (
           SELECT s."id" FROM "Service" s
           LEFT JOIN "Lease" l ON l."serviceId" = s."id"
           WHERE NOT s."paused" AND (l."serviceId" IS NULL OR ($4::boolean AND l."expiresAt" < now() AND NOT EXISTS (
             SELECT 1 FROM "Replica" r WHERE r."id" = l."owner" AND r."lastSeenAt" > now() - $2 * interval '1 millisecond')))
           ORDER BY s."id"
           LIMIT $3
           FOR UPDATE OF s SKIP LOCKED
         )
         INSERT INTO "Lease" ("serviceId", "owner", "token", "expiresAt")
         SELECT free."id", $1, gen_random_uuid()::text, now() + $2 * interval '1 millisecond' FROM free
         ON CONFLICT ("serviceId") DO UPDATE
           SET "owner" = EXCLUDED."owner", "token" = EXCLUDED."token", "expiresAt" = EXCLUDED."expiresAt"
           WHERE "Lease"."expiresAt" < now()
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
