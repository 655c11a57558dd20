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
 * What a run's signal carries once its check has settled: one object for every run, so that
 * settling builds no DOMException (and its stack trace) per check.
 */
const SETTLED = new CheckFailure('NETWORK', 'the check has settled');

/**
 * Runs one check of a socket-based kind under one deadline. The body throws CheckFailure (or any
 * error, classified by `classify`) to fail; whatever it does, the result is data and never throws.
 * The check ends at the deadline, when the caller's signal fires, or when `scope` closes.
 */
export function runCheck(
  limits: RunLimits,
  caller: AbortSignal | undefined,
  classify: (err: unknown, run: CheckRun) => CheckFailure,
  body: (run: CheckRun) => Promise<Passed>,
  scope?: CloseScope,
): Promise<ProbeResult> {
  const start = performance.now();
  const { timeoutMs } = limits;
  if (caller?.aborted || scope?.closed) return Promise.resolve(failed(since(start), 'NETWORK', 'aborted'));
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    return Promise.resolve(failed(since(start), 'NETWORK', `invalid timeout: ${String(timeoutMs)} ms`));
  }
  return new Promise<ProbeResult>((resolve) => {
    const run = new Run(limits, start, caller, scope, resolve);
    const fail = (err: unknown) => run.settle(err instanceof CheckFailure ? err : safeClassify(classify, err, run));
    try {
      body(run).then((passed) => run.settle(passed), fail);
    } catch (err) {
      fail(err);
    }
  });
}

function since(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}

/**
 * One check in progress: its deadline timer, the caller's signal and the scope lead to `settle`,
 * and so does the body; the first wins. The run's own AbortController is made only when a body asks
 * for `signal` (a DNS question over UDP never does), and is aborted when the check settles.
 */
class Run implements CheckRun {
  stage: RunStage = 'connecting';
  readonly observing: boolean;
  readonly observed: Observation = {};
  readonly phases: CheckPhases = noPhases();
  readonly timeoutMs: number;
  private controller: AbortController | null = null;
  private cleanups: (() => void)[] | null = null;
  private readonly timer: NodeJS.Timeout;
  private settled = false;

  constructor(
    private readonly limits: RunLimits,
    private readonly start: number,
    private readonly caller: AbortSignal | undefined,
    private readonly scope: CloseScope | undefined,
    private readonly resolve: (result: ProbeResult) => void,
  ) {
    this.timeoutMs = limits.timeoutMs;
    this.observing = (limits.assertions?.length ?? 0) > 0;
    this.timer = setTimeout(expire, limits.timeoutMs, this);
    caller?.addEventListener('abort', this);
    scope?.add(this);
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  elapsed(): number {
    return since(this.start);
  }

  defer(cleanup: () => void): void {
    if (this.cleanups === null) this.cleanups = [cleanup];
    else this.cleanups.push(cleanup);
  }

  /** The caller's signal fired, or the scope closed. */
  handleEvent(): void {
    this.settle(new CheckFailure('NETWORK', 'aborted'));
  }

  settle(outcome: Passed | CheckFailure): void {
    if (this.settled) return;
    this.settled = true;
    const latencyMs = this.elapsed();
    const result: ObservedResult =
      outcome instanceof CheckFailure
        ? failed(latencyMs, outcome.reason, outcome.message)
        : passed(latencyMs, this.limits.degradedAboveMs, outcome);
    if (this.observing) result.observed = this.observed;
    result.phases = this.phases;
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this);
    this.scope?.delete(this);
    this.controller?.abort(SETTLED);
    const cleanups = this.cleanups;
    if (cleanups !== null) {
      for (let i = cleanups.length - 1; i >= 0; i -= 1) {
        try {
          (cleanups[i] as () => void)();
        } catch {
          // Releasing a resource must not turn a verdict into an exception.
        }
      }
    }
    this.resolve(result);
  }
}

function expire(run: Run): void {
  run.settle(deadlineFailure(run));
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

/** Lets a prober end the checks it is running on close(). */
export interface CloseScope {
  readonly closed: boolean;
  add(run: { handleEvent(): void }): void;
  delete(run: { handleEvent(): void }): void;
  /** Ends every check in the scope (each settles as aborted), and any started later. */
  close(): void;
}

export function createCloseScope(): CloseScope {
  const running = new Set<{ handleEvent(): void }>();
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    add: (run) => running.add(run),
    delete: (run) => running.delete(run),
    close() {
      closed = true;
      for (const run of [...running]) run.handleEvent();
    },
  };
}
