import { deliveryId, ROUTED, type Sql, STABLE_AFTER_MS, TAKES } from './outbox-sql-parts.js';

/** Certificate notices go out when the days left cross these, once each. */
export const CERTIFICATE_DAYS = [14, 7, 1] as const;

/**
 * The shared end of every sweep: `routed` (sid, cid, gw, event, prev, cur, msg, reason, ts, dedup)
 * becomes one delivery per row, unless its dedup key was made before (by this replica or another,
 * now or before a restart). $1 is now.
 */
const INSERT_ROUTED = `, created AS (
   INSERT INTO "NotificationDelivery" ("id", "channelId", "event", "status", "createdAt", "nextAttemptAt", "dedupKey")
   SELECT ${deliveryId('extract(epoch from $1::timestamptz) * 1000', 'r.dedup')}, r.cid, r.event::"NotificationEvent", 'PENDING', $1,
     $1::timestamptz + make_interval(secs => r.gw), r.dedup
   FROM routed r
   ON CONFLICT DO NOTHING
   RETURNING "id", "dedupKey"
 ), items AS (
   INSERT INTO "NotificationItem" ("id", "deliveryId", "serviceId", "previous", "current", "message", "reason", "at")
   SELECT gen_random_uuid()::text, created."id", r.sid, r.prev::"ServiceStatus", r.cur::"ServiceStatus", r.msg, r.reason, r.ts
   FROM created JOIN routed r ON r.dedup = created."dedupKey"
   RETURNING 1
 )
 SELECT count(*)::int AS created FROM created`;

const ROUTE_JOIN = `JOIN "Service" s ON s."id" = n.sid JOIN "NotificationChannel" c ON ${ROUTED}`;
const NOT_FLAPPING = `NOT EXISTS (SELECT 1 FROM "NotificationFlap" f WHERE f."serviceId" = n.sid)`;

async function created(sql: Sql, query: string, now: Date): Promise<number> {
  const rows = await sql.$queryRawUnsafe<{ created: number }[]>(query, now);
  return rows[0]?.created ?? 0;
}

/** REMINDER for every service still DOWN, every remindEveryMinutes of its channel (one per period). */
export function insertReminders(sql: Sql, now: Date): Promise<number> {
  return created(
    sql,
    `WITH n AS (
       SELECT st."serviceId" AS sid, st."since", st."message", st."reason"::text AS reason FROM "LastKnownState" st
       WHERE st."status" = 'DOWN' AND st."since" IS NOT NULL
     ), routed AS (
       SELECT n.sid, c."id" AS cid, c."groupWindowSeconds" AS gw, 'REMINDER' AS event, NULL::text AS prev, 'DOWN' AS cur,
         'still DOWN since ' || to_char(n."since" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') || COALESCE(': ' || n."message", '') AS msg,
         n.reason, n."since" AS ts,
         'remind:' || n.sid || ':' || c."id" || ':' || (extract(epoch from n."since") * 1000)::bigint || ':' ||
           floor(extract(epoch from ($1::timestamptz - n."since")) / (c."remindEveryMinutes" * 60))::bigint AS dedup
       FROM n ${ROUTE_JOIN}
       WHERE c."remindEveryMinutes" IS NOT NULL AND 'DOWN' = ANY(c."events") AND ${NOT_FLAPPING}
         AND $1::timestamptz - n."since" >= make_interval(mins => c."remindEveryMinutes")
     )${INSERT_ROUTED}`,
    now,
  );
}

/** CERTIFICATE_EXPIRING when a service's certificate enters 14, 7 and 1 days left (each once per certificate). */
export function insertCertificateNotices(sql: Sql, now: Date): Promise<number> {
  const [first, second, last] = CERTIFICATE_DAYS;
  return created(
    sql,
    `WITH n AS (
       SELECT st."serviceId" AS sid, st."status"::text AS cur, st."certificateExpiresAt" AS expires,
         CASE WHEN st."certificateExpiresAt" <= $1::timestamptz + interval '${last} days' THEN ${last}
              WHEN st."certificateExpiresAt" <= $1::timestamptz + interval '${second} days' THEN ${second}
              ELSE ${first} END AS threshold
       FROM "LastKnownState" st
       WHERE st."certificateExpiresAt" IS NOT NULL AND st."certificateExpiresAt" <= $1::timestamptz + interval '${first} days'
         -- Nothing is sent during maintenance; a threshold crossed meanwhile is noticed after it.
         AND st."status" <> 'MAINTENANCE'
     ), routed AS (
       SELECT n.sid, c."id" AS cid, c."groupWindowSeconds" AS gw, 'CERTIFICATE_EXPIRING' AS event, NULL::text AS prev, n.cur,
         'the TLS certificate ' || CASE WHEN n.expires <= $1::timestamptz THEN 'expired' ELSE 'expires' END || ' on ' ||
           to_char(n.expires AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') ||
           ' (' || GREATEST(0, ceil(extract(epoch from (n.expires - $1::timestamptz)) / 86400))::int || ' days left)' AS msg,
         NULL::text AS reason, $1::timestamptz AS ts,
         'cert:' || n.sid || ':' || c."id" || ':' || (extract(epoch from n.expires) * 1000)::bigint || ':' || n.threshold AS dedup
       FROM n ${ROUTE_JOIN}
       WHERE ${TAKES("'CERTIFICATE_EXPIRING'")}
     )${INSERT_ROUTED}`,
    now,
  );
}

/** STABLE for each flapping service that has not changed for STABLE_AFTER_MS; it is flapping no more. */
export function insertStableNotices(sql: Sql, now: Date): Promise<number> {
  return created(
    sql,
    `WITH ended AS (
       DELETE FROM "NotificationFlap" f WHERE f."lastChangeAt" < $1::timestamptz - interval '${STABLE_AFTER_MS} milliseconds'
       RETURNING f."serviceId" AS sid, f."since"
     ), n AS (
       SELECT e.sid, e."since", COALESCE(st."status"::text, 'UNKNOWN') AS cur, st."message", st."reason"::text AS reason
       FROM ended e LEFT JOIN "LastKnownState" st ON st."serviceId" = e.sid
     ), routed AS (
       SELECT n.sid, c."id" AS cid, c."groupWindowSeconds" AS gw, 'STABLE' AS event, NULL::text AS prev, n.cur,
         'stable again (' || n.cur || ') after flapping since ' || to_char(n."since" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') ||
           COALESCE(': ' || n."message", '') AS msg,
         n.reason, $1::timestamptz AS ts,
         'stable:' || n.sid || ':' || c."id" || ':' || (extract(epoch from n."since") * 1000)::bigint AS dedup
       FROM n ${ROUTE_JOIN}
       WHERE ${TAKES("'STABLE'")}
     )${INSERT_ROUTED}`,
    now,
  );
}

/** Services flapping now (for ServiceState.flapping). */
export async function flappingServices(sql: Sql): Promise<string[]> {
  const rows = await sql.$queryRawUnsafe<{ sid: string }[]>(`SELECT "serviceId" AS sid FROM "NotificationFlap"`);
  return rows.map((r) => r.sid);
}
