import type { PrismaClient } from '../db/database.js';

/** What the outbox statements need of Prisma: a plain client or an interactive transaction's. */
export type Sql = Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>;

export { FLAP_CHANGES, FLAP_WINDOW_MS, STABLE_AFTER_MS } from '../checks/flap-detector.js';

/**
 * Which channels a service's notices go to: the defaults, those sharing a label, those it names.
 * `s` is the "Service" row and `c` the "NotificationChannel" row in the surrounding query.
 */
export const ROUTED = `(c."isDefault" OR c."labels" && s."labels"
  OR EXISTS (SELECT 1 FROM "ServiceNotificationChannel" sc WHERE sc."serviceId" = s."id" AND sc."channelId" = c."id"))`;

/** The channel takes the event; flapping notices go wherever DOWN or UP go. `ev` is text. */
export const TAKES = (ev: string) => `(${ev}::"NotificationEvent" = ANY(c."events")
  OR (${ev} IN ('FLAPPING', 'STABLE') AND c."events" && ARRAY['DOWN', 'UP']::"NotificationEvent"[]))`;

/**
 * A delivery id that sorts by time (the first 48 bits are the Unix milliseconds, as in UUIDv7) and
 * is derived from `seed`: the same transition, channel and event always give the same id.
 */
export const deliveryId = (
  ms: string,
  seed: string,
) => `(SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(h, 14, 3) || '-' ||
  substr(h, 17, 4) || '-' || substr(h, 21, 12)
  FROM (SELECT lpad(to_hex((${ms})::bigint), 12, '0') || substr(md5(${seed}), 1, 20) AS h) AS hx)`;
