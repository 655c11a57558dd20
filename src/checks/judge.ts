import type { ProbeResult } from '../probe/prober.js';
import type { ServiceState, ServiceStatus } from './service-state.js';

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

/** What the judge needs to know beyond the service's own checks. */
export interface JudgeContext {
  /** The deepest DOWN service this one depends on (checks/dependencies.ts), or null: none is DOWN. */
  rootCause?: string | null;
}

/**
 * The state machine. The first result leaves UNKNOWN at once (UP, DEGRADED or DOWN);
 * `failureThreshold` consecutive failures take UP or DEGRADED to DOWN; `successThreshold`
 * consecutive passes take DOWN back to UP, or to DEGRADED when the last pass was slow. Between
 * UP and DEGRADED a passing check moves at once: both are passing, the latency decides which.
 * A paused service is not judged: its checks are not run and in-flight results are discarded.
 * A failing service whose `context.rootCause` is set (a service it depends on is DOWN) is
 * UNREACHABLE instead of DOWN; once none is, its next failing check makes it DOWN.
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
  const checked = nextStatus(state.status, outcome, consecutiveFailures, consecutiveSuccesses, thresholds);
  const rootCause = context.rootCause ?? null;
  // Failing while a service it depends on is DOWN: UNREACHABLE, not DOWN.
  const status: ServiceStatus = checked === 'DOWN' && rootCause !== null ? 'UNREACHABLE' : checked;
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
    rootCause: status === 'UNREACHABLE' ? (rootCause ?? state.rootCause ?? null) : null,
    ...(outcome.assertions === undefined ? {} : { assertions: outcome.assertions }),
  };
  const transition =
    status === state.status
      ? null
      : { previous: state.status, current: status, at: now, message: transitionMessage(outcome) };
  return { state: next, transition };
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
  const latency = `${Math.round(outcome.latencyMs)} ms`;
  return outcome.httpStatus === null ? `passed in ${latency}` : `HTTP ${outcome.httpStatus} in ${latency}`;
}

/**
 * A service it depends on changed, without a check of its own: a DOWN service whose ancestor is now
 * DOWN becomes UNREACHABLE (it failed a moment before its parent did), and an UNREACHABLE one
 * takes the deepest DOWN ancestor as its root cause. Recovery is left to its next checks.
 */
export function dependencyJudgement(state: ServiceState, rootCause: string | null, now: Date): Judgement {
  if (rootCause === null || (state.status !== 'DOWN' && state.status !== 'UNREACHABLE')) {
    return { state, transition: null };
  }
  if (state.status === 'UNREACHABLE') {
    return { state: state.rootCause === rootCause ? state : { ...state, rootCause }, transition: null };
  }
  return {
    state: { ...state, status: 'UNREACHABLE', since: now, rootCause },
    transition: { previous: 'DOWN', current: 'UNREACHABLE', at: now, message: 'a service it depends on is DOWN' },
  };
}

/** Operator actions are transitions too: PAUSED on pause, back to UNKNOWN on resume. */
export function operatorTransition(state: ServiceState, paused: boolean, now: Date): Judgement {
  const status: ServiceStatus = paused ? 'PAUSED' : 'UNKNOWN';
  if (state.status === status) return { state, transition: null };
  return {
    state: {
      ...state,
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
