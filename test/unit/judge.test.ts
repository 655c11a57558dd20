import { describe, expect, it } from 'vitest';
import {
  type CheckOutcome,
  dependencyJudgement,
  judge,
  operatorTransition,
  type Thresholds,
} from '../../src/checks/judge.js';
import { initialState, type ServiceState, type ServiceStatus } from '../../src/checks/service-state.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
/** Step i of a sequence happens i seconds after T0 (step 0 is the initial state). */
const at = (step: number) => new Date(T0 + step * 1_000);

const FAILURE_MESSAGE = 'expected 200-299, got 503';
const SLOW_MESSAGE = 'slower than 500 ms (900 ms)';

/** P: a clean pass, S: a slow pass (degraded), F: a failure. */
type Code = 'P' | 'S' | 'F';
const OUTCOMES: Record<Code, CheckOutcome> = {
  P: {
    ok: true,
    degraded: false,
    latencyMs: 12,
    httpStatus: 200,
    reason: null,
    message: null,
    certificateExpiresAt: null,
  },
  S: {
    ok: true,
    degraded: true,
    latencyMs: 900,
    httpStatus: 200,
    reason: null,
    message: SLOW_MESSAGE,
    certificateExpiresAt: null,
  },
  F: {
    ok: false,
    degraded: false,
    latencyMs: 40,
    httpStatus: 503,
    reason: 'HTTP_STATUS',
    message: FAILURE_MESSAGE,
    certificateExpiresAt: null,
  },
};
/** What a transition caused by each kind of result must say. */
const TRANSITION_MESSAGE: Record<Code, string> = { P: 'HTTP 200 in 12 ms', S: SLOW_MESSAGE, F: FAILURE_MESSAGE };

const outcome = (overrides: Partial<CheckOutcome> = {}): CheckOutcome => ({ ...OUTCOMES.P, ...overrides });
const thresholds = (failureThreshold: number, successThreshold: number): Thresholds => ({
  failureThreshold,
  successThreshold,
});
const state = (overrides: Partial<ServiceState> = {}): ServiceState => ({
  ...initialState(false, at(0)),
  ...overrides,
});

const codes = (sequence: string) => sequence.split(' ') as Code[];
const statuses = (expected: string) => expected.split(' ') as ServiceStatus[];

/** How many of the last results in a row were failures (or passes). */
function trailing(results: Code[], failures: boolean): number {
  let n = 0;
  for (let i = results.length - 1; i >= 0 && (results[i] === 'F') === failures; i--) n++;
  return n;
}

