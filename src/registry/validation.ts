import { X509Certificate } from 'node:crypto';
import { ASSERTION_OPERATORS, ASSERTION_SOURCES, type Assertion, MAX_ASSERTIONS } from '../probe/assert/assertion.js';
import { compileAssertion } from '../probe/assert/compile.js';
import { DNS_RECORD_TYPES, type DnsOptions, type DnsRecordType, resolverOf } from '../probe/dns/options.js';
import { cronProblem, type HeartbeatOptions, isTimeZone } from '../probe/heartbeat/schedule.js';
import { parseExpectedStatus } from '../probe/http/expected-status.js';
import { HTTP_METHODS } from '../probe/http/method.js';
import type { KindOption } from '../probe/kind.js';
import { type CheckKind, KINDS, kindOfScheme, SCHEMES } from '../probe/kinds.js';
import type { TcpOptions } from '../probe/tcp/options.js';
import { ValidationError } from './errors.js';
import {
  assertionsOf,
  dnsInputOf,
  type Header,
  heartbeatInputOf,
  type ServiceInput,
  tcpOptionsOf,
  type UpdateInput,
} from './service-input.js';

/** Every bound of a service definition, named once. */
export const LIMITS = {
  nameLength: { min: 1, max: 100 },
  urlLength: 2_048,
  intervalSeconds: { min: 1, max: 86_400 },
  timeoutMs: { min: 100, max: 60_000 },
  headers: 32,
  headerValueBytes: 4_096,
  bodyContainsBytes: 1_024,
  threshold: { min: 1, max: 100 },
  labels: 32,
  labelLength: { min: 1, max: 64 },
  tcpTextBytes: 1_024,
  caCertificateBytes: 64 * 1024,
  heartbeatPeriodSeconds: { min: 1, max: 31_536_000 },
  heartbeatGraceSeconds: { min: 0, max: 2_592_000 },
  cronLength: 200,
  /** A heartbeat's run (start → ping) may be slow for hours before it is DEGRADED. */
  heartbeatDegradedAboveMs: { min: 1, max: 2_147_483_647 },
} as const;

const METHODS = new Set<string>(HTTP_METHODS);
const METHOD_LIST = `${HTTP_METHODS.slice(0, -1).join(', ')} or ${HTTP_METHODS.at(-1)}`;
/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, obs-text, space and tab: no CR, LF or NUL (RFC 9110 field-value). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Set by the HTTP client itself; letting an operator set them would corrupt the request. */
const FORBIDDEN_HEADERS = new Set([
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const SCHEME_LIST = `${SCHEMES.slice(0, -1).join(', ')} or ${SCHEMES.at(-1)}`;
const LABEL = /^[a-z0-9._:/-]+$/;

/**
 * Checks a complete definition and returns it normalised (trimmed name and url, unique labels).
 * Throws ValidationError naming the first wrong field.
 */
export function validateService(input: ServiceInput): ServiceInput {
  const name = input.name.trim();
  checkLength('name', name, LIMITS.nameLength);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\x00-\x1f\x7f]/.test(name)) fail('name', 'must not contain control characters');
  checkWellFormed('name', name);

  const { url, kind } = isHeartbeat(input)
    ? validatePushUrl(input.url, input.kind)
    : validateUrl(input.url, input.kind);
  if (!METHODS.has(input.method)) fail('method', `must be ${METHOD_LIST}`);
  const headers = validateHeaders(input.headers);
  checkKindOptions(kind, input);
  const tcp = validateTcp(input.tcp);
  const dns = kind === 'DNS' ? validateDns(input.dns, url) : input.dns;
  const caCertificate = validateCaCertificate(input.caCertificate);
  const heartbeat = kind === 'HEARTBEAT' ? validateHeartbeat(input.heartbeat, new Date()) : input.heartbeat;

  checkInteger('intervalSeconds', input.intervalSeconds, LIMITS.intervalSeconds);
  checkInteger('timeoutMs', input.timeoutMs, LIMITS.timeoutMs);
  if (input.timeoutMs >= input.intervalSeconds * 1000) {
    fail('timeoutMs', `must be below intervalSeconds × 1000 (${input.intervalSeconds * 1000} ms)`);
  }

  const expectedStatus = input.expectedStatus.trim();
  const parsed = parseExpectedStatus(expectedStatus);
  if (!parsed.ok) fail('expectedStatus', parsed.message);

  if (input.bodyContains !== null) {
    if (input.bodyContains.length === 0) fail('bodyContains', 'must not be empty; use null to remove it');
    // PostgreSQL text cannot hold NUL.
    if (input.bodyContains.includes('\0')) fail('bodyContains', 'must not contain NUL characters');
    checkWellFormed('bodyContains', input.bodyContains);
    if (byteLength(input.bodyContains) > LIMITS.bodyContainsBytes) {
      fail('bodyContains', `must be at most ${LIMITS.bodyContainsBytes} bytes`);
    }
  }
  checkInteger('failureThreshold', input.failureThreshold, LIMITS.threshold);
  checkInteger('successThreshold', input.successThreshold, LIMITS.threshold);
  if (input.degradedAboveMs !== null && kind === 'HEARTBEAT') {
    // A heartbeat's latency is its run time (start → ping): no timeout bounds it.
    checkInteger('degradedAboveMs', input.degradedAboveMs, LIMITS.heartbeatDegradedAboveMs);
  } else if (input.degradedAboveMs !== null) {
    checkInteger('degradedAboveMs', input.degradedAboveMs, { min: 1, max: LIMITS.timeoutMs.max });
    if (input.degradedAboveMs >= input.timeoutMs) {
      fail('degradedAboveMs', `must be below timeoutMs (${input.timeoutMs}); a slower check times out instead`);
    }
  }
  const labels = validateLabels(input.labels);
  const assertions = validateAssertions(kind, input.assertions);
  if (assertions.some((assertion) => assertion.source === 'STATUS') && expectedStatus !== '200-299') {
    fail('expectedStatus', 'give either expectedStatus or STATUS assertions: with STATUS assertions they decide');
  }

  return { ...input, name, kind, url, headers, expectedStatus, labels, tcp, dns, caCertificate, heartbeat, assertions };
}

