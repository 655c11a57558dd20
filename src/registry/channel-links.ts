import type { Prisma } from '../generated/prisma/client.js';
import { ValidationError } from './errors.js';

/** The channels a service names by id, besides those its labels and the defaults route it to. */
export interface ServiceLinks {
  /** Undefined leaves the links as they are (on update); null or [] removes them all. */
  notificationChannelIds?: string[] | null;
}

export const MAX_NOTIFICATION_CHANNELS = 50;
const FIELD = 'notificationChannelIds';

/**
 * The nested write of a service's channel links, after checking that each named channel exists
 * (the error names the entry). `create` for a new service, `replace` for an update.
 */
export async function channelLinkWrite(
  prisma: Prisma.TransactionClient,
  ids: string[] | null | undefined,
  mode: 'create' | 'replace',
) {
  if (ids === undefined) return {};
  const unique = [...new Set(ids ?? [])];
  if (unique.length > MAX_NOTIFICATION_CHANNELS) {
    throw new ValidationError(FIELD, `at most ${MAX_NOTIFICATION_CHANNELS} channels`);
  }
  if (unique.length > 0) {
    const found = await prisma.notificationChannel.findMany({ where: { id: { in: unique } }, select: { id: true } });
    const known = new Set(found.map((row) => row.id));
    const missing = (ids ?? []).findIndex((id) => !known.has(id));
    if (missing >= 0) throw new ValidationError(`${FIELD}[${missing}]`, 'no notification channel with this id');
  }
  const create = unique.map((channelId) => ({ channelId }));
  return {
    notificationChannels: mode === 'create' ? { create } : { deleteMany: {}, create },
  };
}

/** Marks a foreign-key violation on the link table (a channel deleted meanwhile) as bad input. */
export function channelLinkViolation(): ValidationError {
  return new ValidationError(FIELD, 'a named notification channel no longer exists');
}
