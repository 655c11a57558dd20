import { isDatabaseUnavailable } from '../db/availability.js';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { settlesWithin } from '../timeouts.js';
import {
  announceReplica,
  claimLeases,
  countReplicasAndServices,
  leasesOf,
  releaseLeases,
  releasePausedLeases,
} from './lease-sql.js';
import type { OwnershipEvents } from './ownership.js';

export interface LeaseOptions {
  prisma: PrismaClient;
  /** Unique per process. */
  replicaId: string;
  /** How long a replica may stay silent before the others take its services over. */
  ttlMs: number;
  /** How often leases are renewed and free services claimed (a third of the TTL or less). */
  periodMs: number;
  events: OwnershipEvents;
  /** Runs before leases are given up, so that what was recorded under them is written first. */
  beforeRelease?: () => Promise<void>;
  logger: Logger;
  onChurn?: (kind: 'acquired' | 'lost' | 'released', count: number) => void;
}

/** What a replica knows of its leases between rounds. */
export interface LeaseState {
  readonly options: LeaseOptions;
  readonly log: Logger;
  /** Tells this process from an earlier one with the same replica id. */
  readonly instance: string;
  /** Service id → lease token, of the leases held. */
  readonly held: Map<string, string>;
  /** Until when (performance.now()) the leases are known valid: set from each successful renewal. */
  validUntil: number;
  /** The last round could not reach the database: keep checking what we hold (nobody can take it). */
  databaseUnreachable: boolean;
  /** The previous round failed: take nothing over this round (see `claimShare`). */
  recovering: boolean;
}

/** Replicas stop trusting a lease this long before the database would let others take it. */
const SAFETY_MARGIN_MS = 500;
/** A replica may hold this many services above its fair share before it gives some back. */
const SHARE_SLACK = 1;
/**
 * How long a round waits for history to be written before it gives leases back, as a share of the
 * TTL: the round must end in time to renew. An overloaded replica can take tens of seconds to
 * flush; waiting for it stopped its renewals, the others took everything over, and the services
 * flipped between replicas without ever being shared. What is still unwritten is fenced out.
 */
const RELEASE_WAIT_TTL_SHARE = 1 / 3;

/**
 * One round: announce this replica (which renews everything it holds), drop what others took,
 * give back what exceeds the fair share, and claim free or expired services up to it.
 */
export async function leaseRound(state: LeaseState): Promise<void> {
  const startedAt = performance.now();
  await heartbeat(state);
  await dropLost(state);
  // Only now, with what was taken over dropped, may results be accepted again: vouching for the
  // leases at the heartbeat would let a replica waking from a pause record, for a moment, results
  // of services that are no longer its own.
  state.validUntil = startedAt + state.options.ttlMs - SAFETY_MARGIN_MS;
  state.databaseUnreachable = false;
  const { share, replicas } = await fairShare(state);
  if (state.held.size > share + SHARE_SLACK) await giveBackExcess(state, share);
  await claimShare(state, share, replicas);
}

/** After a failed round: take nothing over next round; keep checking what is held if the database is out. */
export function leaseRoundFailed(state: LeaseState, err: unknown): void {
  state.recovering = true;
  if (!isDatabaseUnavailable(err)) {
    state.log.error({ err }, 'lease round failed');
    return;
  }
  if (!state.databaseUnreachable) {
    state.log.warn(
      { err, held: state.held.size },
      'lease round failed: database unreachable; still checking the services held',
    );
  }
  state.databaseUnreachable = true;
}

/** Forgets leases no longer held, and tells whoever checks their services. */
export function dropLeases(state: LeaseState, ids: string[], kind: 'lost' | 'released'): void {
  if (ids.length === 0) return;
  for (const id of ids) state.held.delete(id);
  state.options.onChurn?.(kind, ids.length);
  state.options.events.lost(ids);
}

async function heartbeat(state: LeaseState): Promise<void> {
  const { prisma, replicaId, ttlMs } = state.options;
  if (await announceReplica(prisma, replicaId, state.instance, ttlMs)) return;
  dropLeases(state, [...state.held.keys()], 'lost');
  throw new Error(`REPLICA_ID ${replicaId} is in use by another live process: give every replica its own`);
}

/** Lets go of services paused since; what is still ours is whatever carries our name and token. */
async function dropLost(state: LeaseState): Promise<void> {
  const { prisma, replicaId } = state.options;
  await releasePausedLeases(prisma, replicaId);
  const still = await leasesOf(prisma, replicaId);
  const lost = [...state.held.keys()].filter((id) => still.get(id) !== state.held.get(id));
  dropLeases(state, lost, 'lost');
}

async function fairShare(state: LeaseState): Promise<{ share: number; replicas: number }> {
  const { replicas, services } = await countReplicasAndServices(state.options.prisma, state.options.ttlMs);
  return { share: Math.ceil(services / Math.max(1, replicas)), replicas };
}

/** Gives back the excess so that a replica that just joined gets its part. */
async function giveBackExcess(state: LeaseState, share: number): Promise<void> {
  const { options, log, held } = state;
  const excess = [...held.keys()].slice(share);
  options.events.lost(excess);
  if (!(await settlesWithin(options.beforeRelease?.(), options.ttlMs * RELEASE_WAIT_TTL_SHARE))) {
    log.warn(
      { released: excess.length },
      'history not written in time; giving leases back anyway (the rest is fenced out)',
    );
  }
  await releaseLeases(options.prisma, options.replicaId, excess);
  for (const id of excess) held.delete(id);
  options.onChurn?.('released', excess.length);
}

/**
 * Claims up to the fair share. A lease is taken over only from a replica silent for longer than
 * the TTL. Right after a failed round (a database outage silences every replica) nothing is taken
 * over: every live replica gets one round to announce itself before others may claim what it
 * holds, so no history recorded during the outage is fenced out.
 */
async function claimShare(state: LeaseState, share: number, replicas: number): Promise<void> {
  const { options, log, held } = state;
  const wanted = share - held.size;
  if (wanted <= 0) return;
  const { prisma, replicaId, ttlMs } = options;
  const claimed = await claimLeases(prisma, { replicaId, ttlMs, wanted, takeOver: !state.recovering });
  if (claimed.length === 0) return;
  for (const lease of claimed) held.set(lease.serviceId, lease.token);
  const takeovers = claimed.filter((c) => c.takeover).length;
  options.onChurn?.('acquired', claimed.length);
  log.info({ acquired: claimed.length, takeovers, held: held.size, share, replicas }, 'leases acquired');
  options.events.acquired(claimed.map((c) => c.serviceId));
}