/** Applies an update to an existing definition: undefined keeps a field, null clears an optional one. */
export function mergeUpdate(current: ServiceInput, patch: UpdateInput): ServiceInput {
  const pick = <K extends keyof ServiceInput>(key: K): ServiceInput[K] => {
    const value = patch[key];
    return value === undefined || value === null ? current[key] : (value as ServiceInput[K]);
  };
  // A new url without a kind chooses its kind again by its scheme.
  const kind = patch.kind !== undefined && patch.kind !== null ? patch.kind : patch.url ? null : current.kind;
  // A service becoming a heartbeat drops its url (it gets a push path); one leaving it needs a new url.
  const url = kind === 'HEARTBEAT' ? '' : pick('url');
  return {
    name: pick('name'),
    kind,
    url,
    method: pick('method'),
    headers: patch.headers === null ? [] : pick('headers'),
    intervalSeconds: pick('intervalSeconds'),
    timeoutMs: pick('timeoutMs'),
    expectedStatus: pick('expectedStatus'),
    bodyContains: patch.bodyContains === undefined ? current.bodyContains : patch.bodyContains,
    failureThreshold: pick('failureThreshold'),
    successThreshold: pick('successThreshold'),
    degradedAboveMs: patch.degradedAboveMs === undefined ? current.degradedAboveMs : patch.degradedAboveMs,
    labels: patch.labels === null ? [] : pick('labels'),
    tcp: patch.tcp === undefined ? current.tcp : tcpOptionsOf(patch.tcp),
    dns: patch.dns === undefined ? current.dns : dnsInputOf(patch.dns),
    tlsSkipVerify: pick('tlsSkipVerify'),
    caCertificate: patch.caCertificate === undefined ? current.caCertificate : patch.caCertificate,
    // Replaced whole: the input's defaults (timezone, graceSeconds) cannot tell a field left out.
    heartbeat: patch.heartbeat === undefined ? current.heartbeat : heartbeatInputOf(patch.heartbeat),
    assertions: patch.assertions === undefined ? current.assertions : assertionsOf(patch.assertions),
  };
}

/** A passive check: asked for by kind, or implied by heartbeat options given without a url. */
function isHeartbeat(input: ServiceInput): boolean {
  return input.kind === 'HEARTBEAT' || (input.kind === null && input.url.trim() === '' && input.heartbeat !== null);
}

/** A heartbeat has no url of its own: none may be given (its stored push path is not one). */
function validatePushUrl(raw: string, requested: CheckKind | null): { url: string; kind: CheckKind } {
  const url = raw.trim();
  if (url !== '' && requested === 'HEARTBEAT' && !/^\/push\/[0-9a-f-]{36}$/.test(url)) {
    fail('url', 'HEARTBEAT checks have no url: the service calls its push URL');
  }
  return { url: '', kind: 'HEARTBEAT' };
}

