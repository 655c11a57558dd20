import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { createLeaseOwnership } from './leases.js';
import { createNoOwnership, createSoleOwnership, type Ownership, type OwnershipEvents } from './ownership.js';

export interface OwnershipSettings {
  db: Database;
  schedulerEnabled: boolean;
  replicaId: string | undefined;
  leaseTtlMs: number;
  events: OwnershipEvents;
  beforeRelease: () => Promise<void>;
  onChurn: (kind: 'acquired' | 'lost' | 'released', count: number) => void;
  logger: Logger;
}

/**
 * An API-only process checks nothing; the embedded database has one process, which checks
 * everything; on PostgreSQL, replicas share the services through leases.
 */
export function createOwnership(settings: OwnershipSettings): { ownership: Ownership; replicaId: string } {
  const replicaId = settings.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!settings.schedulerEnabled) return { ownership: createNoOwnership(), replicaId };
  if (settings.db.kind === 'embedded') return { ownership: createSoleOwnership(), replicaId };
  const ttlMs = settings.leaseTtlMs;
  return {
    replicaId,
    ownership: createLeaseOwnership({
      prisma: settings.db.prisma,
      replicaId,
      ttlMs,
      periodMs: Math.max(250, Math.floor(ttlMs / 6)),
      events: settings.events,
      beforeRelease: settings.beforeRelease,
      onChurn: settings.onChurn,
      logger: settings.logger,
    }),
  };
}
