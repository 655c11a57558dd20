/**
 * Which services this process checks. One process on the embedded database checks everything;
 * replicas on PostgreSQL share the services through leases (leases.ts).
 */
export interface Ownership {
  /** True while this process should check the service. */
  owns(serviceId: string): boolean;
  /**
   * True when a result of the service may be recorded and published now. Stricter than `owns`:
   * after a pause of the process (SIGSTOP, a long GC) it stays false until the lease is confirmed.
   */
  accepts(serviceId: string): boolean;
  /** The fencing token under which results of the service are written (null: no fencing). */
  fenceOf(serviceId: string): string | null;
  /** Asks for a claim round soon (a service was just registered or resumed here). */
  claimSoon(): void;
  readonly owned: number;
  start(): void;
  stop(): Promise<void>;
}

export interface OwnershipEvents {
  /** These services are now checked here (`takeover`: another replica checked them before). */
  acquired(serviceIds: string[]): void;
  /** These services are no longer checked here. */
  lost(serviceIds: string[]): void;
}

/** One process, everything is its own: the embedded database cannot be shared by replicas. */
export function createSoleOwnership(): Ownership {
  return {
    owns: () => true,
    accepts: () => true,
    fenceOf: () => null,
    claimSoon: () => {},
    owned: Number.POSITIVE_INFINITY,
    start: () => {},
    stop: async () => {},
  };
}

/** An API-only process checks nothing. */
export function createNoOwnership(): Ownership {
  return {
    owns: () => false,
    accepts: () => false,
    fenceOf: () => null,
    claimSoon: () => {},
    owned: 0,
    start: () => {},
    stop: async () => {},
  };
}
