import parseJsonPath from 'jsonpath-rfc9535/parser';
import { RE2JS } from 're2js';
import type { Assertion } from './assertion.js';

/**
 * An assertion made ready to evaluate: its JSONPath parsed, its regular expression compiled (RE2,
 * linear time), its number read. Made once per definition, not per check.
 */
export interface CompiledAssertion {
  readonly assertion: Assertion;
  /** How messages name it: "$.status", "header content-type", "status", … */
  readonly label: string;
  readonly regex: RE2JS | null;
  /** LESS_THAN / GREATER_THAN: the bound. */
  readonly bound: number | null;
  /** HEADER: the name in lower case. */
  readonly header: string | null;
  /** Set when a stored assertion no longer compiles: it then fails, saying this. */
  readonly problem?: string;
}

/** Which part of an assertion is wrong, and why (for `assertions[i].<part>`). */
export interface AssertionProblem {
  part: 'source' | 'path' | 'operator' | 'value';
  message: string;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const ASSERTION_LIMITS = { pathChars: 512, valueBytes: 1_024 } as const;
/** The decimal numbers LESS_THAN and GREATER_THAN compare (no hex, no exponent surprises). */
export const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** Compiles one assertion, or says what is wrong with it. */
export function compileAssertion(assertion: Assertion): CompiledAssertion | AssertionProblem {
  const { source, operator, value } = assertion;
  const path = assertion.path ?? null;
  if ((source === 'JSON' || source === 'HEADER') && (path === null || path.trim() === '')) {
    return {
      part: 'path',
      message:
        source === 'JSON'
          ? 'a JSON assertion needs a JSONPath, e.g. $.status'
          : 'a HEADER assertion needs the header name',
    };
  }
  if (source !== 'JSON' && source !== 'HEADER' && path !== null) {
    return { part: 'path', message: `${source} takes no path (only JSON and HEADER do)` };
  }
  if (path !== null && path.length > ASSERTION_LIMITS.pathChars) {
    return { part: 'path', message: `must be at most ${ASSERTION_LIMITS.pathChars} characters` };
  }
  const presence = operator === 'EXISTS' || operator === 'NOT_EXISTS';
  if (presence && value !== null) return { part: 'value', message: `${operator} takes no value` };
  if (!presence && value === null) return { part: 'value', message: `${operator} needs a value` };
  if (value !== null) {
    if (Buffer.byteLength(value, 'utf8') > ASSERTION_LIMITS.valueBytes) {
      return { part: 'value', message: `must be at most ${ASSERTION_LIMITS.valueBytes} bytes` };
    }
    // Stored in a JSON column: PostgreSQL's jsonb cannot hold NUL.
    if (value.includes('\0')) return { part: 'value', message: 'must not contain NUL characters' };
  }

  let header: string | null = null;
  if (source === 'HEADER') {
    header = (path as string).trim().toLowerCase();
    if (!HEADER_NAME.test(header))
      return { part: 'path', message: `"${header.slice(0, 40)}" is not an HTTP header name` };
  }
  if (source === 'JSON') {
    const problem = checkJsonPath(path as string);
    if (problem !== null) return { part: 'path', message: problem };
  }
  let regex: RE2JS | null = null;
  if (operator === 'MATCHES') {
    try {
      regex = RE2JS.compile(value as string);
    } catch (err) {
      return { part: 'value', message: `is not a regular expression RE2 accepts (${messageOf(err)})` };
    }
  }
  let bound: number | null = null;
  if (operator === 'LESS_THAN' || operator === 'GREATER_THAN') {
    const text = (value as string).trim();
    if (!DECIMAL.test(text))
      return { part: 'value', message: `${operator} needs a number, got "${text.slice(0, 40)}"` };
    bound = Number(text);
  }
  return { assertion, label: labelOf(assertion, header), regex, bound, header };
}

function labelOf(assertion: Assertion, header: string | null): string {
  switch (assertion.source) {
    case 'JSON':
      return (assertion.path as string).trim();
    case 'HEADER':
      return `header ${header}`;
    case 'STATUS':
      return 'status';
    case 'BODY':
      return 'body';
    case 'LATENCY_MS':
      return 'latency';
    case 'CERTIFICATE_DAYS':
      return 'certificate days';
    case 'DNS_ANSWER':
      return 'answer';
  }
}

/**
 * An RFC 9535 JSONPath, parsed. Its match() and search() functions are refused: the library runs
 * them with JavaScript's backtracking RegExp, which a hostile body could stall; a MATCHES
 * assertion (RE2) does the same safely.
 */
function checkJsonPath(path: string): string | null {
  let ast: unknown;
  try {
    ast = parseJsonPath(path.trim());
  } catch (err) {
    return `is not a JSONPath (RFC 9535): ${messageOf(err)}`;
  }
  const fn = findFunction(ast, new Set(['match', 'search']));
  if (fn !== null) {
    return `${fn}() is not allowed in a JSONPath here (it would run a backtracking regular expression); select the value and use a MATCHES assertion`;
  }
  return null;
}

function findFunction(node: unknown, names: ReadonlySet<string>): string | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findFunction(item, names);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  const record = node as Record<string, unknown>;
  if (record.type === 'FunctionExpr' && typeof record.name === 'string' && names.has(record.name)) return record.name;
  for (const value of Object.values(record)) {
    const found = findFunction(value, names);
    if (found !== null) return found;
  }
  return null;
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}
