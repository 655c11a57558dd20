import { parseExpectedStatus } from '../probe/http/expected-status.js';
import { HTTP_METHODS } from '../probe/http/method.js';
import { ValidationError } from './errors.js';
import type { Header, ServiceInput, UpdateInput } from './service-input.js';

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

  const url = validateUrl(input.url);
  if (!METHODS.has(input.method)) fail('method', `must be ${METHOD_LIST}`);
  const headers = validateHeaders(input.headers);

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
  if (input.degradedAboveMs !== null) {
    checkInteger('degradedAboveMs', input.degradedAboveMs, { min: 1, max: LIMITS.timeoutMs.max });
    if (input.degradedAboveMs >= input.timeoutMs) {
      fail('degradedAboveMs', `must be below timeoutMs (${input.timeoutMs}); a slower check times out instead`);
    }
  }
  const labels = validateLabels(input.labels);

  return { ...input, name, url, headers, expectedStatus, labels };
}

/** Applies an update to an existing definition: undefined keeps a field, null clears an optional one. */
export function mergeUpdate(current: ServiceInput, patch: UpdateInput): ServiceInput {
  const pick = <K extends keyof ServiceInput>(key: K): ServiceInput[K] => {
    const value = patch[key];
    return value === undefined || value === null ? current[key] : (value as ServiceInput[K]);
  };
  return {
    name: pick('name'),
    url: pick('url'),
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
  };
}

function validateUrl(raw: string): string {
  const url = raw.trim();
  if (url.length === 0) fail('url', 'is required');
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
    fail('url', 'must be an absolute http:// or https:// URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail('url', `must use http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (parsed.hostname === '') fail('url', 'must name a host');
  return url;
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
