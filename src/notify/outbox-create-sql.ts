import { deliveryId, FLAP_CHANGES, FLAP_WINDOW_MS, ROUTED, type Sql, TAKES } from './outbox-sql-parts.js';

/** A transition as the history writes it, with what a notice needs. */
export interface TransitionNotice {
  id: string;
  serviceId: string;
  previous: string;
  current: string;
  /** Unix milliseconds. */
  at: number;
  message: string | null;
  reason?: string | null;
}

/** The delivery `d` is about services of `set` (a CTE of sids) only. */
const ONLY_ITEMS_OF = (set: string) =>
  `(EXISTS (SELECT 1 FROM "NotificationItem" i WHERE i."deliveryId" = d."id" AND i."serviceId" IN (SELECT sid FROM ${set}))
    AND NOT EXISTS (SELECT 1 FROM "NotificationItem" o WHERE o."deliveryId" = d."id" AND o."serviceId" NOT IN (SELECT sid FROM ${set})))`;

/**
 * Writes the deliveries of transitions, in the transaction that wrote their StatusChange rows:
 * only transitions whose row exists (the fence refused the others, so a fenced-out replica creates
 * none), each once per channel even when the batch is written again. A service flapping (more
 * than FLAP_CHANGES changes in FLAP_WINDOW_MS) gets its notices held (SUPPRESSED) and one
 * FLAPPING notice when it starts (transitions into or out of MAINTENANCE do not count). UNREACHABLE goes only to channels that take it, and so does the
 * UP that ends an UNREACHABLE spell, unless the channel was sent a DOWN (and no UP since); a DOWN notice still waiting
 * (a group window) of a service that has just become UNREACHABLE is held, and so is everything still waiting
 * for a service whose maintenance window has just started. One statement. Returns how many deliveries were created.
 */