/** Exactly one of periodSeconds and cron; a cron expression that parses and fires; a known time zone. */
function validateHeartbeat(heartbeat: HeartbeatOptions | null, now: Date): HeartbeatOptions {
  if (heartbeat === null)
    fail('heartbeat', 'is required for HEARTBEAT checks: { periodSeconds } or { cron, timezone }');
  const cron = heartbeat.cron === null ? null : heartbeat.cron.trim().replace(/\s+/g, ' ');
  const { periodSeconds, graceSeconds } = heartbeat;
  const timezone = heartbeat.timezone.trim();
  if (periodSeconds !== null && cron !== null) fail('heartbeat.cron', 'give either periodSeconds or cron, not both');
  if (periodSeconds === null && cron === null) fail('heartbeat.periodSeconds', 'give periodSeconds or cron');
  if (!isTimeZone(timezone)) {
    fail(
      'heartbeat.timezone',
      `"${truncate(timezone)}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
    );
  }
  if (periodSeconds !== null) checkInteger('heartbeat.periodSeconds', periodSeconds, LIMITS.heartbeatPeriodSeconds);
  if (cron !== null) {
    if (cron.length === 0) fail('heartbeat.cron', 'must not be empty; use null to leave it out');
    if (cron.length > LIMITS.cronLength) fail('heartbeat.cron', `must be at most ${LIMITS.cronLength} characters`);
    const problem = cronProblem(cron, timezone, now);
    if (problem !== null) fail('heartbeat.cron', problem);
  }
  checkInteger('heartbeat.graceSeconds', graceSeconds, LIMITS.heartbeatGraceSeconds);
  return { periodSeconds, cron, timezone, graceSeconds };
}

function validateUrl(raw: string, requested: CheckKind | null): { url: string; kind: CheckKind } {
  const url = raw.trim();
  if (url.length === 0) fail('url', 'is required (except for kind: HEARTBEAT, a passive check)');
  if (url.length > LIMITS.urlLength) fail('url', `must be at most ${LIMITS.urlLength} characters`);
  // The URL parser drops tabs and newlines and trims other control characters silently, so the
  // URL checked would not be the one stored (and PostgreSQL refuses NUL in text outright).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\x00-\x1f\x7f]/.test(url)) fail('url', 'must not contain control characters');
  checkWellFormed('url', url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail('url', `must be an absolute http:// or https:// URL, or one of ${SCHEME_LIST}`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const kind = kindOfScheme(scheme);
  if (kind === null) fail('url', `must use ${SCHEME_LIST}, not ${scheme}`);
  if (requested !== null && requested !== kind) {
    fail('kind', `is ${requested}, but a ${scheme}:// url is checked as ${kind}`);
  }
  const problem = KINDS[kind].checkUrl(parsed);
  if (problem !== null) fail('url', problem);
  return { url, kind };
}

/** Fields only some kinds read: giving them to another kind is a mistake worth naming. */
const KIND_FIELDS: readonly {
  field: keyof ServiceInput;
  option: KindOption;
  given: (input: ServiceInput) => boolean;
}[] = [
  { field: 'method', option: 'http', given: (input) => input.method !== 'GET' },
  { field: 'headers', option: 'http', given: (input) => input.headers.length > 0 },
  { field: 'expectedStatus', option: 'http', given: (input) => input.expectedStatus.trim() !== '200-299' },
  { field: 'bodyContains', option: 'http', given: (input) => input.bodyContains !== null },
  { field: 'tcp', option: 'tcp', given: (input) => input.tcp !== null },
  { field: 'dns', option: 'dns', given: (input) => input.dns !== null },
  { field: 'tlsSkipVerify', option: 'tls', given: (input) => input.tlsSkipVerify },
  { field: 'caCertificate', option: 'tls', given: (input) => input.caCertificate !== null },
  { field: 'heartbeat', option: 'heartbeat', given: (input) => input.heartbeat !== null },
];

function checkKindOptions(kind: CheckKind, input: ServiceInput): void {
  const accepted = KINDS[kind].options as readonly KindOption[];
  for (const { field, option, given } of KIND_FIELDS) {
    if (!accepted.includes(option) && given(input)) fail(field, `does not apply to ${kind} checks`);
  }
}

const SOURCES = new Set<string>(ASSERTION_SOURCES);
const OPERATORS = new Set<string>(ASSERTION_OPERATORS);

/** Each assertion compiles (JSONPath, RE2 pattern, number) and reads a source the kind has. */
function validateAssertions(kind: CheckKind, assertions: Assertion[]): Assertion[] {
  if (assertions.length > MAX_ASSERTIONS) fail('assertions', `at most ${MAX_ASSERTIONS} assertions`);
  const sources = KINDS[kind].assertionSources;
  return assertions.map((given, i) => {
    const field = `assertions[${i}]`;
    if (!SOURCES.has(given.source)) fail(`${field}.source`, `must be one of ${ASSERTION_SOURCES.join(', ')}`);
    if (!OPERATORS.has(given.operator)) fail(`${field}.operator`, `must be one of ${ASSERTION_OPERATORS.join(', ')}`);
    if (!sources.includes(given.source)) {
      fail(`${field}.source`, `${kind} checks have no ${given.source}; they can assert ${sources.join(', ')}`);
    }
    for (const part of ['path', 'value'] as const) {
      const text = given[part];
      if (text !== null) checkWellFormed(`${field}.${part}`, text);
    }
    const assertion: Assertion = {
      ...given,
      path: given.path === null ? null : given.path.trim(),
      degrade: given.degrade === true,
    };
    const compiled = compileAssertion(assertion);
    if ('part' in compiled) fail(`${field}.${compiled.part}`, compiled.message);
    return assertion;
  });
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** One or more PEM certificates, each parsed (so a check never fails on a CA that cannot load). */
function validateCaCertificate(pem: string | null): string | null {
  if (pem === null) return null;
  const text = pem.trim();
  if (byteLength(text) > LIMITS.caCertificateBytes) fail('caCertificate', 'must be at most 64 KiB');
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) fail('caCertificate', 'must hold PEM certificates (-----BEGIN CERTIFICATE----- …)');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      fail('caCertificate', `certificate ${i + 1} does not parse (${why})`);
    }
  });
  return text;
}

