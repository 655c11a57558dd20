import type { ServiceStatus } from '../checks/service-state.js';
import type { PrismaClient } from '../db/database.js';

/** A stored transition, as a replay hands it out. */
export interface StoredTransition {
  id: string;
  serviceId: string;
  previous: ServiceStatus;
  current: ServiceStatus;
  at: Date;
  message: string | null;
}

/**
 * Stored transitions after `afterId` (UUIDv7 ids sort by time, so "after" is "later"), oldest
 * first, of the given services or all. One indexed range read per page.
 */
export function transitionsAfter(
  prisma: PrismaClient,
  afterId: string,
  serviceIds: ReadonlySet<string> | null,
  limit: number,
): Promise<StoredTransition[]> {
  return prisma.statusChange.findMany({
    where: { id: { gt: afterId }, ...(serviceIds ? { serviceId: { in: [...serviceIds] } } : {}) },
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true, serviceId: true, previous: true, current: true, at: true, message: true },
  });
}

/** The newest stored transition's id, or null when none is stored. */
export async function newestTransitionId(prisma: PrismaClient): Promise<string | null> {
  const row = await prisma.statusChange.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
  return row?.id ?? null;
}
