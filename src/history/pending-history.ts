import type { StatusCache } from '../checks/status-cache.js';
import type { PendingState, PendingTransition } from './history-sql.js';
import { type Rollup, RollupBuffer } from './rollup-buffer.js';

/** What one write takes out of the buffer, and gives back whole if it fails. */
export interface HistoryBatch {
  transitions: PendingTransition[];
  /** The services whose state is written, with the lease token it changed under. */
  stateIds: Map<string, string | null>;
  states: PendingState[];
  rollups: Rollup[];
}

/** Transitions, last-known states and per-minute rollups recorded and not yet written. */
export class PendingHistory {
  readonly rollups = new RollupBuffer();
  private transitions: PendingTransition[] = [];
  /** Services whose state changed since the last write, with the lease token it changed under. */
  private dirtyStates = new Map<string, string | null>();

  get hasTransitions(): boolean {
    return this.transitions.length > 0;
  }

  counts(): { transitions: number; states: number; rollups: number } {
    return { transitions: this.transitions.length, states: this.dirtyStates.size, rollups: this.rollups.size };
  }

  stateChanged(serviceId: string, fence: string | null): void {
    this.dirtyStates.set(serviceId, fence);
  }

  transition(transition: PendingTransition): void {
    this.transitions.push(transition);
  }

  forget(serviceId: string): void {
    this.rollups.forget(serviceId);
    this.dirtyStates.delete(serviceId);
    this.transitions = this.transitions.filter((t) => t.serviceId !== serviceId);
  }

  /** Everything pending, with each changed service's state as the cache holds it now. */
  take(cache: StatusCache, at: number): HistoryBatch {
    const transitions = this.transitions;
    this.transitions = [];
    const stateIds = this.dirtyStates;
    this.dirtyStates = new Map();
    const states: PendingState[] = [];
    for (const [serviceId, fence] of stateIds) {
      const state = cache.get(serviceId);
      if (state) states.push({ serviceId, state, at, fence });
    }
    return { transitions, stateIds, states, rollups: this.rollups.take() };
  }

  /** A write failed: its rows go back in front of what was recorded meanwhile. */
  giveBack(batch: HistoryBatch): void {
    this.transitions = batch.transitions.concat(this.transitions);
    for (const [id, fence] of batch.stateIds) if (!this.dirtyStates.has(id)) this.dirtyStates.set(id, fence);
    this.rollups.failed();
  }

  /** Drops the oldest rows beyond the bounds; says how many went. */
  dropBeyond(
    maxRollups: number,
    maxTransitions: number,
  ): { rollups: { rows: number; checks: number }; transitions: number } {
    const rollups = this.rollups.dropOldest(maxRollups);
    const transitions = Math.max(0, this.transitions.length - maxTransitions);
    if (transitions > 0) this.transitions = this.transitions.slice(transitions);
    return { rollups, transitions };
  }
}
