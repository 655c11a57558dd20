import { setMaxListeners } from 'node:events';
import type { Assertion, Observation } from '../assert/assertion.js';
import type { ObservedResult } from '../assert/verdict.js';
import { type CheckFailureReason, type CheckPhases, noPhases, type ProbeResult } from '../prober.js';

/** Where a socket-based check is: a deadline before `connected` is a CONNECT_TIMEOUT, after it a TIMEOUT. */
export type RunStage = 'connecting' | 'connected';

/** A failure found while checking: thrown inside a run, turned into a result by `runCheck`. */
export class CheckFailure extends Error {
  constructor(
    readonly reason: CheckFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** What a kind's check body sees: one deadline for the whole check, aborted on expiry or by the caller. */
export interface CheckRun {
  /** Aborted at the deadline, when the caller's signal fires, or when the check has settled. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  stage: RunStage;
  /** Milliseconds since the check started. */
  elapsed(): number;
  /**
   * Runs `cleanup` once the check has settled, whatever the outcome (sockets, clients); the last
   * deferred runs first, so a TLS socket is destroyed before the connection under it (the other
   * order crashes Node 20 with a segmentation fault).
   */
  defer(cleanup: () => void): void;
  /** The target asserts something: the kind should fill `observed` (and only then read a body). */
  readonly observing: boolean;
  /** What the check saw, for the assertions; kept whether the check passes or fails. */
  readonly observed: Observation;
  /** Where the time went, filled in by connect, the TLS handshake and the kind's reads. */
  readonly phases: CheckPhases;
}

/** What a passing check reports besides its latency. */
export interface Passed {
  httpStatus?: number | null;
  certificateExpiresAt?: Date | null;
  /** A note for a person even when passing (e.g. the TLS protocol and cipher). */
  message?: string | null;
}

export interface RunLimits {
  timeoutMs: number;
  degradedAboveMs: number | null;
  assertions?: readonly Assertion[];
}

/** Never more than this for one timer: Node clamps larger delays to 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs one check of a socket-based kind under one deadline. The body throws CheckFailure (or any
 * error, classified by `classify`) to fail; whatever it does, the result is data and never throws.
 */
export async function runCheck(
  limits: RunLimits,
  caller: AbortSignal | undefined,
  classify: (err: unknown, run: CheckRun) => CheckFailure,
  body: (run: CheckRun) => Promise<Passed>,
): Promise<ProbeResult> {
  const start = performance.now();
  const elapsed = () => Math.round((performance.now() - start) * 1000) / 1000;
  const { timeoutMs } = limits;
  if (caller?.aborted) return failed(elapsed(), 'NETWORK', 'aborted');
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    return failed(elapsed(), 'NETWORK', `invalid timeout: ${String(timeoutMs)} ms`);
  }
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  const run: CheckRun = {
    signal: controller.signal,
    timeoutMs,
    stage: 'connecting',
    elapsed,
    defer: (cleanup) => cleanups.push(cleanup),
    observing: (limits.assertions?.length ?? 0) > 0,
    observed: {},
    phases: noPhases(),
  };

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<CheckFailure>((resolve) => {
    timer = setTimeout(() => resolve(deadlineFailure(run)), timeoutMs);
    onAbort = () => resolve(new CheckFailure('NETWORK', 'aborted'));
    caller?.addEventListener('abort', onAbort, { once: true });
  });
  const checked = body(run).then(
    (passed) => passed,
    (err: unknown) => (err instanceof CheckFailure ? err : safeClassify(classify, err, run)),
  );
  try {
    const outcome = await Promise.race([checked, interrupted]);
    const latencyMs = elapsed();
    const result: ObservedResult =
      outcome instanceof CheckFailure
        ? failed(latencyMs, outcome.reason, outcome.message)
        : passed(latencyMs, limits.degradedAboveMs, outcome);
    if (run.observing) result.observed = run.observed;
    result.phases = run.phases;
    return result;
  } finally {
    clearTimeout(timer);
    if (onAbort) caller?.removeEventListener('abort', onAbort);
    controller.abort();
    for (const cleanup of cleanups.reverse()) {
      try {
        cleanup();
      } catch {
        // Releasing a resource must not turn a verdict into an exception.
      }
    }
  }
}

function deadlineFailure(run: CheckRun): CheckFailure {
  return run.stage === 'connecting'
    ? new CheckFailure('CONNECT_TIMEOUT', `could not connect within ${run.timeoutMs} ms`)
    : new CheckFailure('TIMEOUT', `timed out after ${run.timeoutMs} ms`);
}

function safeClassify(classify: (err: unknown, run: CheckRun) => CheckFailure, err: unknown, run: CheckRun) {
  try {
    return classify(err, run);
  } catch (bug) {
    return new CheckFailure('NETWORK', `internal error: ${bug instanceof Error ? bug.message : String(bug)}`);
  }
}

function passed(latencyMs: number, degradedAboveMs: number | null, extra: Passed): ProbeResult {
  const degraded = degradedAboveMs !== null && latencyMs > degradedAboveMs;
  const slow = degraded ? `slow: ${Math.round(latencyMs)} ms, above ${degradedAboveMs} ms` : null;
  const note = extra.message ?? null;
  return {
    ok: true,
    degraded,
    latencyMs,
    httpStatus: extra.httpStatus ?? null,
    reason: null,
    message: slow !== null && note !== null ? `${slow} (${note})` : (slow ?? note),
    certificateExpiresAt: extra.certificateExpiresAt ?? null,
  };
}

export function failed(latencyMs: number, reason: CheckFailureReason, message: string): ProbeResult {
  return { ok: false, degraded: false, latencyMs, httpStatus: null, reason, message, certificateExpiresAt: null };
}

/** Lets a prober end the checks it is running on close(): each check's signal also follows this scope. */
export interface CloseScope {
  /** The caller's signal, plus the scope's closing. */
  signal(caller: AbortSignal | undefined): AbortSignal;
  close(): void;
}

export function createCloseScope(): CloseScope {
  const closing = new AbortController();
  // Every running check listens to it (CHECK_CONCURRENCY at once), each until it settles: not a leak.
  setMaxListeners(0, closing.signal);
  return {
    signal: (caller) => (caller ? AbortSignal.any([caller, closing.signal]) : closing.signal),
    close: () => closing.abort(),
  };
}
