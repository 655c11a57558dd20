import type { ProbeResult } from '../probe/prober.js';
import { checkStatusOf, type ServiceState, type ServiceStatus } from './service-state.js';

/** What one check found: the probe's result. */
export type CheckOutcome = ProbeResult;

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

export interface Transition {
  previous: ServiceStatus;
  current: ServiceStatus;
  at: Date;
  /** Why: the failure or slowness that caused it, or what the recovering check saw. */
  message: string | null;
}

/** A maintenance window, as the judge needs it. */
export interface MaintenanceRef {
  id: string;
  name: string;
}

/** What else decides the status shown, besides the checks. */
export interface JudgeContext {
  /** The maintenance window in force for the service, if any. */
  maintenance?: MaintenanceRef | null;
}

export interface Judgement {
  state: ServiceState;
  transition: Transition | null;
}

/**
 * The state machine. The first result leaves UNKNOWN at once (UP, DEGRADED or DOWN);
 * `failureThreshold` consecutive failures take UP or DEGRADED to DOWN; `successThreshold`
 * consecutive passes take DOWN back to UP, or to DEGRADED when the last pass was slow. Between
 * UP and DEGRADED a passing check moves at once: both are passing, the latency decides which.
 * A paused service is not judged: its checks are not run and in-flight results are discarded.
 * The thresholds always run on what the checks say (`checkStatus`); `shownStatus` then puts
 * maintenance over it.
 */
export function judge(
  state: ServiceState,
  outcome: CheckOutcome,
  thresholds: Thresholds,
  now: Date,
  context: JudgeContext = {},
): Judgement {
  const consecutiveFailures = outcome.ok ? 0 : state.consecutiveFailures + 1;
  const consecutiveSuccesses = outcome.ok ? state.consecutiveSuccesses + 1 : 0;
  const checked = nextStatus(checkStatusOf(state), outcome, consecutiveFailures, consecutiveSuccesses, thresholds);
  const status = shownStatus(checked, context);
  const next: ServiceState = {
    status,
    since: status === state.status ? state.since : now,
    lastCheckedAt: now,
    latencyMs: outcome.latencyMs,
    httpStatus: outcome.httpStatus,
    // A passing check may carry a note (e.g. a TLS check's protocol, cipher and expiry); HTTP has none.
    message: outcome.message,
    reason: outcome.ok ? null : outcome.reason,
    consecutiveFailures,
    consecutiveSuccesses,
    certificateExpiresAt: outcome.certificateExpiresAt ?? state.certificateExpiresAt,
    ...overlaid(status, checked, context),
  };
  const transition =
    status === state.status
      ? null
      : {
          previous: state.status,
          current: status,
          at: now,
          message: status === 'MAINTENANCE' ? maintenanceMessage(context.maintenance!) : transitionMessage(outcome),
        };
  return { state: next, transition };
}

/**
 * The status shown over what the checks say. MAINTENANCE wins over every other status (a paused
 * service stays PAUSED: it is not checked at all).
 */
export function shownStatus(checked: ServiceStatus, context: JudgeContext): ServiceStatus {
  if (context.maintenance && checked !== 'PAUSED') return 'MAINTENANCE';
  return checked;
}

/** The fields that say what is hidden under the shown status, when something is. */
function overlaid(
  status: ServiceStatus,
  checked: ServiceStatus,
  context: JudgeContext,
): Pick<ServiceState, 'checkStatus' | 'maintenance'> {
  if (status === checked) return {};
  return { checkStatus: checked, ...(status === 'MAINTENANCE' ? { maintenance: context.maintenance!.id } : {}) };
}

const maintenanceMessage = (window: MaintenanceRef) => `maintenance window "${window.name}" in force`;

/**
 * A maintenance window started (`window`) or ended (null) for a service, between checks: the
 * service shows MAINTENANCE, or goes back to what its checks say (UNKNOWN when none ran since),
 * with a transition either way. A paused service is left alone.
 */
export function maintenanceTransition(state: ServiceState, window: MaintenanceRef | null, now: Date): Judgement {
  const checked = checkStatusOf(state);
  const status = shownStatus(checked, { maintenance: window });
  const { checkStatus: _, maintenance: __, ...plain } = state;
  const next: ServiceState = { ...plain, status, ...overlaid(status, checked, { maintenance: window }) };
  if (status === state.status) return { state: next, transition: null };
  const ended = state.status === 'MAINTENANCE' && status !== 'MAINTENANCE';
  return {
    state: { ...next, since: now },
    transition: {
      previous: state.status,
      current: status,
      at: now,
      message: window
        ? maintenanceMessage(window)
        : `maintenance ended${ended && state.message && checked !== 'UP' ? `: ${state.message}` : ''}`,
    },
  };
}

function nextStatus(
  current: ServiceStatus,
  outcome: CheckOutcome,
  failures: number,
  successes: number,
  { failureThreshold, successThreshold }: Thresholds,
): ServiceStatus {
  if (current === 'PAUSED') return 'PAUSED';
  if (!outcome.ok) {
    if (current === 'UNKNOWN' || failures >= failureThreshold) return 'DOWN';
    return current;
  }
  const passing: ServiceStatus = outcome.degraded ? 'DEGRADED' : 'UP';
  if (current === 'DOWN' && successes < successThreshold) return 'DOWN';
  return passing;
}

function transitionMessage(outcome: CheckOutcome): string | null {
  if (!outcome.ok || outcome.degraded) return outcome.message;
  const latency = `${Math.round(outcome.latencyMs)} ms`;
  return outcome.httpStatus === null ? `passed in ${latency}` : `HTTP ${outcome.httpStatus} in ${latency}`;
}

/** Operator actions are transitions too: PAUSED on pause, back to UNKNOWN on resume. */
export function operatorTransition(state: ServiceState, paused: boolean, now: Date): Judgement {
  const status: ServiceStatus = paused ? 'PAUSED' : 'UNKNOWN';
  if (state.status === status) return { state, transition: null };
  const { checkStatus: _, maintenance: __, ...plain } = state;
  return {
    state: {
      ...plain,
      status,
      since: now,
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      message: null,
      reason: null,
    },
    transition: {
      previous: state.status,
      current: status,
      at: now,
      message: paused ? 'paused by an operator' : 'resumed by an operator',
    },
  };
}
