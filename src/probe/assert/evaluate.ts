import { query } from 'jsonpath-rfc9535';
import { ACTUAL_MAX_CHARS, type AssertionResult, type AssertionSource, type Observation } from './assertion.js';
import { type CompiledAssertion, DECIMAL } from './compile.js';

/** Everything an assertion can read about one check. */
export interface Seen {
  observed: Observation;
  latencyMs: number;
  certificateExpiresAt: Date | null;
  nowMs: number;
}

/** One assertion's outcome, with the sentence that explains a failure. */
export interface Outcome extends AssertionResult {
  /** `$.status: expected "ok", got "degraded"` when it failed. */
  message: string | null;
}

/** What a source yields: its text (null: absent), whether it is a number, or why it could not be read. */
interface Found {
  text: string | null;
  numeric: boolean;
  error?: string;
}

type Json = ReturnType<typeof JSON.parse>;

/** Evaluates assertions in order; the body is decoded and parsed at most once for all of them. */
export function evaluateAssertions(compiled: readonly CompiledAssertion[], seen: Seen): Outcome[] {
  const memo: { text?: string; json?: { value: Json } | { error: string } } = {};
  return compiled.map((assertion) => evaluateOne(assertion, find(assertion, seen, memo)));
}

/**
 * True when the observation holds what `source` reads: a check that failed on its own is judged
 * only on what its answer held (latency and certificate of a failed check are not judged).
 */
export function observedSource(source: AssertionSource, observed: Observation): boolean {
  switch (source) {
    case 'STATUS':
      return observed.status !== undefined;
    case 'BODY':
    case 'JSON':
      return observed.body !== undefined;
    case 'HEADER':
      return observed.headers !== undefined;
    case 'DNS_ANSWER':
      return observed.dnsAnswers !== undefined;
    default:
      return false;
  }
}

function find(
  compiled: CompiledAssertion,
  seen: Seen,
  memo: { text?: string; json?: { value: Json } | { error: string } },
): Found {
  const { observed } = seen;
  const bodyText = () => {
    memo.text ??= observed.body === undefined ? '' : observed.body.toString('utf8');
    return memo.text;
  };
  switch (compiled.assertion.source) {
    case 'STATUS':
      return observed.status === undefined
        ? { text: null, numeric: false }
        : { text: String(observed.status), numeric: typeof observed.status === 'number' };
    case 'BODY':
      return { text: observed.body === undefined || observed.body.length === 0 ? null : bodyText(), numeric: false };
    case 'JSON':
      return findJson(compiled, observed, bodyText, memo);
    case 'HEADER': {
      const value = observed.headers?.[compiled.header as string];
      return { text: value === undefined ? null : Array.isArray(value) ? value.join(', ') : value, numeric: false };
    }
    case 'LATENCY_MS':
      return { text: String(seen.latencyMs), numeric: true };
    case 'CERTIFICATE_DAYS': {
      const expiry = seen.certificateExpiresAt;
      if (expiry === null) return { text: null, numeric: true };
      return { text: String(Math.floor((expiry.getTime() - seen.nowMs) / 86_400_000)), numeric: true };
    }
    case 'DNS_ANSWER': {
      const answers = observed.dnsAnswers ?? [];
      return { text: answers.length === 0 ? null : answers.join(', '), numeric: false };
    }
  }
}

