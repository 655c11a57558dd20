import type { Sql } from './outbox-sql-parts.js';

/** A delivery claimed for sending, with its channel's settings. */
export interface ClaimedDelivery {
  id: string;
  channelId: string;
  event: string;
  attempts: number;
  createdAt: Date;
  summary: boolean;
  groupWindowSeconds: number;
  rateLimitPerMinute: number;
}

export interface DeliveryItemRow {
  deliveryId: string;
  serviceId: string;
  name: string;
  url: string;
  labels: string[];
  previous: string | null;
  current: string;
  message: string | null;
  reason: string | null;
  at: Date;
}

export interface DeliveryOutcome {
  id: string;
  status: 'PENDING' | 'SENT' | 'FAILED';
  sentAt: Date | null;
  lastError: string | null;
  /** PENDING: when to try again. */
  nextAttemptAt: Date | null;
}

/**
 * Claims up to `limit` due deliveries for `claimMs` (a sender that dies lets its claim run out, and
 * the delivery is tried again by whoever claims it next). Counts the attempt at once, so a crash
 * mid-send is still an attempt. Rows another sender is claiming are skipped, not waited for.
 */
export async function claimDeliveries(
  sql: Sql,
  token: string,
  now: Date,
  limit: number,
  claimMs: number,
): Promise<ClaimedDelivery[]> {
  return sql.$queryRawUnsafe<ClaimedDelivery[]>(
    `WITH due AS (
       SELECT d."id" FROM "NotificationDelivery" d
       WHERE d."status" = 'PENDING' AND d."nextAttemptAt" <= $2 AND (d."claimedUntil" IS NULL OR d."claimedUntil" < $2)
       ORDER BY d."nextAttemptAt" LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE "NotificationDelivery" d SET "claimToken" = $1, "claimedUntil" = $3, "attempts" = d."attempts" + 1
     FROM due, "NotificationChannel" c
     WHERE d."id" = due."id" AND c."id" = d."channelId"
     RETURNING d."id", d."channelId", d."event"::text AS event, d."attempts", d."createdAt", d."summary",
       c."groupWindowSeconds", c."rateLimitPerMinute"`,
    token,
    now,
    new Date(now.getTime() + claimMs),
    limit,
  );
}

/**
 * Gathers into each leader the unsent deliveries of its channel (of its event; of any event for a
 * rate-limit summary) that no sender holds, plus `followers` this sender claimed alongside: their
 * services move to the leader and the emptied deliveries are removed.
 */
export async function absorbIntoLeaders(
  sql: Sql,
  token: string,
  now: Date,
  leaders: readonly { id: string; channelId: string; event: string; summary: boolean }[],
  followers: readonly string[],
): Promise<number> {
  if (leaders.length === 0) return 0;
  const rows = await sql.$queryRawUnsafe<{ absorbed: number }[]>(
    `WITH leaders AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[]) AS l(id, cid, event, summary)
     ), locked AS (
       SELECT d."id", d."channelId", d."event"::text AS event FROM "NotificationDelivery" d
       WHERE d."channelId" = ANY($2::text[]) AND d."status" = 'PENDING' AND d."id" <> ALL($1::text[])
         AND ((d."attempts" = 0 AND d."createdAt" <= $6 AND (d."claimedUntil" IS NULL OR d."claimedUntil" < $6))
              OR (d."id" = ANY($5::text[]) AND d."claimToken" = $7))
       FOR UPDATE SKIP LOCKED
     ), absorbed AS (
       SELECT DISTINCT ON (k."id") k."id", l.id AS leader FROM locked k
       JOIN leaders l ON l.cid = k."channelId" AND (l.summary OR l.event = k.event)
       ORDER BY k."id", l.id
     ), moved AS (
       UPDATE "NotificationItem" i SET "deliveryId" = a.leader FROM absorbed a WHERE i."deliveryId" = a."id" RETURNING 1
     ), removed AS (
       DELETE FROM "NotificationDelivery" d USING absorbed a WHERE d."id" = a."id" RETURNING 1
     )
     SELECT (SELECT count(*) FROM removed)::int AS absorbed, (SELECT count(*) FROM moved)::int AS items`,
    leaders.map((l) => l.id),
    leaders.map((l) => l.channelId),
    leaders.map((l) => l.event),
    leaders.map((l) => l.summary),
    [...followers],
    now,
    token,
  );
  return rows[0]?.absorbed ?? 0;
}

/** The services of the given deliveries, with their current name, URL and labels. */
export async function loadItems(sql: Sql, deliveryIds: readonly string[]): Promise<DeliveryItemRow[]> {
  if (deliveryIds.length === 0) return [];
  return sql.$queryRawUnsafe<DeliveryItemRow[]>(
    `SELECT i."deliveryId", i."serviceId", s."name", s."url", s."labels", i."previous"::text AS previous, i."current"::text AS current,
       i."message", i."reason", i."at"
     FROM "NotificationItem" i JOIN "Service" s ON s."id" = i."serviceId"
     WHERE i."deliveryId" = ANY($1::text[])
     ORDER BY i."at", s."name"`,
    [...deliveryIds],
  );
}

/** Deliveries sent per channel since `since` (for the rate limit). */
export async function sentSince(sql: Sql, channelIds: readonly string[], since: Date): Promise<Map<string, number>> {
  if (channelIds.length === 0) return new Map();
  const rows = await sql.$queryRawUnsafe<{ channelId: string; sent: number }[]>(
    `SELECT "channelId", count(*)::int AS sent FROM "NotificationDelivery"
     WHERE "channelId" = ANY($1::text[]) AND "sentAt" > $2 GROUP BY "channelId"`,
    [...channelIds],
    since,
  );
  return new Map(rows.map((r) => [r.channelId, r.sent]));
}

/** Over the rate limit: becomes a summary, sent at `at` with everything held for its channel meanwhile. */
export async function deferAsSummaries(sql: Sql, token: string, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await sql.$executeRawUnsafe(
    `UPDATE "NotificationDelivery" SET "summary" = true, "attempts" = "attempts" - 1, "nextAttemptAt" = $3,
       "claimToken" = NULL, "claimedUntil" = NULL
     WHERE "id" = ANY($1::text[]) AND "claimToken" = $2`,
    [...ids],
    token,
    at,
  );
}

/** Records what happened to each claimed delivery; a claim taken over meanwhile is left to its new holder. */
export async function recordOutcomes(sql: Sql, token: string, outcomes: readonly DeliveryOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await sql.$executeRawUnsafe(
    `UPDATE "NotificationDelivery" d SET "status" = u.status::"DeliveryStatus", "sentAt" = u.sent, "lastError" = u.err,
       "nextAttemptAt" = COALESCE(u.next, d."nextAttemptAt"), "claimToken" = NULL, "claimedUntil" = NULL
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[]) AS u(id, status, sent, err, next)
     WHERE d."id" = u.id AND d."claimToken" = $6`,
    outcomes.map((o) => o.id),
    outcomes.map((o) => o.status),
    outcomes.map((o) => o.sentAt),
    outcomes.map((o) => o.lastError),
    outcomes.map((o) => o.nextAttemptAt),
    token,
  );
}

/** Deliveries waiting to be sent (for the queue-depth gauge). */
export async function pendingCount(sql: Sql): Promise<number> {
  const rows = await sql.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "NotificationDelivery" WHERE "status" = 'PENDING'`,
  );
  return rows[0]?.n ?? 0;
}