export async function insertTransitionDeliveries(sql: Sql, rows: readonly TransitionNotice[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql.$queryRawUnsafe<{ created: number }[]>(
    `WITH input AS (
       SELECT u.*, to_timestamp(u.at / 1000.0) AS ts FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[])
         AS u(tid, sid, prev, cur, at, msg, reason)
       JOIN "StatusChange" sc ON sc."id" = u.tid
     ), unreachable AS (
       SELECT sid FROM input WHERE prev = 'DOWN' AND cur = 'UNREACHABLE'
     ), entering_window AS (
       SELECT sid FROM input WHERE cur = 'MAINTENANCE'
     ), superseded AS (
       -- Held (one UPDATE, so that a delivery matching both is changed once):
       -- a DOWN notice not sent yet (waiting out a group window) of a service that turned out to be
       -- UNREACHABLE (its parent went DOWN a moment later): the parent's DOWN says it all;
       -- anything still waiting (a group window, a retry) for services whose maintenance window has
       -- just started: nothing is sent about a service under maintenance.
       UPDATE "NotificationDelivery" d SET "status" = 'SUPPRESSED',
         "lastError" = CASE WHEN ${ONLY_ITEMS_OF('entering_window')} THEN 'held: a maintenance window started'
                            ELSE 'held: it became UNREACHABLE (a service it depends on is DOWN)' END
       WHERE d."status" = 'PENDING' AND (d."claimedUntil" IS NULL OR d."claimedUntil" < now())
         AND ((d."event" = 'DOWN' AND d."attempts" = 0 AND ${ONLY_ITEMS_OF('unreachable')}) OR ${ONLY_ITEMS_OF('entering_window')})
       RETURNING 1
     ), judged AS (
       SELECT input.*,
         CASE WHEN cur IN ('DOWN', 'DEGRADED', 'UNREACHABLE') THEN cur
              WHEN cur = 'UP' AND prev IN ('DOWN', 'DEGRADED', 'UNREACHABLE') THEN 'UP' END AS event,
         (prev = 'UNREACHABLE' AND cur = 'UP') AS after_unreachable,
         -- Going into or out of MAINTENANCE is planned: neither counted nor a change of a flapping spell.
         (prev = 'MAINTENANCE' OR cur = 'MAINTENANCE') AS planned,
         (SELECT count(*) FROM "StatusChange" c WHERE c."serviceId" = input.sid AND c."at" > input.ts - interval '${FLAP_WINDOW_MS} milliseconds'
            AND c."at" <= input.ts AND c."previous" <> 'MAINTENANCE' AND c."current" <> 'MAINTENANCE') AS recent
       FROM input
     ), flapping AS (
       SELECT sid, min(ts) AS since, max(ts) AS last, max(tid) AS tid, max(recent) AS recent FROM judged
       WHERE NOT planned AND (recent > ${FLAP_CHANGES} OR EXISTS (SELECT 1 FROM "NotificationFlap" f WHERE f."serviceId" = judged.sid))
       GROUP BY sid
     ), flap AS (
       INSERT INTO "NotificationFlap" ("serviceId", "since", "lastChangeAt")
       SELECT sid, since, last FROM flapping
       ON CONFLICT ("serviceId") DO UPDATE SET "lastChangeAt" = GREATEST("NotificationFlap"."lastChangeAt", EXCLUDED."lastChangeAt")
       RETURNING "serviceId" AS sid, (xmax = 0) AS started
     ), notices AS (
       SELECT tid, sid, prev, cur, msg, reason, ts, event, sid IN (SELECT sid FROM flapping) AS held, after_unreachable FROM judged WHERE event IS NOT NULL
       UNION ALL
       SELECT j.tid, j.sid, j.prev, j.cur,
         'changed status ' || f.recent || ' times in ${FLAP_WINDOW_MS / 60_000} minutes: notifications are held until it is stable',
         j.reason, j.ts, 'FLAPPING', false, false
       FROM flap JOIN flapping f ON f.sid = flap.sid JOIN judged j ON j.tid = f.tid WHERE flap.started
     ), routed AS (
       SELECT n.*, c."id" AS cid, ${deliveryId('extract(epoch from n.ts) * 1000', 'n.tid || c."id" || n.event')} AS did,
         n.ts + make_interval(secs => CASE WHEN n.held THEN 0 ELSE c."groupWindowSeconds" END) AS due
       FROM notices n
       JOIN "Service" s ON s."id" = n.sid
       JOIN "NotificationChannel" c ON ${ROUTED} AND ${TAKES('n.event')}
         -- UP after UNREACHABLE: only where a DOWN was sent (and no UP since), or UNREACHABLE is taken.
         AND (NOT n.after_unreachable OR 'UNREACHABLE'::"NotificationEvent" = ANY(c."events") OR EXISTS (
           SELECT 1 FROM "NotificationItem" i JOIN "NotificationDelivery" d ON d."id" = i."deliveryId"
           WHERE i."serviceId" = n.sid AND d."channelId" = c."id" AND d."event" = 'DOWN' AND d."status" <> 'SUPPRESSED'
             AND NOT EXISTS (SELECT 1 FROM "NotificationItem" j JOIN "NotificationDelivery" e ON e."id" = j."deliveryId"
               WHERE j."serviceId" = n.sid AND e."channelId" = c."id" AND e."event" = 'UP' AND j."at" > i."at")))
       WHERE NOT EXISTS (SELECT 1 FROM "NotificationItem" i JOIN "NotificationDelivery" d ON d."id" = i."deliveryId"
                         WHERE i."transitionId" = n.tid AND d."channelId" = c."id" AND d."event"::text = n.event)
     ), deliveries AS (
       INSERT INTO "NotificationDelivery" ("id", "channelId", "event", "status", "createdAt", "nextAttemptAt", "lastError")
       SELECT did, cid, event::"NotificationEvent", (CASE WHEN held THEN 'SUPPRESSED' ELSE 'PENDING' END)::"DeliveryStatus", ts, due,
         CASE WHEN held THEN 'held: the service is flapping' END
       FROM routed
       ON CONFLICT ("id") DO NOTHING
       RETURNING "id"
     ), items AS (
       INSERT INTO "NotificationItem" ("id", "deliveryId", "serviceId", "transitionId", "previous", "current", "message", "reason", "at")
       SELECT gen_random_uuid()::text, did, sid, tid, prev::"ServiceStatus", cur::"ServiceStatus", msg, reason, ts
       FROM routed WHERE did IN (SELECT "id" FROM deliveries)
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM deliveries)::int AS created`,
    rows.map((r) => r.id),
    rows.map((r) => r.serviceId),
    rows.map((r) => r.previous),
    rows.map((r) => r.current),
    rows.map((r) => r.at),
    rows.map((r) => r.message),
    rows.map((r) => r.reason ?? null),
  );
  return result[0]?.created ?? 0;
}
