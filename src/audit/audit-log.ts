import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { uuidv7 } from '../uuidv7.js';

/** Who did it: a token's name, or one of these. */
export const ACTOR_ENVIRONMENT_TOKEN = 'environment token';
export const ACTOR_CONFIG_FILE = 'config file';
/** A server without tokens: whoever reached it. */
export const ACTOR_ANONYMOUS = 'anonymous';

/** Longest summary kept; a longer one is cut with an ellipsis. */
export const MAX_SUMMARY_LENGTH = 2_000;

export interface AuditRecord {
  actor: string;
  /** What was done: a mutation's name (`updateService`), or a config action (`config.UPDATE`). */
  operation: string;
  /** What it was done to, for a person: `service "api"`; null when it concerns nothing in particular. */
  target?: string | null;
  /** What changed, without any secret value (the names of the fields, not what they hold). */
  summary: string;
  /** Defaults to now. */
  at?: Date;
}

export interface AuditEntryRow {
  id: string;
  at: Date;
  actor: string;
  operation: string;
  target: string | null;
  summary: string;
}

/** The subset of a Prisma client (or of an interactive transaction) an audit write needs. */
export type AuditWriter = Pick<PrismaClient, 'auditEntry'>;

/**
 * Records one entry. Pass the transaction client of the change itself (`prisma.$transaction(async
 * (tx) => { …; await recordAudit(tx, {...}) })`) so the entry is written with it or not at all.
 */
export async function recordAudit(db: AuditWriter, record: AuditRecord): Promise<AuditEntryRow> {
  return db.auditEntry.create({ data: entryData(record) });
}

/** Records many entries in one statement (an applied config's changes), in their order. */
export async function recordAudits(db: AuditWriter, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.auditEntry.createMany({ data: records.map(entryData) });
}

function entryData(record: AuditRecord) {
  const at = record.at ?? new Date();
  const summary =
    record.summary.length > MAX_SUMMARY_LENGTH ? `${record.summary.slice(0, MAX_SUMMARY_LENGTH - 1)}…` : record.summary;
  return {
    id: uuidv7(at.getTime()),
    at,
    actor: record.actor,
    operation: record.operation,
    target: record.target ?? null,
    summary,
  };
}

export interface AuditLog {
  record(record: AuditRecord): Promise<AuditEntryRow>;
  /** Records, and logs (never throws) when the database refuses: for changes already made. */
  tryRecord(record: AuditRecord): Promise<void>;
  /** Newest first; `afterId` is the id of the last entry of the previous page. */
  page(limit: number, afterId?: string | null): Promise<AuditEntryRow[]>;
  count(): Promise<number>;
}

export function createAuditLog(prisma: PrismaClient, now: () => Date = () => new Date(), logger?: Logger): AuditLog {
  const record = (entry: AuditRecord) => recordAudit(prisma, { at: now(), ...entry });
  return {
    record,
    async tryRecord(entry) {
      try {
        await record(entry);
      } catch (err) {
        logger?.error({ err, operation: entry.operation, actor: entry.actor }, 'audit entry not written');
      }
    },
    page: (limit, afterId) =>
      prisma.auditEntry.findMany({
        where: afterId ? { id: { lt: afterId } } : undefined,
        orderBy: { id: 'desc' },
        take: limit,
      }),
    count: () => prisma.auditEntry.count(),
  };
}
