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
