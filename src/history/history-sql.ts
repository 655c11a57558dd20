import type { ServiceState } from '../checks/service-state.js';
import type { PrismaClient } from '../db/database.js';
import type { Rollup } from './rollup-buffer.js';

/** A transition waiting to be written. */
export interface PendingTransition {
  id: string;
  serviceId: string;
  previous: string;
  current: string;
  at: number;
  message: string | null;
  /** The failure reason of the state entered (for notifications). */
  reason?: string | null;
  /** The lease token it was detected under (null: not fenced). */
  fence: string | null;
}

export interface PendingState {
  serviceId: string;
  state: ServiceState;
  at: number;
  fence: string | null;
}

// Every write is one statement for the whole batch (unnest of arrays). Rows of a service removed
// meanwhile are skipped instead of failing the batch on the foreign key, and a row carrying a lease
// token is written only while that token is still the service's lease: a replica that lost its
// lease (paused past it, or partitioned) cannot write stale results. Each returns how many rows
// the fence refused.

/** Adds a new rollup row into the one already stored for the same service and minute (an empty bucket array adds nothing). */
export const MERGE_INTO_EXISTING_ROLLUP = `ON CONFLICT ("serviceId", "minute") DO UPDATE SET
  "checks" = "CheckRollup"."checks" + EXCLUDED."checks",
  "failures" = "CheckRollup"."failures" + EXCLUDED."failures",
  "degraded" = "CheckRollup"."degraded" + EXCLUDED."degraded",
  "latencySumMs" = "CheckRollup"."latencySumMs" + EXCLUDED."latencySumMs",
  "latencyMinMs" = CASE WHEN "CheckRollup"."checks" = 0 THEN EXCLUDED."latencyMinMs"
                        WHEN EXCLUDED."checks" = 0 THEN "CheckRollup"."latencyMinMs"
                        ELSE LEAST("CheckRollup"."latencyMinMs", EXCLUDED."latencyMinMs") END,
  "latencyMaxMs" = GREATEST("CheckRollup"."latencyMaxMs", EXCLUDED."latencyMaxMs"),
  "maintenanceChecks" = "CheckRollup"."maintenanceChecks" + EXCLUDED."maintenanceChecks",
  "latencyBuckets" = COALESCE((SELECT array_agg(COALESCE(x, 0) + COALESCE(y, 0) ORDER BY i)
                      FROM unnest("CheckRollup"."latencyBuckets", EXCLUDED."latencyBuckets") WITH ORDINALITY AS t(x, y, i)), '{}')`;

/** Keeps the rows of `input` whose service exists and whose fence (if any) is the current lease token. */
const ADMITTED = `admitted AS (
  SELECT input.* FROM input
  JOIN "Service" s ON s."id" = input.sid
  WHERE input.fence IS NULL OR EXISTS (SELECT 1 FROM "Lease" l WHERE l."serviceId" = input.sid AND l."token" = input.fence)
)`;
const FENCED = `SELECT count(*)::int AS fenced FROM input
  WHERE input.fence IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Lease" l WHERE l."serviceId" = input.sid AND l."token" = input.fence)`;

function fencedCount(rows: { fenced: number }[]): number {
  return rows[0]?.fenced ?? 0;
}

