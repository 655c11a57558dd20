import type { OwnershipEvents } from './ownership.js';

/** What the ownership asks of parts that are built after it (the monitor, the history). */
export interface OwnershipHandlers extends OwnershipEvents {
  /** Writes what was recorded under leases about to be given up. */
  beforeRelease(): Promise<void>;
}

/**
 * The ownership is built before the history and the monitor (both consult it), yet its events
 * reach them. It is given this seam's callbacks, and the composition root connects the handlers
 * once those parts exist. Nothing fires before the ownership starts, which is after `connect`.
 */
export interface OwnershipSeam {
  readonly events: OwnershipEvents;
  readonly beforeRelease: () => Promise<void>;
  connect(handlers: OwnershipHandlers): void;
}

export function createOwnershipSeam(): OwnershipSeam {
  let connected: OwnershipHandlers | undefined;
  const handlers = (): OwnershipHandlers => {
    if (!connected)
      throw new Error('ownership event before its handlers were connected (start the ownership after connect)');
    return connected;
  };
  return {
    events: {
      acquired: (ids) => handlers().acquired(ids),
      lost: (ids) => handlers().lost(ids),
    },
    beforeRelease: () => handlers().beforeRelease(),
    connect(next) {
      if (connected) throw new Error('ownership handlers are already connected');
      connected = next;
    },
  };
}