describe('judge: status after each result, for every pair of thresholds', () => {
  // [failureThreshold, successThreshold, results, status after each result]
  it.each<[number, number, string, string]>([
    // The first result leaves UNKNOWN at once, whatever the thresholds.
    [1, 1, 'P', 'UP'],
    [3, 3, 'P', 'UP'],
    [3, 3, 'S', 'DEGRADED'],
    [3, 3, 'F', 'DOWN'],
    [3, 1, 'F P', 'DOWN UP'],
    [1, 2, 'P', 'UP'],
    // Thresholds of 1: every failure and every pass counts at once.
    [1, 1, 'P F P', 'UP DOWN UP'],
    [1, 1, 'S P S', 'DEGRADED UP DEGRADED'],
    [1, 1, 'F F P', 'DOWN DOWN UP'],
    [1, 1, 'F S', 'DOWN DEGRADED'],
    [1, 1, 'S F', 'DEGRADED DOWN'],
    // failureThreshold 2 and 3: fewer failures keep the status; a pass resets the count.
    [2, 1, 'P F P', 'UP UP UP'],
    [2, 1, 'P F F P', 'UP UP DOWN UP'],
    [2, 1, 'P F P F F', 'UP UP UP UP DOWN'],
    [2, 1, 'S F F S', 'DEGRADED DEGRADED DOWN DEGRADED'],
    [3, 1, 'P F F F', 'UP UP UP DOWN'],
    [3, 1, 'P F F P F F F', 'UP UP UP UP UP UP DOWN'],
    [3, 1, 'P S F F F', 'UP DEGRADED DEGRADED DEGRADED DOWN'],
    // successThreshold 2 and 3: DOWN needs that many passes in a row; a failure resets the count.
    [1, 2, 'F P P', 'DOWN DOWN UP'],
    [1, 2, 'F P F P P', 'DOWN DOWN DOWN DOWN UP'],
    [1, 2, 'P F P S', 'UP DOWN DOWN DEGRADED'],
    [1, 3, 'F P P P', 'DOWN DOWN DOWN UP'],
    [1, 3, 'F S P S', 'DOWN DOWN DOWN DEGRADED'],
    [1, 3, 'F P P F P P P', 'DOWN DOWN DOWN DOWN DOWN DOWN UP'],
    // Both varied.
    [2, 2, 'P F F P P', 'UP UP DOWN DOWN UP'],
    [2, 2, 'P F F F P F P P', 'UP UP DOWN DOWN DOWN DOWN DOWN UP'],
    [2, 3, 'S F F P P S', 'DEGRADED DEGRADED DOWN DOWN DOWN DEGRADED'],
    [2, 3, 'P P F P F F P P P', 'UP UP UP UP UP DOWN DOWN DOWN UP'],
    [3, 2, 'P F F F P P S', 'UP UP UP DOWN DOWN UP DEGRADED'],
    [3, 3, 'P F F F P P P', 'UP UP UP DOWN DOWN DOWN UP'],
    [3, 3, 'F F F P P P', 'DOWN DOWN DOWN DOWN DOWN UP'],
    // Between UP and DEGRADED each passing check decides at once, whatever the thresholds.
    [3, 3, 'P S S P S', 'UP DEGRADED DEGRADED UP DEGRADED'],
    [2, 2, 'S P F P', 'DEGRADED UP UP UP'],
  ])('failureThreshold %i, successThreshold %i: %s -> %s', (failureThreshold, successThreshold, sequence, expected) => {
    const results = codes(sequence);
    const want = statuses(expected);
    expect(want).toHaveLength(results.length);

    let current = state();
    let since = at(0);
    for (const [i, code] of results.entries()) {
      const step = i + 1;
      const previousStatus = current.status;
      const { state: next, transition } = judge(
        current,
        OUTCOMES[code],
        thresholds(failureThreshold, successThreshold),
        at(step),
      );
      const label = `after result ${step} (${code})`;
      expect(next.status, label).toBe(want[i]);

      if (want[i] === previousStatus) {
        expect(transition, label).toBeNull();
      } else {
        since = at(step);
        expect(transition, label).toEqual({
          previous: previousStatus,
          current: want[i],
          at: at(step),
          message: TRANSITION_MESSAGE[code],
        });
      }
      expect(next.since, label).toEqual(since);
      expect(next.lastCheckedAt, label).toEqual(at(step));
      const soFar = results.slice(0, step);
      expect(next.consecutiveFailures, label).toBe(trailing(soFar, true));
      expect(next.consecutiveSuccesses, label).toBe(trailing(soFar, false));
      current = next;
    }
  });
});

describe('judge: what the state says about the last result', () => {
  it.each<[string, Code[], Partial<ServiceState>]>([
    ['a failure', ['F'], { message: FAILURE_MESSAGE, reason: 'HTTP_STATUS', httpStatus: 503, latencyMs: 40 }],
    [
      'a failure below the threshold, while UP',
      ['P', 'F'],
      { status: 'UP', message: FAILURE_MESSAGE, reason: 'HTTP_STATUS', httpStatus: 503 },
    ],
    ['a clean pass after a failure', ['F', 'P'], { message: null, reason: null, httpStatus: 200, latencyMs: 12 }],
    [
      'a slow pass after a failure',
      ['F', 'S'],
      { message: SLOW_MESSAGE, reason: null, httpStatus: 200, latencyMs: 900 },
    ],
    ['a clean pass after a slow pass', ['S', 'P'], { message: null, reason: null, latencyMs: 12 }],
    ['a clean pass that does not yet end DOWN', ['F', 'P'], { status: 'DOWN', message: null, reason: null }],
  ])('after %s', (_name, results, expected) => {
    let current = state();
    for (const [i, code] of results.entries()) {
      current = judge(current, OUTCOMES[code], thresholds(2, 2), at(i + 1)).state;
    }
    expect(current).toMatchObject(expected);
  });

  it.each<[string, Partial<CheckOutcome>, string]>([
    ['rounds the latency down', { latencyMs: 12.4 }, 'HTTP 200 in 12 ms'],
    ['rounds the latency up', { latencyMs: 12.6 }, 'HTTP 200 in 13 ms'],
    ['names the status code', { httpStatus: 204, latencyMs: 3 }, 'HTTP 204 in 3 ms'],
    ['says "passed" without a status code', { httpStatus: null, latencyMs: 7 }, 'passed in 7 ms'],
  ])('a recovery message %s', (_name, overrides, message) => {
    const down = state({ status: 'DOWN', consecutiveFailures: 3, message: FAILURE_MESSAGE, reason: 'HTTP_STATUS' });
    const { transition } = judge(down, outcome(overrides), thresholds(1, 1), at(1));
    expect(transition).toEqual({ previous: 'DOWN', current: 'UP', at: at(1), message });
  });

  const EXPIRY = new Date('2027-03-01T00:00:00Z');
  const RENEWED = new Date('2027-06-01T00:00:00Z');
  it.each<[string, Date | null, Date | null, Date | null]>([
    ['kept when the result has none (a failure before TLS)', EXPIRY, null, EXPIRY],
    ['set by the first result that has one', null, EXPIRY, EXPIRY],
    ['replaced by a newer certificate', EXPIRY, RENEWED, RENEWED],
    ['null when never seen', null, null, null],
  ])('certificateExpiresAt is %s', (_name, before, seen, after) => {
    for (const code of ['P', 'F'] as const) {
      const { state: next } = judge(
        state({ certificateExpiresAt: before }),
        { ...OUTCOMES[code], certificateExpiresAt: seen },
        thresholds(1, 1),
        at(1),
      );
      expect(next.certificateExpiresAt, code).toEqual(after);
    }
  });
});

