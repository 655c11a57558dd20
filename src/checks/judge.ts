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

export interface Judgement {
  state: ServiceState;
  transition: Transition | null;
}

/** A maintenance window, as the judge needs it. */
export interface MaintenanceRef {
  id: string;
  name: string;
}

/** What the judge needs to know beyond the service's own checks. */
export interface JudgeContext {
  /** The deepest DOWN service this one depends on (checks/dependencies.ts), or null: none is DOWN. */
  rootCause?: string | null;
  /** The maintenance window in force for the service, if any. */
  maintenance?: MaintenanceRef | null;
}

/**
 * The state machine. The first result leaves UNKNOWN at once (UP, DEGRADED or DOWN);
 * `failureThreshold` consecutive failures take UP or DEGRADED to DOWN; `successThreshold`
 * consecutive passes take DOWN back to UP, or to DEGRADED when the last pass was slow. Between
 * UP and DEGRADED a passing check moves at once: both are passing, the latency decides which.
 * A paused service is not judged: its checks are not run and in-flight results are discarded.
 * A failing service whose `context.rootCause` is set (a service it depends on is DOWN) is
 * UNREACHABLE instead of DOWN; once none is, its next failing check makes it DOWN.
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
  const rootCause = context.rootCause ?? null;
  // Failing while a service it depends on is DOWN: UNREACHABLE, not DOWN.
  const own: ServiceStatus = checked === 'DOWN' && rootCause !== null ? 'UNREACHABLE' : checked;
  const status = shownStatus(own, context);
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
    rootCause: own === 'UNREACHABLE' ? (rootCause ?? state.rootCause ?? null) : null,
    ...(outcome.assertions === undefined ? {} : { assertions: outcome.assertions }),
    ...(outcome.phases === undefined ? {} : { phases: outcome.phases }),
    ...overlaid(status, own, context),
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
    // An UNREACHABLE service's failures are its own again: DOWN, unless judge() finds a root cause.
    if (current === 'UNKNOWN' || current === 'UNREACHABLE' || failures >= failureThreshold) return 'DOWN';
    return current;
  }
  const passing: ServiceStatus = outcome.degraded ? 'DEGRADED' : 'UP';
  // Recovering takes successThreshold passes, from UNREACHABLE as from DOWN.
  if ((current === 'DOWN' || current === 'UNREACHABLE') && successes < successThreshold) return current;
  return passing;
}

function transitionMessage(outcome: CheckOutcome): string | null {
  if (!outcome.ok || outcome.degraded) return outcome.message;
  if (outcome.summary !== undefined) return outcome.summary;
  const latency = `${Math.round(outcome.latencyMs)} ms`;
  return outcome.httpStatus === null ? `passed in ${latency}` : `HTTP ${outcome.httpStatus} in ${latency}`;
}

/**
 * A service it depends on changed, without a check of its own: a DOWN service whose ancestor is now
 * DOWN becomes UNREACHABLE (it failed a moment before its parent did), and an UNREACHABLE one
 * takes the deepest DOWN ancestor as its root cause. Recovery is left to its next checks.
 */
export function dependencyJudgement(state: ServiceState, rootCause: string | null, now: Date): Judgement {
  if (state.status === 'MAINTENANCE') {
    // Under maintenance nothing shows; what the checks say underneath follows the dependency.
    const own = dependencyJudgement({ ...state, status: checkStatusOf(state) }, rootCause, now).state;
    return { state: { ...own, status: 'MAINTENANCE', since: state.since, checkStatus: own.status }, transition: null };
  }
  if (rootCause === null || (state.status !== 'DOWN' && state.status !== 'UNREACHABLE')) {
    return { state, transition: null };
  }
  if (state.status === 'UNREACHABLE') {
    return { state: state.rootCause === rootCause ? state : { ...state, rootCause }, transition: null };
  }
  return {
    state: { ...state, status: 'UNREACHABLE', since: now, rootCause },
    transition: {
      previous: 'DOWN',
      current: 'UNREACHABLE',
      at: now,
      message: 'a service it depends on is DOWN or in maintenance',
    },
  };
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
      rootCause: null,
    },
    transition: {
      previous: state.status,
      current: status,
      at: now,
      message: paused ? 'paused by an operator' : 'resumed by an operator',
    },
  };
}
