import type { PrismaClient } from '../db/database.js';

// Every statement of the lease protocol, each standing on its own (no session state, so pooled
// connections are fine), on the database clock: `now()` decides who is silent, never ours.

export interface ClaimedLease {
  serviceId: string;
  token: string;
  /** Taken from a replica gone silent, rather than free. */
  takeover: boolean;
}

/**
 * The heartbeat: renews every lease the replica holds at once (a lease lives as long as its owner
 * announces itself), one row written per round whatever the number of services. False when the id
 * belongs to another process (another instance) that is still alive.
 */
export async function announceReplica(
  prisma: PrismaClient,
  replicaId: string,
  instance: string,
  ttlMs: number,
): Promise<boolean> {
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
  return announced.length > 0;
}

/** Lets go of the replica's leases on services paused since they were claimed. */
export async function releasePausedLeases(prisma: PrismaClient, replicaId: string): Promise<void> {
  await prisma.$executeRawUnsafe(
    `DELETE FROM "Lease" l USING "Service" s WHERE l."owner" = $1 AND s."id" = l."serviceId" AND s."paused"`,
    replicaId,
  );
}

/** The leases that carry the replica's name: service id → token. */
export async function leasesOf(prisma: PrismaClient, replicaId: string): Promise<Map<string, string>> {
  const rows = await prisma.$queryRawUnsafe<{ serviceId: string; token: string }[]>(
    `SELECT "serviceId", "token" FROM "Lease" WHERE "owner" = $1`,
    replicaId,
  );
  return new Map(rows.map((r) => [r.serviceId, r.token]));
}

/** Replicas heard from within the TTL and services to check: what a fair share is made of. */
export async function countReplicasAndServices(
  prisma: PrismaClient,
  ttlMs: number,
): Promise<{ replicas: number; services: number }> {
  const [counts] = (await prisma.$queryRawUnsafe<{ replicas: number; services: number }[]>(
    `SELECT (SELECT count(*)::int FROM "Replica" WHERE "lastSeenAt" > now() - $1 * interval '1 millisecond') AS replicas,
              (SELECT count(*)::int FROM "Service" WHERE NOT "paused") AS services`,
    ttlMs,
  )) as [{ replicas: number; services: number }];
  return counts;
}

export async function releaseLeases(prisma: PrismaClient, replicaId: string, serviceIds: string[]): Promise<void> {
  await prisma.$executeRawUnsafe(
    `DELETE FROM "Lease" WHERE "owner" = $1 AND "serviceId" = ANY($2::text[])`,
    replicaId,
    serviceIds,
  );
}

export interface ClaimRequest {
  replicaId: string;
  ttlMs: number;
  /** At most this many leases. */
  wanted: number;
  /** Whether leases of replicas silent for longer than the TTL may be taken over (else only free services). */
  takeOver: boolean;
}

/**
 * Claims unpaused services without a lease, or whose lease owner is gone, with SELECT ... FOR
 * UPDATE SKIP LOCKED so that replicas claiming at the same moment do not wait on each other.
 */
export async function claimLeases(prisma: PrismaClient, claim: ClaimRequest): Promise<ClaimedLease[]> {
  const ownerIsGone = `NOT EXISTS (SELECT 1 FROM "Replica" r WHERE r."id" = "Lease"."owner" AND r."lastSeenAt" > now() - $2 * interval '1 millisecond')`;
  return prisma.$queryRawUnsafe<ClaimedLease[]>(
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
    claim.replicaId,
    claim.ttlMs,
    claim.wanted,
    claim.takeOver,
  );
}

/** Gives back every lease and the replica's row: the others may claim its services at once. */
export async function leaveCluster(prisma: PrismaClient, replicaId: string): Promise<void> {
  await prisma.$executeRawUnsafe(`DELETE FROM "Lease" WHERE "owner" = $1`, replicaId);
  await prisma.$executeRawUnsafe(`DELETE FROM "Replica" WHERE "id" = $1`, replicaId);
}

/** Replicas that ended without saying goodbye (SIGKILL) leave a row; an hour later it goes. */
export async function forgetLongGoneReplicas(prisma: PrismaClient): Promise<void> {
  await prisma.$executeRawUnsafe(`DELETE FROM "Replica" WHERE "lastSeenAt" < now() - interval '1 hour'`);
}