describe('judge: a paused service is never changed by a result', () => {
  it.each<[string, Code[]]>([
    ['failures', ['F', 'F', 'F']],
    ['passes', ['P', 'P']],
    ['slow passes', ['S']],
    ['a mix', ['F', 'P', 'S', 'F']],
  ])('%s leave PAUSED without a transition', (_name, results) => {
    let current = state({ status: 'PAUSED', since: at(0) });
    for (const [i, code] of results.entries()) {
      const { state: next, transition } = judge(current, OUTCOMES[code], thresholds(1, 1), at(i + 1));
      expect(transition).toBeNull();
      expect(next.status).toBe('PAUSED');
      expect(next.since).toEqual(at(0));
      current = next;
    }
  });
});

describe('operatorTransition', () => {
  const busy: Partial<ServiceState> = {
    since: at(0),
    consecutiveFailures: 2,
    consecutiveSuccesses: 0,
    message: FAILURE_MESSAGE,
    reason: 'HTTP_STATUS',
    latencyMs: 40,
    httpStatus: 503,
  };

  it.each<[ServiceStatus]>([['UNKNOWN'], ['UP'], ['DEGRADED'], ['DOWN']])(
    'pausing a %s service makes it PAUSED with counters reset',
    (status) => {
      const { state: next, transition } = operatorTransition(state({ ...busy, status }), true, at(5));
      expect(transition).toEqual({ previous: status, current: 'PAUSED', at: at(5), message: 'paused by an operator' });
      expect(next).toMatchObject({
        status: 'PAUSED',
        since: at(5),
        consecutiveFailures: 0,
        consecutiveSuccesses: 0,
        message: null,
        reason: null,
      });
      // What the last check saw stays visible.
      expect(next).toMatchObject({ latencyMs: 40, httpStatus: 503 });
    },
  );

  it('resuming a PAUSED service makes it UNKNOWN with counters reset', () => {
    const { state: next, transition } = operatorTransition(state({ ...busy, status: 'PAUSED' }), false, at(5));
    expect(transition).toEqual({
      previous: 'PAUSED',
      current: 'UNKNOWN',
      at: at(5),
      message: 'resumed by an operator',
    });
    expect(next).toMatchObject({
      status: 'UNKNOWN',
      since: at(5),
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      message: null,
      reason: null,
    });
  });

  it.each<[string, ServiceStatus, boolean]>([
    ['pausing a paused service', 'PAUSED', true],
    ['resuming an UNKNOWN service', 'UNKNOWN', false],
  ])('%s changes nothing', (_name, status, paused) => {
    const before = state({ ...busy, status });
    const { state: next, transition } = operatorTransition(before, paused, at(5));
    expect(transition).toBeNull();
    expect(next).toEqual(before);
  });

  it.each<[number, number, Code, ServiceStatus]>([
    [3, 3, 'P', 'UP'],
    [3, 3, 'F', 'DOWN'],
    [3, 3, 'S', 'DEGRADED'],
  ])('after a resume (thresholds %i/%i) the first result (%s) decides at once: %s', (f, s, code, expected) => {
    let current = judge(state(), OUTCOMES.F, thresholds(f, s), at(1)).state; // DOWN
    current = operatorTransition(current, true, at(2)).state;
    current = judge(current, OUTCOMES.F, thresholds(f, s), at(3)).state; // a straggler while paused
    current = operatorTransition(current, false, at(4)).state;
    const { state: next, transition } = judge(current, OUTCOMES[code], thresholds(f, s), at(5));
    expect(next.status).toBe(expected);
    expect(transition).toEqual({
      previous: 'UNKNOWN',
      current: expected,
      at: at(5),
      message: TRANSITION_MESSAGE[code],
    });
  });
});