function findJson(
  compiled: CompiledAssertion,
  observed: Observation,
  bodyText: () => string,
  memo: { json?: { value: Json } | { error: string } },
): Found {
  if (observed.body === undefined) return { text: null, numeric: false };
  if (observed.bodyTruncated)
    return { text: null, numeric: false, error: 'the body is larger than 64 KiB, not read as JSON' };
  if (memo.json === undefined) {
    try {
      memo.json = { value: JSON.parse(bodyText()) };
    } catch (err) {
      memo.json = { error: `the body is not JSON (${err instanceof Error ? err.message : String(err)})` };
    }
  }
  if ('error' in memo.json) return { text: null, numeric: false, error: memo.json.error };
  let matches: Json[];
  try {
    matches = query(memo.json.value, (compiled.assertion.path as string).trim());
  } catch (err) {
    return {
      text: null,
      numeric: false,
      error: `the JSONPath failed (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  if (matches.length === 0) return { text: null, numeric: false };
  const value = matches.length === 1 ? matches[0] : matches;
  return { text: typeof value === 'string' ? value : JSON.stringify(value), numeric: typeof value === 'number' };
}

function evaluateOne(compiled: CompiledAssertion, found: Found): Outcome {
  const { assertion, label } = compiled;
  const actual = found.text === null ? null : shorten(found.text);
  if (compiled.problem !== undefined) return { assertion, ok: false, actual, message: `${label}: ${compiled.problem}` };
  if (found.error !== undefined) {
    return { assertion, ok: false, actual, message: `${label}: ${found.error}` };
  }
  const ok = holds(compiled, found.text);
  if (ok) return { assertion, ok, actual, message: null };
  const shown = found.text === null ? 'not found' : `got ${show(found.text, found.numeric)}`;
  return { assertion, ok, actual, message: `${label}: expected ${expectation(compiled, found.numeric)}, ${shown}` };
}

function holds(compiled: CompiledAssertion, text: string | null): boolean {
  const { operator, value } = compiled.assertion;
  if (operator === 'EXISTS') return text !== null;
  if (operator === 'NOT_EXISTS') return text === null;
  if (text === null) return operator === 'NOT_EQUALS' || operator === 'NOT_CONTAINS';
  const expected = value as string;
  switch (operator) {
    case 'EQUALS':
      return same(text, expected);
    case 'NOT_EQUALS':
      return !same(text, expected);
    case 'CONTAINS':
      return text.includes(expected);
    case 'NOT_CONTAINS':
      return !text.includes(expected);
    case 'MATCHES':
      return compiled.regex?.matcher(text).find() ?? false;
    case 'LESS_THAN':
    case 'GREATER_THAN': {
      const number = DECIMAL.test(text.trim()) ? Number(text.trim()) : Number.NaN;
      if (Number.isNaN(number)) return false;
      return operator === 'LESS_THAN' ? number < (compiled.bound as number) : number > (compiled.bound as number);
    }
  }
}

/** Equal as text, or as numbers when both are decimal numbers ("1.0" equals 1). */
function same(text: string, expected: string): boolean {
  if (text === expected) return true;
  const a = text.trim();
  const b = expected.trim();
  return DECIMAL.test(a) && DECIMAL.test(b) && Number(a) === Number(b);
}

function expectation(compiled: CompiledAssertion, numeric: boolean): string {
  const { operator, value } = compiled.assertion;
  const text = value ?? '';
  switch (operator) {
    case 'EQUALS':
      return show(text, numeric);
    case 'NOT_EQUALS':
      return `not ${show(text, numeric)}`;
    case 'CONTAINS':
      return `to contain ${quote(text)}`;
    case 'NOT_CONTAINS':
      return `not to contain ${quote(text)}`;
    case 'MATCHES':
      return `to match /${text.length > 60 ? `${text.slice(0, 60)}…` : text}/`;
    case 'LESS_THAN':
      return `less than ${text.trim()}`;
    case 'GREATER_THAN':
      return `more than ${text.trim()}`;
    case 'EXISTS':
      return 'to exist';
    case 'NOT_EXISTS':
      return 'not to exist';
  }
}

function show(text: string, numeric: boolean): string {
  return numeric && DECIMAL.test(text.trim()) ? text.trim() : quote(text);
}

function quote(text: string): string {
  return JSON.stringify(text.length <= 60 ? text : `${text.slice(0, 60)}…`);
}

function shorten(text: string): string {
  return text.length <= ACTUAL_MAX_CHARS ? text : `${text.slice(0, ACTUAL_MAX_CHARS - 1)}…`;
}
