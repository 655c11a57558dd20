import type { PrismaClient } from '../db/database.js';
import type { ServiceState } from '../checks/service-state.js';
import type { Rollup } from './rollup-buffer.js';

/** A transition waiting to be written. */
export interface PendingTransition {
  id: string;
  serviceId: string;
  previous: string;
  current: string;
  at: number;
  message: string | null;
}

// Every write is one statement for the whole batch (unnest of arrays), and joins Service so rows of
// a service unregistered meanwhile are skipped instead of failing the batch on the foreign key.

export async function insertTransitions(prisma: PrismaClient, rows: PendingTransition[]): Promise<void> {
  if (rows.length === 0) return;
  await prisma.$executeRawUnsafe(
    `INSERT INTO "StatusChange" ("id", "serviceId", "previous", "current", "at", "message")
     SELECT u.id, u.sid, u.prev::"ServiceStatus", u.cur::"ServiceStatus", to_timestamp(u.at / 1000.0), u.msg
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[]) AS u(id, sid, prev, cur, at, msg)
     JOIN "Service" s ON s.id = u.sid
     ON CONFLICT ("id") DO NOTHING`,
    rows.map((r) => r.id),
    rows.map((r) => r.serviceId),
    rows.map((r) => r.previous),
    rows.map((r) => r.current),
    rows.map((r) => r.at),
    rows.map((r) => r.message),
  );
}

export async function upsertRollups(prisma: PrismaClient, rows: Rollup[]): Promise<void> {
  if (rows.length === 0) return;
  await prisma.$executeRawUnsafe(
    `INSERT INTO "CheckRollup" ("serviceId", "minute", "checks", "failures", "degraded", "latencySumMs", "latencyMinMs", "latencyMaxMs", "latencyBuckets")
     SELECT u.sid, to_timestamp(u.minute / 1000.0), u.checks, u.failures, u.degraded, u.lsum, u.lmin, u.lmax, u.buckets::int[]
     FROM unnest($1::text[], $2::float8[], $3::int[], $4::int[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::text[])
       AS u(sid, minute, checks, failures, degraded, lsum, lmin, lmax, buckets)
     JOIN "Service" s ON s.id = u.sid
     ON CONFLICT ("serviceId", "minute") DO UPDATE SET
       "checks" = "CheckRollup"."checks" + EXCLUDED."checks",
       "failures" = "CheckRollup"."failures" + EXCLUDED."failures",
       "degraded" = "CheckRollup"."degraded" + EXCLUDED."degraded",
       "latencySumMs" = "CheckRollup"."latencySumMs" + EXCLUDED."latencySumMs",
       "latencyMinMs" = LEAST("CheckRollup"."latencyMinMs", EXCLUDED."latencyMinMs"),
       "latencyMaxMs" = GREATEST("CheckRollup"."latencyMaxMs", EXCLUDED."latencyMaxMs"),
       "latencyBuckets" = ${SUM_BUCKETS('"CheckRollup"."latencyBuckets"', 'EXCLUDED."latencyBuckets"')}`,
    rows.map((r) => r.serviceId),
    rows.map((r) => r.minute),
    rows.map((r) => r.checks),
    rows.map((r) => r.failures),
    rows.map((r) => r.degraded),
    rows.map((r) => r.latencySumMs),
    rows.map((r) => (Number.isFinite(r.latencyMinMs) ? r.latencyMinMs : 0)),
    rows.map((r) => r.latencyMaxMs),
    rows.map((r) => `{${r.latencyBuckets.join(',')}}`),
  );
}

/** Element-wise sum of two int[] of the same length. */
function SUM_BUCKETS(a: string, b: string): string {
  return `(SELECT array_agg(x + y ORDER BY i) FROM unnest(${a}, ${b}) WITH ORDINALITY AS t(x, y, i))`;
}

export async function upsertStates(prisma: PrismaClient, rows: { serviceId: string; state: ServiceState; at: number }[]): Promise<void> {
  if (rows.length === 0) return;
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  await prisma.$executeRawUnsafe(
    `INSERT INTO "LastKnownState" ("serviceId", "status", "since", "lastCheckedAt", "latencyMs", "httpStatus", "message", "reason",
       "consecutiveFailures", "consecutiveSuccesses", "certificateExpiresAt", "updatedAt")
     SELECT u.sid, u.status::"ServiceStatus", to_timestamp(u.since / 1000.0), to_timestamp(u.checked / 1000.0), u.latency, u.http,
       u.msg, u.reason::"CheckFailureReason", u.failures, u.successes, to_timestamp(u.cert / 1000.0), to_timestamp(u.at / 1000.0)
     FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::int[], $7::text[], $8::text[], $9::int[],
       $10::int[], $11::float8[], $12::float8[])
       AS u(sid, status, since, checked, latency, http, msg, reason, failures, successes, cert, at)
     JOIN "Service" s ON s.id = u.sid
     ON CONFLICT ("serviceId") DO UPDATE SET
       "status" = EXCLUDED."status", "since" = EXCLUDED."since", "lastCheckedAt" = EXCLUDED."lastCheckedAt",
       "latencyMs" = EXCLUDED."latencyMs", "httpStatus" = EXCLUDED."httpStatus", "message" = EXCLUDED."message",
       "reason" = EXCLUDED."reason", "consecutiveFailures" = EXCLUDED."consecutiveFailures",
       "consecutiveSuccesses" = EXCLUDED."consecutiveSuccesses", "certificateExpiresAt" = EXCLUDED."certificateExpiresAt",
       "updatedAt" = EXCLUDED."updatedAt"
     WHERE EXCLUDED."updatedAt" >= "LastKnownState"."updatedAt"`,
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
  );
}
