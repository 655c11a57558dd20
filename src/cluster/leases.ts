import { randomUUID } from 'node:crypto';
import { singleFlight } from '../single-flight.js';
import { dropLeases, type LeaseOptions, type LeaseState, leaseRound, leaseRoundFailed } from './lease-round.js';
import { forgetLongGoneReplicas, leaveCluster } from './lease-sql.js';
import type { Ownership } from './ownership.js';

export type { LeaseOptions } from './lease-round.js';

/**
 * Work partitioning through PostgreSQL leases, on the database clock: each round a replica
 * announces itself, renews what it holds, gives back what exceeds its fair share, and claims free
 * or expired services with SELECT ... FOR UPDATE SKIP LOCKED. No session advisory locks (they
 * break with pooled connections): every statement stands on its own.
 */
export function createLeaseOwnership(options: LeaseOptions): Ownership {
  const { prisma, replicaId } = options;
  const log = options.logger.child({ component: 'leases', replicaId });
  const state: LeaseState = {
    options,
    log,
    instance: randomUUID(),
    held: new Map(),
    validUntil: 0,
    databaseUnreachable: false,
    recovering: false,
  };
  const held = state.held;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const rounds = singleFlight({
    pass: async () => {
      await leaseRound(state);
      state.recovering = false;
    },
    passAgain: () => !stopped,
    failed: (err) => leaseRoundFailed(state, err),
  });

  return {
    owns: (serviceId) => held.has(serviceId),
    // While the database is unreachable nobody can take a lease over, so what we hold stays ours.
    accepts: (serviceId) => held.has(serviceId) && (state.databaseUnreachable || performance.now() < state.validUntil),
    fenceOf: (serviceId) => held.get(serviceId) ?? null,
    claimSoon() {
      if (!stopped) void rounds.run();
    },
    get owned() {
      return held.size;
    },
    start() {
      void forgetLongGoneReplicas(prisma).catch((err: unknown) =>
        log.debug({ err }, 'could not clean up old replica rows'),
      );
      void rounds.run();
      timer = setInterval(() => void rounds.run(), options.periodMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await rounds.current?.catch(() => undefined);
      const ids = [...held.keys()];
      await options.beforeRelease?.();
      try {
        await leaveCluster(prisma, replicaId);
        log.info({ released: ids.length }, 'leases released');
      } catch (err) {
        log.warn({ err }, 'could not release leases; they expire on their own');
      }
      dropLeases(state, ids, 'released');
    },
  };
}
