import type { ProbeResult } from '../prober.js';
import type { Assertion, AssertionResult, Observation } from './assertion.js';
import { type CompiledAssertion, compileAssertion } from './compile.js';
import { evaluateAssertions, type Outcome, observedSource } from './evaluate.js';

/** A prober's result before the assertions: with what the check saw, when the target asserts anything. */
export type ObservedResult = ProbeResult & { observed?: Observation };

const compiledLists = new WeakMap<readonly Assertion[], readonly CompiledAssertion[]>();

/** The compiled form of a definition's assertions, made once per list (definitions are long-lived). */
export function compiled(assertions: readonly Assertion[]): readonly CompiledAssertion[] {
  let list = compiledLists.get(assertions);
  if (list === undefined) {
    list = assertions.map((assertion) => {
      const result = compileAssertion(assertion);
      // Validated at registration; a stored one that no longer compiles fails with its reason.
      return 'part' in result ? invalid(assertion, result.message) : result;
    });
    compiledLists.set(assertions, list);
  }
  return list;
}

/**
 * Judges a result by the target's assertions, in order. A failing assertion fails a passing check
 * with ASSERTION (or, with degrade, makes it DEGRADED); a check that failed on its own keeps its
 * reason, and lists the assertions it had something to judge. `observed` never leaves this function.
 */
export function judgeAssertions(
  assertions: readonly Assertion[],
  result: ObservedResult,
  nowMs = Date.now(),
): ProbeResult {
  const { observed, ...rest } = result;
  if (observed === undefined) return { ...rest, assertions: [] };
  const list = rest.ok
    ? compiled(assertions)
    : compiled(assertions).filter((c) => observedSource(c.assertion.source, observed));
  const outcomes = evaluateAssertions(list, {
    observed,
    latencyMs: rest.latencyMs,
    certificateExpiresAt: rest.certificateExpiresAt,
    nowMs,
  });
  const results: AssertionResult[] = outcomes.map(({ assertion, ok, actual }) => ({ assertion, ok, actual }));
  if (!rest.ok) return { ...rest, assertions: results };
  const failing = outcomes.filter((outcome) => !outcome.ok && !outcome.assertion.degrade);
  if (failing.length > 0) {
    return { ...rest, ok: false, degraded: false, reason: 'ASSERTION', message: summary(failing), assertions: results };
  }
  const degrading = outcomes.filter((outcome) => !outcome.ok);
  if (degrading.length > 0) {
    const slow = rest.degraded ? rest.message : null;
    const message = slow === null ? summary(degrading) : `${slow}; ${summary(degrading)}`;
    return { ...rest, degraded: true, message, assertions: results };
  }
  return { ...rest, assertions: results };
}

/** True when every STATUS assertion accepts `status` (HTTP: they replace expectedStatus). */
export function statusAccepted(assertions: readonly Assertion[], status: number | string): boolean {
  const statusOnly = compiled(assertions).filter((c) => c.assertion.source === 'STATUS');
  const seen = { observed: { status }, latencyMs: 0, certificateExpiresAt: null, nowMs: 0 };
  return evaluateAssertions(statusOnly, seen).every((outcome) => outcome.ok);
}

function summary(outcomes: readonly Outcome[]): string {
  const first = outcomes[0]?.message ?? 'an assertion failed';
  return outcomes.length === 1 ? first : `${first} (and ${outcomes.length - 1} more)`;
}

/** A stored assertion that no longer compiles: it fails every time, saying why. */
function invalid(assertion: Assertion, why: string): CompiledAssertion {
  return {
    assertion,
    label: 'assertion',
    regex: null,
    bound: null,
    header: null,
    problem: `cannot be evaluated (${why})`,
  };
}
