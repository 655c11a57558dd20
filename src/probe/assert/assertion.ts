/**
 * Assertions: what an operator asserts about a check's answer, beyond the kind's own verdict.
 * Each kind says which sources it has (KindModule.assertionSources); its prober hands what it saw
 * to the evaluator as an Observation, and only reads what an assertion of the target needs.
 */

export const ASSERTION_SOURCES = [
  'STATUS',
  'BODY',
  'JSON',
  'HEADER',
  'LATENCY_MS',
  'CERTIFICATE_DAYS',
  'DNS_ANSWER',
] as const;
export type AssertionSource = (typeof ASSERTION_SOURCES)[number];

export const ASSERTION_OPERATORS = [
  'EQUALS',
  'NOT_EQUALS',
  'CONTAINS',
  'NOT_CONTAINS',
  'MATCHES',
  'LESS_THAN',
  'GREATER_THAN',
  'EXISTS',
  'NOT_EXISTS',
] as const;
export type AssertionOperator = (typeof ASSERTION_OPERATORS)[number];

/** One assertion as stored and as the prober reads it. */
export interface Assertion {
  source: AssertionSource;
  /** JSON: the JSONPath; HEADER: the header name; null for the other sources. */
  path: string | null;
  operator: AssertionOperator;
  /** What is compared with; null for EXISTS and NOT_EXISTS. */
  value: string | null;
  /** A failure makes the check DEGRADED instead of failed. */
  degrade: boolean;
}

/** The outcome of one assertion on one check. */
export interface AssertionResult {
  assertion: Assertion;
  ok: boolean;
  /** What was found, shortened to 200 characters; null when there was nothing. */
  actual: string | null;
}

/**
 * What a check saw, for the assertions: each field only when the kind has that source and an
 * assertion asked for it (the body is read only then, and never beyond 64 KiB).
 */
export interface Observation {
  /** HTTP status code, gRPC serving status, DNS rcode. */
  status?: number | string;
  /** The first 64 KiB of the body (or of what a TCP/WebSocket peer sent). */
  body?: Buffer;
  /** The body was longer than what `body` holds. */
  bodyTruncated?: boolean;
  /** Response headers as undici gives them (names in lower case). */
  headers?: Record<string, string | string[] | undefined>;
  /** DNS answer records of the type asked for, as text. */
  dnsAnswers?: readonly string[];
}

/** At most this many assertions per service. */
export const MAX_ASSERTIONS = 20;
/** What `actual` is shortened to. */
export const ACTUAL_MAX_CHARS = 200;

/** True when any assertion reads `source`. */
export function asserts(assertions: readonly Assertion[] | undefined, source: AssertionSource): boolean {
  if (assertions === undefined) return false;
  for (const assertion of assertions) if (assertion.source === source) return true;
  return false;
}
