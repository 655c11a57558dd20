import { type NotificationChannel as ChannelRow, Prisma } from '../generated/prisma/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../registry/errors.js';
import { type ProtectManaged, refuseIfManaged } from '../registry/managed.js';
import { type DbClient, marksData, type RowMarks } from '../registry/registry.js';
import { type ChannelDefinition, type ChannelInput, validateChannel } from './channel-input.js';
import type { Outbox } from './outbox.js';
import { CLAIM_MS } from './outbox.js';
import type { ClaimedDelivery } from './outbox-claim-sql.js';
import { deliveryId } from './outbox-sql-parts.js';
import type { SecretBox } from './secrets.js';

export type { ChannelRow };

export interface ChannelStore {
  /** Checks a definition as create and update do (rules and target policy); throws ValidationError. */
  validate(input: ChannelInput): ChannelDefinition;
  list(): Promise<ChannelRow[]>;
  get(id: string): Promise<ChannelRow | null>;
  create(input: ChannelInput, marks?: RowMarks): Promise<ChannelRow>;
  /** Replaces the definition; a secret left out stays as it is, an empty one is removed. */
  update(id: string, input: ChannelInput, marks?: RowMarks): Promise<ChannelRow>;
  delete(id: string): Promise<ChannelRow>;
  /** Sends a TEST message now and resolves with the delivery after that attempt. */
  test(id: string): Promise<string>;
  /** The stored secret in clear (config as code compares it with the one given); never shown. */
  secretOf(row: Pick<ChannelRow, 'id' | 'secret'>): string | null;
  /** The same store on `tx`, a transaction the caller commits (config as code). */
  within(tx: DbClient): ChannelStore;
}

export interface ChannelStoreOptions {
  prisma: DbClient;
  secrets: SecretBox;
  checkUrl: (url: string) => string | null;
  outbox: Outbox;
  now: () => Date;
  /** Refuse API changes to the config file's channels (not inside config as code's `within`). */
  protectManaged?: ProtectManaged;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'P2002';
const isMissing = (err: unknown) => (err as { code?: string }).code === 'P2025';

export function createChannelStore(options: ChannelStoreOptions): ChannelStore {
  const { prisma, secrets } = options;

  const conflict = (name: string) => new ConflictError(`a notification channel named "${name}" already exists`);
  const notFound = (id: string) => new NotFoundError(`no notification channel with id ${id}`);
  const protect = async (id: string) => {
    if (!options.protectManaged?.()) return;
    const row = await prisma.notificationChannel.findUnique({ where: { id }, select: { name: true, managedBy: true } });
    refuseIfManaged(options.protectManaged, row, `notification channel "${row?.name}"`);
  };

  const data = (input: ChannelInput, id: string) => {
    const def = validateChannel(input, options.checkUrl);
    return {
      name: def.name,
      kind: def.kind,
      url: def.url,
      email: (def.email ?? undefined) as Prisma.InputJsonValue | undefined,
      events: def.events,
      labels: def.labels,
      isDefault: def.isDefault,
      remindEveryMinutes: def.remindEveryMinutes,
      groupWindowSeconds: def.groupWindowSeconds,
      rateLimitPerMinute: def.rateLimitPerMinute,
      ...(def.secret === undefined ? {} : { secret: def.secret === null ? null : secrets.seal(def.secret, id) }),
    };
  };

  return {
    validate: (input) => validateChannel(input, options.checkUrl),
    list: () => prisma.notificationChannel.findMany({ orderBy: { name: 'asc' } }),
    get: (id) => prisma.notificationChannel.findUnique({ where: { id } }),

    async create(input, marks) {
      const id = crypto.randomUUID();
      const fields = data(input, id);
      if (fields.kind === 'PAGERDUTY' && !fields.secret)
        throw new ValidationError('secret', 'a PAGERDUTY channel needs its routing key');
      try {
        return await prisma.notificationChannel.create({ data: { id, ...fields, ...marksData(marks) } });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(fields.name);
        throw err;
      }
    },

    async update(id, input, marks) {
      const fields = data(input, id);
      await protect(id);
      try {
        return await prisma.notificationChannel.update({
          where: { id },
          data: { ...fields, email: fields.email ?? Prisma.DbNull, ...marksData(marks) },
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(fields.name);
        if (isMissing(err)) throw notFound(id);
        throw err;
      }
    },

    async delete(id) {
      await protect(id);
      try {
        return await prisma.notificationChannel.delete({ where: { id } });
      } catch (err) {
        if (isMissing(err)) throw notFound(id);
        throw err;
      }
    },

    secretOf: (row) => (row.secret === null ? null : secrets.open(row.secret, row.id)),
    within: (tx) => createChannelStore({ ...options, prisma: tx, protectManaged: undefined }),

    async test(id) {
      const at = options.now();
      const claimedUntil = new Date(at.getTime() + CLAIM_MS);
      // Created already claimed by this process (attempt 1), so the send below is the only one now;
      // a failure that can be retried stays PENDING for the outbox like any other delivery.
      const rows = await prisma.$queryRawUnsafe<ClaimedDelivery[]>(
        `INSERT INTO "NotificationDelivery" ("id", "channelId", "event", "status", "attempts", "createdAt", "nextAttemptAt", "claimToken", "claimedUntil")
         SELECT ${deliveryId('$2::float8', 'gen_random_uuid()::text')}, c."id", 'TEST', 'PENDING', 1, to_timestamp($2::float8 / 1000.0),
           to_timestamp($2::float8 / 1000.0), $3, $4
         FROM "NotificationChannel" c WHERE c."id" = $1
         RETURNING "id", "channelId", 'TEST' AS event, "attempts", "createdAt", "summary", 0 AS "groupWindowSeconds", 0 AS "rateLimitPerMinute"`,
        id,
        at.getTime(),
        options.outbox.token,
        claimedUntil,
      );
      const claim = rows[0];
      if (!claim) throw notFound(id);
      await options.outbox.sendClaimed(claim);
      return claim.id;
    },
  };
}
