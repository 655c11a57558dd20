import type { AssertionResult } from '../probe/assert/assertion.js';
import type { CheckFailureReason, CheckPhases } from '../probe/prober.js';

export const SERVICE_STATUSES = ['UNKNOWN', 'UP', 'DEGRADED', 'DOWN', 'PAUSED', 'UNREACHABLE', 'MAINTENANCE'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** The current view of one service's health, as held in the status cache. */
export interface ServiceState {
  status: ServiceStatus;
  /** When the current status began. */
  since: Date | null;
  lastCheckedAt: Date | null;
  latencyMs: number | null;
  httpStatus: number | null;
  message: string | null;
  reason: CheckFailureReason | null;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  certificateExpiresAt: Date | null;
  /** Changed status more than 5 times in 10 minutes, and not stable for 5 since (checks/flap-detector.ts). */
  flapping?: boolean;
  /** HEARTBEAT: the last ping (success or failure); the next deadline is computed from it. */
  lastPingAt?: Date | null;
  /** HEARTBEAT: when the run in progress started (/start), until its ping. */
  runStartedAt?: Date | null;
  /** UNREACHABLE only: the id of the deepest DOWN service it depends on (checks/dependencies.ts). */
  rootCause?: string | null;
  /** The last check's assertions, in order, with what was found (absent: none were evaluated). */
  assertions?: readonly AssertionResult[];
  /** Where the time of the last check went (absent: not measured). */
  phases?: CheckPhases;
  /**
   * What the checks say while another status is shown over it (MAINTENANCE): thresholds keep
   * counting on it, and it is the status the service returns to. Absent: `status` is what they say.
   */
  checkStatus?: ServiceStatus;
  /** The id of the maintenance window in force, while the status is MAINTENANCE. */
  maintenance?: string | null;
  /**
   * Orders the states of one service across replicas (see `nextVersion`): a state is only ever
   * replaced by one with a higher version. Absent: not versioned (a state not judged yet).
   */
  version?: number;
}

/**
 * The version of a state the process that judges the service writes now: a hybrid logical clock
 * in microseconds, above the previous version (so one process never goes backwards, whatever its
 * clock does) and above the wall-clock time (so a replica that takes a service over, having seen
 * the last owner's states, stamps its own above them). Other replicas hear a service's states
 * through more than one path (statusChanged at once, checkCompleted in batches, the database on
 * a resync), in any order; the version is what tells them which is the latest.
 */
export function nextVersion(previous: ServiceState | undefined, at: Date): number {
  return Math.max((previous?.version ?? 0) + 1, at.getTime() * 1000);
}

/** Whether `next` may replace `current`: newer by version, or either is not versioned. */
export function supersedes(next: ServiceState, current: ServiceState | undefined): boolean {
  if (!current?.version || !next.version) return true;
  return next.version > current.version;
}

/** What the checks of a service say, whatever is shown over it (UNKNOWN: nothing since it was hidden). */
export function checkStatusOf(state: ServiceState): ServiceStatus {
  return state.checkStatus ?? (state.status === 'MAINTENANCE' ? 'UNKNOWN' : state.status);
}

export function initialState(paused: boolean, now: Date): ServiceState {
  return {
    status: paused ? 'PAUSED' : 'UNKNOWN',
    since: now,
    lastCheckedAt: null,
    latencyMs: null,
    httpStatus: null,
    message: null,
    reason: null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    certificateExpiresAt: null,
  };
}