export async function insertTransitions(
  prisma: Pick<PrismaClient, '$queryRawUnsafe'>,
  rows: PendingTransition[],
): Promise<number> {
  if (rows.length === 0) return 0;
  return fencedCount(
    await prisma.$queryRawUnsafe<{ fenced: number }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[])
           AS u(id, sid, prev, cur, at, msg, fence)
       ), ${ADMITTED}, written AS (
         INSERT INTO "StatusChange" ("id", "serviceId", "previous", "current", "at", "message")
         SELECT id, sid, prev::"ServiceStatus", cur::"ServiceStatus", to_timestamp(at / 1000.0), msg FROM admitted
         ON CONFLICT ("id") DO NOTHING
         RETURNING 1
       )
       ${FENCED}`,
      rows.map((r) => r.id),
      rows.map((r) => r.serviceId),
      rows.map((r) => r.previous),
      rows.map((r) => r.current),
      rows.map((r) => r.at),
      rows.map((r) => r.message),
      rows.map((r) => r.fence),
    ),
  );
}

export async function upsertRollups(prisma: PrismaClient, rows: Rollup[]): Promise<number> {
  if (rows.length === 0) return 0;
  return fencedCount(
    await prisma.$queryRawUnsafe<{ fenced: number }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::float8[], $3::int[], $4::int[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::text[], $11::int[])
           AS u(sid, minute, checks, failures, degraded, lsum, lmin, lmax, buckets, fence, maint)
       ), ${ADMITTED}, merged AS (
         -- Rows of one service and minute made under different tokens become one row.
         SELECT sid, minute, sum(checks)::int AS checks, sum(failures)::int AS failures, sum(degraded)::int AS degraded,
           sum(lsum) AS lsum, COALESCE(min(lmin) FILTER (WHERE checks > 0), 0) AS lmin, max(lmax) AS lmax,
           sum(maint)::int AS maint,
           (SELECT array_agg(total ORDER BY i) FROM (
              SELECT b.i, sum(b.n)::int AS total FROM admitted a2, unnest(a2.buckets::int[]) WITH ORDINALITY AS b(n, i)
              WHERE a2.sid = admitted.sid AND a2.minute = admitted.minute GROUP BY b.i) per_bucket) AS buckets
         FROM admitted GROUP BY sid, minute
       ), written AS (
         INSERT INTO "CheckRollup" ("serviceId", "minute", "checks", "failures", "degraded", "latencySumMs", "latencyMinMs", "latencyMaxMs", "latencyBuckets", "maintenanceChecks")
         SELECT sid, to_timestamp(minute / 1000.0), checks, failures, degraded, lsum, lmin, lmax, buckets, maint FROM merged
         ${MERGE_INTO_EXISTING_ROLLUP}
         RETURNING 1
       )
       ${FENCED}`,
      rows.map((r) => r.serviceId),
      rows.map((r) => r.minute),
      rows.map((r) => r.checks),
      rows.map((r) => r.failures),
      rows.map((r) => r.degraded),
      rows.map((r) => r.latencySumMs),
      rows.map((r) => (Number.isFinite(r.latencyMinMs) ? r.latencyMinMs : 0)),
      rows.map((r) => r.latencyMaxMs),
      rows.map((r) => `{${r.latencyBuckets.join(',')}}`),
      rows.map((r) => r.fence),
      rows.map((r) => r.maintenanceChecks),
    ),
  );
}

export async function upsertStates(
  prisma: Pick<PrismaClient, '$queryRawUnsafe'>,
  rows: PendingState[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  return fencedCount(
    await prisma.$queryRawUnsafe<{ fenced: number }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::int[], $7::text[], $8::text[], $9::int[],
           $10::int[], $11::float8[], $12::float8[], $13::text[], $14::float8[], $15::float8[], $16::float8[])
           AS u(sid, status, since, checked, latency, http, msg, reason, failures, successes, cert, at, fence, pinged, started, version)
       ), ${ADMITTED}, written AS (
         INSERT INTO "LastKnownState" ("serviceId", "status", "since", "lastCheckedAt", "latencyMs", "httpStatus", "message", "reason",
           "consecutiveFailures", "consecutiveSuccesses", "certificateExpiresAt", "updatedAt", "lastPingAt", "runStartedAt", "version")
         SELECT sid, status::"ServiceStatus", to_timestamp(since / 1000.0), to_timestamp(checked / 1000.0), latency, http,
           msg, reason::"CheckFailureReason", failures, successes, to_timestamp(cert / 1000.0), to_timestamp(at / 1000.0),
           to_timestamp(pinged / 1000.0), to_timestamp(started / 1000.0), version::bigint
         FROM admitted
         ON CONFLICT ("serviceId") DO UPDATE SET
           "status" = EXCLUDED."status", "since" = EXCLUDED."since", "lastCheckedAt" = EXCLUDED."lastCheckedAt",
           "latencyMs" = EXCLUDED."latencyMs", "httpStatus" = EXCLUDED."httpStatus", "message" = EXCLUDED."message",
           "reason" = EXCLUDED."reason", "consecutiveFailures" = EXCLUDED."consecutiveFailures",
           "consecutiveSuccesses" = EXCLUDED."consecutiveSuccesses", "certificateExpiresAt" = EXCLUDED."certificateExpiresAt",
           "updatedAt" = EXCLUDED."updatedAt", "lastPingAt" = EXCLUDED."lastPingAt", "runStartedAt" = EXCLUDED."runStartedAt",
           "version" = EXCLUDED."version"
         WHERE EXCLUDED."updatedAt" >= "LastKnownState"."updatedAt"
         RETURNING 1
       )
       ${FENCED}`,
      rows.map((r) => r.serviceId),
      rows.map((r) => r.state.status),
      rows.map((r) => ms(r.state.since)),
      rows.map((r) => ms(r.state.lastCheckedAt)),
      rows.map((r) => r.state.latencyMs),
      rows.map((r) => r.state.httpStatus),
      rows.map((r) => r.state.message),
      rows.map((r) => r.state.reason),
      rows.map((r) => r.state.consecutiveFailures),
      rows.map((r) => r.state.consecutiveSuccesses),
      rows.map((r) => ms(r.state.certificateExpiresAt)),
      rows.map((r) => r.at),
      rows.map((r) => r.fence),
      rows.map((r) => ms(r.state.lastPingAt ?? null)),
      rows.map((r) => ms(r.state.runStartedAt ?? null)),
      rows.map((r) => r.state.version ?? 0),
    ),
  );
}