const RECORD_TYPES = new Set<string>(DNS_RECORD_TYPES);

/** The record type asked for (default A); a resolver given beside the url must be the url's. */
function validateDns(dns: DnsOptions | null, url: string): DnsOptions {
  const given = dns as (DnsOptions & { resolver?: string }) | null;
  const recordType = (given?.recordType ?? 'A').trim().toUpperCase();
  if (!RECORD_TYPES.has(recordType)) fail('dns.recordType', `must be one of ${DNS_RECORD_TYPES.join(', ')}`);
  if (given?.resolver !== undefined) {
    const inUrl = resolverOf(url);
    if (inUrl === null) {
      fail('dns.resolver', `put the resolver in the url instead: dns://${given.resolver}/<name>`);
    }
    if (given.resolver.trim().toLowerCase() !== inUrl.toLowerCase()) {
      fail('dns.resolver', `is ${given.resolver}, but the url names ${inUrl}`);
    }
  }
  return { recordType: recordType as DnsRecordType };
}

function validateTcp(tcp: TcpOptions | null): TcpOptions | null {
  if (tcp === null) return null;
  const send = tcp.send ?? null;
  const expect = tcp.expect ?? null;
  for (const [field, value] of [
    ['tcp.send', send],
    ['tcp.expect', expect],
  ] as const) {
    if (value === null) continue;
    if (value.length === 0) fail(field, 'must not be empty; use null to leave it out');
    // Stored in a JSON column: PostgreSQL's jsonb cannot hold NUL.
    if (value.includes('\0')) fail(field, 'must not contain NUL characters');
    checkWellFormed(field, value);
    if (byteLength(value) > LIMITS.tcpTextBytes) fail(field, `must be at most ${LIMITS.tcpTextBytes} bytes`);
  }
  return send === null && expect === null ? null : { send, expect };
}

function validateHeaders(headers: Header[]): Header[] {
  if (headers.length > LIMITS.headers) fail('headers', `at most ${LIMITS.headers} headers`);
  return headers.map((header, i) => {
    const name = header.name.trim();
    if (!HEADER_NAME.test(name)) fail(`headers[${i}].name`, `"${truncate(name)}" is not a valid HTTP header name`);
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
      fail(`headers[${i}].name`, `${name} is managed by the HTTP client and cannot be set`);
    }
    if (byteLength(header.value) > LIMITS.headerValueBytes) {
      fail(`headers[${i}].value`, `must be at most ${LIMITS.headerValueBytes} bytes`);
    }
    if (!HEADER_VALUE.test(header.value)) {
      fail(`headers[${i}].value`, 'must be printable Latin-1 text: no control characters such as CR, LF or NUL');
    }
    return { name, value: header.value };
  });
}

export function validateLabels(labels: string[]): string[] {
  if (labels.length > LIMITS.labels) fail('labels', `at most ${LIMITS.labels} labels`);
  labels.forEach((label, i) => {
    checkLength(`labels[${i}]`, label, LIMITS.labelLength);
    if (!LABEL.test(label)) fail(`labels[${i}]`, `"${truncate(label)}" may only use a-z, 0-9 and . _ : / -`);
  });
  return [...new Set(labels)];
}

export function checkLength(field: string, value: string, bounds: { min: number; max: number }): void {
  const length = [...value].length;
  if (length < bounds.min || length > bounds.max) {
    fail(field, `must be ${bounds.min}–${bounds.max} characters (got ${length})`);
  }
}

/** A lone UTF-16 surrogate (valid JSON, not Unicode) would be stored as U+FFFD: not what was checked. */
export function checkWellFormed(field: string, value: string): void {
  if (/\p{Surrogate}/u.test(value)) fail(field, 'must be valid Unicode text (it holds a lone surrogate)');
}

export function checkInteger(field: string, value: number, bounds: { min: number; max: number }): void {
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    fail(field, `must be an integer from ${bounds.min} to ${bounds.max} (got ${value})`);
  }
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
}