describe('judge: dependencies (a root cause makes failing UNREACHABLE, not DOWN)', () => {
  /** Runs `sequence` with, at each step, the root cause given (null: every parent is fine). */
  const runWith = (sequence: Code[], roots: (string | null)[], limits: Thresholds) => {
    let state: ServiceState = initialState(false, at(0));
    return sequence.map((code, i) => {
      const judged = judge(state, OUTCOMES[code], limits, at(i + 1), { rootCause: roots[i] ?? null });
      state = judged.state;
      return { status: state.status, rootCause: state.rootCause ?? null, transition: judged.transition };
    });
  };

  it.each<[string, string, (string | null)[], Thresholds, string, (string | null)[]]>([
    [
      'parent down from the start',
      'F F P',
      ['a', 'a', 'a'],
      thresholds(1, 1),
      'UNREACHABLE UNREACHABLE UP',
      ['a', 'a', null],
    ],
    [
      'parent recovers: the next failure is DOWN',
      'P F F F',
      [null, 'a', 'a', null],
      thresholds(1, 1),
      'UP UNREACHABLE UNREACHABLE DOWN',
      [null, 'a', 'a', null],
    ],
    [
      'below the failure threshold nothing changes',
      'P F F',
      [null, 'a', 'a'],
      thresholds(2, 1),
      'UP UP UNREACHABLE',
      [null, null, 'a'],
    ],
    [
      'recovery takes successThreshold passes',
      'F P P',
      ['a', null, null],
      thresholds(1, 2),
      'UNREACHABLE UNREACHABLE UP',
      ['a', 'a', null],
    ],
    [
      'a deeper root cause replaces the first',
      'F F',
      ['b', 'a'],
      thresholds(1, 1),
      'UNREACHABLE UNREACHABLE',
      ['b', 'a'],
    ],
    ['slow passes are not failures', 'S', ['a'], thresholds(1, 1), 'DEGRADED', [null]],
  ])('%s: %s', (_name, sequence, roots, limits, expected, expectedRoots) => {
    const steps = runWith(codes(sequence), roots, limits);
    expect(steps.map((s) => s.status)).toEqual(statuses(expected));
    expect(steps.map((s) => s.rootCause)).toEqual(expectedRoots);
  });

  it('an UNREACHABLE spell is one transition in and one out, never through DOWN', () => {
    const steps = runWith(codes('P F F F P'), [null, 'a', 'a', 'a', null], thresholds(1, 1));
    const transitions = steps.flatMap((s) =>
      s.transition ? [`${s.transition.previous}>${s.transition.current}`] : [],
    );
    expect(transitions).toEqual(['UNKNOWN>UP', 'UP>UNREACHABLE', 'UNREACHABLE>UP']);
  });
});

describe('dependencyJudgement (a parent changed, no check of its own)', () => {
  const failing: ServiceState = { ...initialState(false, at(0)), status: 'DOWN', consecutiveFailures: 2 };

  it('a DOWN child of a DOWN parent becomes UNREACHABLE, keeping its last result', () => {
    const { state, transition } = dependencyJudgement(failing, 'a', at(5));
    expect(state).toMatchObject({ status: 'UNREACHABLE', rootCause: 'a', since: at(5), consecutiveFailures: 2 });
    expect(transition).toMatchObject({ previous: 'DOWN', current: 'UNREACHABLE', at: at(5) });
  });

  it('an UNREACHABLE child takes the new root cause without a transition', () => {
    const unreachable: ServiceState = { ...failing, status: 'UNREACHABLE', rootCause: 'b' };
    const { state, transition } = dependencyJudgement(unreachable, 'a', at(5));
    expect(state).toMatchObject({ status: 'UNREACHABLE', rootCause: 'a' });
    expect(transition).toBeNull();
  });

  it.each<ServiceStatus>(['UP', 'DEGRADED', 'UNKNOWN', 'PAUSED'])('leaves a %s child alone', (status) => {
    const state: ServiceState = { ...failing, status };
    expect(dependencyJudgement(state, 'a', at(5))).toEqual({ state, transition: null });
  });

  it('recovery of the parent is left to the next check', () => {
    const unreachable: ServiceState = { ...failing, status: 'UNREACHABLE', rootCause: 'a' };
    expect(dependencyJudgement(unreachable, null, at(5)).state).toBe(unreachable);
  });
});
