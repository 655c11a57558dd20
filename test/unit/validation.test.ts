import { describe, expect, it } from 'vitest';
import { parseExpectedStatus, statusMatches } from '../../src/probe/http/expected-status.js';
import { ValidationError } from '../../src/registry/errors.js';
import { type Header, type ServiceInput, type UpdateInput, withDefaults } from '../../src/registry/service-input.js';
import { mergeUpdate, validateService } from '../../src/registry/validation.js';

/** A definition that passes every rule; each case overrides only what it is about. */
function service(overrides: Partial<ServiceInput> = {}): ServiceInput {
  return { ...withDefaults({ name: 'Checkout API', url: 'https://example.com/health' }), ...overrides };
}

/** Runs fn and returns the ValidationError it throws; fails the test if it passes or throws anything else. */
function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, but the input was accepted');
}

const header = (name: string, value = 'x'): Header => ({ name, value });
const okHeaders = (count: number): Header[] =>
  Array.from({ length: count }, (_, i) => header(`X-Custom-${i}`, `v${i}`));
/** Two harmless headers, then the one under test at index 2. */
const thirdHeader = (h: Header): Header[] => [...okHeaders(2), h];
const labels = (count: number): string[] => Array.from({ length: count }, (_, i) => `label-${i}`);
const urlOfLength = (length: number): string => {
  const prefix = 'https://example.com/';
  return prefix + 'a'.repeat(length - prefix.length);
};
/** "200,<spaces>204" of exactly `length` characters: valid, and only long because of whitespace. */
const statusOfLength = (length: number): string => `200,${' '.repeat(length - 7)}204`;

describe('validateService accepts the last valid value of every bound', () => {
  it.each<[string, Partial<ServiceInput>]>([
    ['name of 1 character', { name: 'a' }],
    ['name of 100 characters', { name: 'n'.repeat(100) }],
    ['name of 100 characters once trimmed', { name: `  ${'n'.repeat(100)}\t ` }],
    ['name of 100 astral characters (200 UTF-16 units)', { name: '😀'.repeat(100) }],
    ['http url', { url: 'http://example.com' }],
    ['https url with port, path and query', { url: 'https://example.com:8443/health?deep=1' }],
    ['url of 2,048 characters', { url: urlOfLength(2_048) }],
    ['method GET', { method: 'GET' }],
    ['method HEAD', { method: 'HEAD' }],
    ['method POST', { method: 'POST' }],
    ['32 headers', { headers: okHeaders(32) }],
    ['header name using every token character', { headers: [header("!#$%&'*+.^_`|~09AZaz-")] }],
    ['empty header value', { headers: [header('X-Empty', '')] }],
    ['header value of 4,096 ASCII bytes', { headers: [header('X-Big', 'v'.repeat(4_096))] }],
    ['header value of 4,096 bytes in 2,048 two-byte characters', { headers: [header('X-Big', 'é'.repeat(2_048))] }],
    ['header value with tabs and spaces', { headers: [header('Authorization', 'Bearer\t abc def')] }],
    ['intervalSeconds 1 (with timeoutMs 999)', { intervalSeconds: 1, timeoutMs: 999 }],
    ['intervalSeconds 86,400', { intervalSeconds: 86_400 }],
    ['timeoutMs 100', { timeoutMs: 100 }],
    ['timeoutMs 60,000 (with intervalSeconds 61)', { timeoutMs: 60_000, intervalSeconds: 61 }],
    ['timeoutMs one below intervalSeconds × 1000', { intervalSeconds: 5, timeoutMs: 4_999 }],
    ['expectedStatus 100', { expectedStatus: '100' }],
    ['expectedStatus 599', { expectedStatus: '599' }],
    ['expectedStatus 100-599', { expectedStatus: '100-599' }],
    ['expectedStatus list of codes and ranges', { expectedStatus: '200,204,301-302' }],
    ['expectedStatus with whitespace around commas and dashes', { expectedStatus: ' 200 , 204 ,301 - 302 ' }],
    ['expectedStatus of 200 characters', { expectedStatus: statusOfLength(200) }],
    ['bodyContains null', { bodyContains: null }],
    ['bodyContains of 1 character', { bodyContains: 'o' }],
    ['bodyContains of 1,024 ASCII bytes', { bodyContains: 'b'.repeat(1_024) }],
    ['bodyContains of 1,024 bytes in 512 two-byte characters', { bodyContains: 'é'.repeat(512) }],
    ['bodyContains of 1,024 bytes in 341 three-byte characters + 1', { bodyContains: `${'€'.repeat(341)}a` }],
    ['bodyContains of 1,024 bytes in 256 four-byte characters', { bodyContains: '😀'.repeat(256) }],
    ['failureThreshold 1', { failureThreshold: 1 }],
    ['failureThreshold 100', { failureThreshold: 100 }],
    ['successThreshold 1', { successThreshold: 1 }],
    ['successThreshold 100', { successThreshold: 100 }],
    ['degradedAboveMs null', { degradedAboveMs: null }],
    ['degradedAboveMs 1', { degradedAboveMs: 1 }],
    ['degradedAboveMs timeoutMs - 1', { timeoutMs: 5_000, degradedAboveMs: 4_999 }],
    ['degradedAboveMs 99 with the smallest timeoutMs', { timeoutMs: 100, degradedAboveMs: 99 }],
    ['no labels', { labels: [] }],
    ['32 labels', { labels: labels(32) }],
    ['label of 1 character', { labels: ['a'] }],
    ['label of 64 characters', { labels: ['l'.repeat(64)] }],
    [
      'labels using every allowed character',
      { labels: ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'env:prod/eu-west_1.a'] },
    ],
  ])('%s', (_, overrides) => {
    expect(() => validateService(service(overrides))).not.toThrow();
  });
});

describe('validateService rejects the first invalid value of every bound', () => {
  it.each<[string, Partial<ServiceInput>, string, string]>([
    // name
    ['empty name', { name: '' }, 'name', '1–100 characters'],
    ['name of only whitespace', { name: ' \t  ' }, 'name', '1–100 characters (got 0)'],
    ['name of 101 characters', { name: 'n'.repeat(101) }, 'name', '1–100 characters (got 101)'],
    ['name of 101 astral characters', { name: '😀'.repeat(101) }, 'name', '(got 101)'],
    ['name with a NUL', { name: 'Check\u0000out' }, 'name', 'control characters'],
    ['name with a newline inside', { name: 'Check\nout' }, 'name', 'control characters'],
    ['name with DEL', { name: 'Check\u007fout' }, 'name', 'control characters'],
    // url
    ['empty url', { url: '' }, 'url', 'is required'],
    ['url of only whitespace', { url: '   ' }, 'url', 'is required'],
    ['url of 2,049 characters', { url: urlOfLength(2_049) }, 'url', 'at most 2048 characters'],
    ['url without a scheme', { url: 'example.com/health' }, 'url', 'absolute http:// or https://'],
    ['relative url', { url: '/health' }, 'url', 'absolute http:// or https://'],
    ['scheme-relative url', { url: '//example.com/health' }, 'url', 'absolute http:// or https://'],
    ['http url without a host', { url: 'http://' }, 'url', 'absolute http:// or https://'],
    ['ftp url', { url: 'ftp://example.com/file' }, 'url', 'not ftp'],
    ['file url', { url: 'file:///etc/passwd' }, 'url', 'not file'],
    ['smtp url (no such kind yet)', { url: 'smtp://example.com:25' }, 'url', 'not smtp'],
    ['javascript url', { url: 'javascript:alert(1)' }, 'url', 'not javascript'],
    // method
    ['method PUT', { method: 'PUT' as ServiceInput['method'] }, 'method', 'GET, HEAD or POST'],
    ['lower-case method', { method: 'get' as ServiceInput['method'] }, 'method', 'GET, HEAD or POST'],
    // headers
    ['33 headers', { headers: okHeaders(33) }, 'headers', 'at most 32 headers'],
    ['empty header name', { headers: thirdHeader(header('')) }, 'headers[2].name', 'not a valid HTTP header name'],
    [
      'header name of only spaces',
      { headers: thirdHeader(header('   ')) },
      'headers[2].name',
      'not a valid HTTP header name',
    ],
    [
      'header name with a space',
      { headers: thirdHeader(header('X Trace')) },
      'headers[2].name',
      '"X Trace" is not a valid',
    ],
    [
      'header name with a colon',
      { headers: thirdHeader(header('X-Trace:')) },
      'headers[2].name',
      'not a valid HTTP header name',
    ],
    [
      'header name with a non-ASCII letter',
      { headers: thirdHeader(header('X-Tëst')) },
      'headers[2].name',
      'not a valid',
    ],
    ['header name with parentheses', { headers: thirdHeader(header('X(Trace)')) }, 'headers[2].name', 'not a valid'],
    [
      'header value of 4,097 ASCII bytes',
      { headers: thirdHeader(header('X-Big', 'v'.repeat(4_097))) },
      'headers[2].value',
      'at most 4096 bytes',
    ],
    [
      'header value of 4,097 bytes, 2,049 characters',
      { headers: thirdHeader(header('X-Big', `${'é'.repeat(2_048)}a`)) },
      'headers[2].value',
      'at most 4096 bytes',
    ],
    ['header value with CR', { headers: thirdHeader(header('X-A', 'a\rb')) }, 'headers[2].value', 'CR, LF or NUL'],
    ['header value with LF', { headers: thirdHeader(header('X-A', 'a\nb')) }, 'headers[2].value', 'CR, LF or NUL'],
    [
      'header value smuggling a second header',
      { headers: thirdHeader(header('X-A', 'a\r\nX-Evil: 1')) },
      'headers[2].value',
      'CR, LF or NUL',
    ],
    ['header value with NUL', { headers: thirdHeader(header('X-A', 'a\u0000b')) }, 'headers[2].value', 'CR, LF or NUL'],
    [
      'header value with another control character',
      { headers: thirdHeader(header('X-A', 'a\u0001b')) },
      'headers[2].value',
      'control characters',
    ],
    [
      'header value with DEL',
      { headers: thirdHeader(header('X-A', 'a\u007fb')) },
      'headers[2].value',
      'control characters',
    ],
    // intervalSeconds
    ['intervalSeconds 0', { intervalSeconds: 0 }, 'intervalSeconds', 'from 1 to 86400 (got 0)'],
    ['negative intervalSeconds', { intervalSeconds: -30 }, 'intervalSeconds', 'from 1 to 86400'],
    ['intervalSeconds 86,401', { intervalSeconds: 86_401 }, 'intervalSeconds', 'from 1 to 86400 (got 86401)'],
    ['fractional intervalSeconds', { intervalSeconds: 30.5 }, 'intervalSeconds', 'integer from 1 to 86400'],
    ['NaN intervalSeconds', { intervalSeconds: Number.NaN }, 'intervalSeconds', 'integer from 1 to 86400'],
    // timeoutMs
    ['timeoutMs 99', { timeoutMs: 99 }, 'timeoutMs', 'from 100 to 60000 (got 99)'],
    ['timeoutMs 60,001', { timeoutMs: 60_001, intervalSeconds: 3_600 }, 'timeoutMs', 'from 100 to 60000 (got 60001)'],
    ['fractional timeoutMs', { timeoutMs: 250.5 }, 'timeoutMs', 'integer from 100 to 60000'],
    [
      'timeoutMs equal to intervalSeconds × 1000',
      { intervalSeconds: 5, timeoutMs: 5_000 },
      'timeoutMs',
      'below intervalSeconds × 1000 (5000 ms)',
    ],
    ['timeoutMs 1000 with intervalSeconds 1', { intervalSeconds: 1, timeoutMs: 1_000 }, 'timeoutMs', '(1000 ms)'],
    ['timeoutMs 60,000 with intervalSeconds 60', { intervalSeconds: 60, timeoutMs: 60_000 }, 'timeoutMs', '(60000 ms)'],
    // expectedStatus
    ['empty expectedStatus', { expectedStatus: '' }, 'expectedStatus', 'is not a status code or range'],
    ['expectedStatus 99', { expectedStatus: '99' }, 'expectedStatus', '"99" is not a status code'],
    ['expectedStatus 099', { expectedStatus: '099' }, 'expectedStatus', 'between 100 and 599'],
    ['expectedStatus 600', { expectedStatus: '600' }, 'expectedStatus', 'between 100 and 599'],
    ['expectedStatus range ending at 600', { expectedStatus: '200-600' }, 'expectedStatus', 'between 100 and 599'],
    ['reversed expectedStatus range', { expectedStatus: '299-200' }, 'expectedStatus', 'from low to high'],
    ['non-numeric expectedStatus', { expectedStatus: '2xx' }, 'expectedStatus', '"2xx" is not a status code'],
    ['expectedStatus with an empty item', { expectedStatus: '200,,204' }, 'expectedStatus', 'e.g. "200-299"'],
    ['expectedStatus with a trailing comma', { expectedStatus: '200,' }, 'expectedStatus', 'not a status code'],
    ['expectedStatus separated by semicolons', { expectedStatus: '200;204' }, 'expectedStatus', 'not a status code'],
    [
      'expectedStatus of 201 characters',
      { expectedStatus: statusOfLength(201) },
      'expectedStatus',
      'at most 200 characters',
    ],
    // bodyContains
    ['empty bodyContains', { bodyContains: '' }, 'bodyContains', 'must not be empty; use null'],
    ['bodyContains of 1,025 ASCII bytes', { bodyContains: 'b'.repeat(1_025) }, 'bodyContains', 'at most 1024 bytes'],
    [
      'bodyContains of 1,025 bytes in 513 characters',
      { bodyContains: `${'é'.repeat(512)}a` },
      'bodyContains',
      'at most 1024 bytes',
    ],
    [
      'bodyContains of 1,026 bytes in 342 three-byte characters',
      { bodyContains: '€'.repeat(342) },
      'bodyContains',
      'at most 1024 bytes',
    ],
    [
      'bodyContains of 1,028 bytes in 257 four-byte characters',
      { bodyContains: '😀'.repeat(257) },
      'bodyContains',
      'at most 1024 bytes',
    ],
    // thresholds
    ['failureThreshold 0', { failureThreshold: 0 }, 'failureThreshold', 'from 1 to 100 (got 0)'],
    ['failureThreshold 101', { failureThreshold: 101 }, 'failureThreshold', 'from 1 to 100 (got 101)'],
    ['fractional failureThreshold', { failureThreshold: 1.5 }, 'failureThreshold', 'integer from 1 to 100'],
    ['successThreshold 0', { successThreshold: 0 }, 'successThreshold', 'from 1 to 100 (got 0)'],
    ['successThreshold 101', { successThreshold: 101 }, 'successThreshold', 'from 1 to 100 (got 101)'],
    ['fractional successThreshold', { successThreshold: 1.5 }, 'successThreshold', 'integer from 1 to 100'],
    // degradedAboveMs
    ['degradedAboveMs 0', { degradedAboveMs: 0 }, 'degradedAboveMs', 'from 1 to 60000 (got 0)'],
    ['negative degradedAboveMs', { degradedAboveMs: -1 }, 'degradedAboveMs', 'from 1 to 60000'],
    ['fractional degradedAboveMs', { degradedAboveMs: 10.5 }, 'degradedAboveMs', 'integer from 1'],
    [
      'degradedAboveMs equal to timeoutMs',
      { timeoutMs: 5_000, degradedAboveMs: 5_000 },
      'degradedAboveMs',
      'below timeoutMs (5000)',
    ],
    [
      'degradedAboveMs 100 with the smallest timeoutMs',
      { timeoutMs: 100, degradedAboveMs: 100 },
      'degradedAboveMs',
      'below timeoutMs (100)',
    ],
    ['degradedAboveMs above the largest timeoutMs', { degradedAboveMs: 60_001 }, 'degradedAboveMs', 'from 1 to 60000'],
    // labels
    ['33 labels', { labels: labels(33) }, 'labels', 'at most 32 labels'],
    ['empty label', { labels: [''] }, 'labels[0]', '1–64 characters (got 0)'],
    ['label of 65 characters', { labels: ['l'.repeat(65)] }, 'labels[0]', '1–64 characters (got 65)'],
    ['upper-case label', { labels: ['prod', 'Prod'] }, 'labels[1]', '"Prod" may only use a-z, 0-9 and . _ : / -'],
    ['label with a space', { labels: ['prod', 'eu', 'eu west'] }, 'labels[2]', 'may only use a-z'],
    [
      'label with surrounding whitespace (labels are not trimmed)',
      { labels: [' prod'] },
      'labels[0]',
      'may only use a-z',
    ],
    ['label with a non-ASCII letter', { labels: ['café'] }, 'labels[0]', 'may only use a-z'],
    ['label with @', { labels: ['team@payments'] }, 'labels[0]', 'may only use a-z'],
    ['label with a comma', { labels: ['a,b'] }, 'labels[0]', 'may only use a-z'],
  ])('%s', (_, overrides, field, message) => {
    const error = rejection(() => validateService(service(overrides)));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('names the offending header value for a character HTTP cannot carry (beyond Latin-1)', () => {
    const error = rejection(() => validateService(service({ headers: thirdHeader(header('X-City', '東京')) })));
    expect(error.field).toBe('headers[2].value');
  });

  it.each([
    'Connection',
    'content-length',
    'Expect',
    'Keep-Alive',
    'Proxy-Connection',
    'TE',
    'Trailer',
    'Transfer-Encoding',
    'UPGRADE',
  ])('rejects the hop-by-hop header %s in any case', (name) => {
    const error = rejection(() => validateService(service({ headers: thirdHeader(header(name)) })));
    expect(error.field).toBe('headers[2].name');
    expect(error.message).toContain(`${name} is managed by the HTTP client and cannot be set`);
  });
});

describe('validateService normalises what it accepts', () => {
  it('trims name, url, header names and expectedStatus, and returns everything else unchanged', () => {
    const input = service({
      name: '  Checkout API \n',
      url: '\t https://example.com/health  ',
      headers: [header('  Authorization ', ' Bearer abc ')],
      expectedStatus: ' 200,204 ',
      bodyContains: ' ok ',
      degradedAboveMs: 800,
      labels: ['prod'],
    });
    expect(validateService(input)).toEqual({
      ...input,
      name: 'Checkout API',
      url: 'https://example.com/health',
      headers: [{ name: 'Authorization', value: ' Bearer abc ' }],
      expectedStatus: '200,204',
      kind: 'HTTP',
    });
  });

  it.each<[string[], string[]]>([
    [['prod', 'prod'], ['prod']],
    [
      ['prod', 'eu', 'prod', 'eu', 'team:payments'],
      ['prod', 'eu', 'team:payments'],
    ],
    [[...labels(31), 'label-0'], labels(31)],
  ])('deduplicates labels %j, keeping first-seen order', (given, expected) => {
    expect(validateService(service({ labels: given })).labels).toEqual(expected);
  });

  it('does not modify its input', () => {
    const input = service({ name: '  spaced  ', labels: ['a', 'a'] });
    const copy = structuredClone(input);
    validateService(input);
    expect(input).toEqual(copy);
  });
});

describe('mergeUpdate', () => {
  const current = service({
    name: 'Checkout API',
    url: 'https://example.com/health',
    method: 'POST',
    headers: [header('Authorization', 'Bearer abc')],
    intervalSeconds: 60,
    timeoutMs: 5_000,
    expectedStatus: '200,204',
    bodyContains: 'ok',
    failureThreshold: 3,
    successThreshold: 2,
    degradedAboveMs: 800,
    labels: ['prod', 'eu'],
  });

  it('keeps every field when the update is empty', () => {
    expect(mergeUpdate(current, {})).toEqual(current);
  });

  it('keeps fields given as undefined', () => {
    const patch: UpdateInput = {
      name: undefined,
      headers: undefined,
      bodyContains: undefined,
      degradedAboveMs: undefined,
      labels: undefined,
    };
    expect(mergeUpdate(current, patch)).toEqual(current);
  });

  it.each<[keyof ServiceInput, ServiceInput[keyof ServiceInput]]>([
    ['name', 'Payments API'],
    ['url', 'http://payments.internal/ready'],
    ['method', 'HEAD'],
    ['headers', [header('X-Token', 't')]],
    ['intervalSeconds', 120],
    ['timeoutMs', 2_000],
    ['expectedStatus', '200-399'],
    ['bodyContains', 'healthy'],
    ['failureThreshold', 5],
    ['successThreshold', 4],
    ['degradedAboveMs', 1_500],
    ['labels', ['staging']],
  ])('replaces %s when given, and only %s', (key, value) => {
    expect(mergeUpdate(current, { [key]: value })).toEqual({ ...current, [key]: value });
  });

  it.each<[keyof ServiceInput, ServiceInput[keyof ServiceInput]]>([
    ['bodyContains', null],
    ['degradedAboveMs', null],
    ['headers', []],
    ['labels', []],
  ])('clears %s when given null', (key, cleared) => {
    expect(mergeUpdate(current, { [key]: null })).toEqual({ ...current, [key]: cleared });
  });

  it.each<keyof ServiceInput>([
    'name',
    'url',
    'method',
    'intervalSeconds',
    'timeoutMs',
    'expectedStatus',
    'failureThreshold',
    'successThreshold',
  ])('keeps the required field %s when given null', (key) => {
    expect(mergeUpdate(current, { [key]: null })).toEqual(current);
  });

  it('clears an empty list to an empty list, not to the current one', () => {
    expect(mergeUpdate(current, { headers: [], labels: [] })).toEqual({ ...current, headers: [], labels: [] });
  });

  it('produces a definition that still passes validation when nothing breaks a rule', () => {
    expect(validateService(mergeUpdate(current, { intervalSeconds: 6, degradedAboveMs: null }))).toEqual({
      ...current,
      kind: 'HTTP',
      intervalSeconds: 6,
      degradedAboveMs: null,
    });
  });

  it.each<[string, UpdateInput, string, string]>([
    ['lowering intervalSeconds to the existing timeoutMs', { intervalSeconds: 5 }, 'timeoutMs', '(5000 ms)'],
    ['raising timeoutMs to intervalSeconds × 1000', { timeoutMs: 60_000 }, 'timeoutMs', '(60000 ms)'],
    [
      'lowering timeoutMs to the existing degradedAboveMs',
      { timeoutMs: 800 },
      'degradedAboveMs',
      'below timeoutMs (800)',
    ],
    [
      'setting bodyContains to the empty string instead of null',
      { bodyContains: '' },
      'bodyContains',
      'use null to remove it',
    ],
    ['renaming to whitespace', { name: '   ' }, 'name', '1–100 characters'],
    ['adding a 33rd label', { labels: labels(33) }, 'labels', 'at most 32 labels'],
    [
      'adding a forbidden header',
      { headers: [header('Transfer-Encoding', 'chunked')] },
      'headers[0].name',
      'managed by the HTTP client',
    ],
  ])('re-validates the merged result: %s fails', (_, patch, field, message) => {
    const error = rejection(() => validateService(mergeUpdate(current, patch)));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });
});

describe('parseExpectedStatus', () => {
  it.each<[string, [number, number][]]>([
    ['200', [[200, 200]]],
    ['100', [[100, 100]]],
    ['599', [[599, 599]]],
    ['200-299', [[200, 299]]],
    ['100-599', [[100, 599]]],
    ['204-204', [[204, 204]]],
    [
      '200,204,301-302',
      [
        [200, 200],
        [204, 204],
        [301, 302],
      ],
    ],
    [
      ' 200 ,204 ,  301 - 302 ',
      [
        [200, 200],
        [204, 204],
        [301, 302],
      ],
    ],
    [
      '200,\t204',
      [
        [200, 200],
        [204, 204],
      ],
    ],
    [
      statusOfLength(200),
      [
        [200, 200],
        [204, 204],
      ],
    ],
  ])('parses %j', (text, ranges) => {
    expect(parseExpectedStatus(text)).toEqual({ ok: true, ranges });
  });

  it.each<[string, string]>([
    ['', '"" is not a status code or range; use codes 100-599'],
    ['99', '"99" is not a status code or range'],
    ['1000', '"1000" is not a status code or range'],
    ['099', '"099": status codes must be between 100 and 599'],
    ['600', '"600": status codes must be between 100 and 599'],
    ['099-200', 'between 100 and 599'],
    ['500-600', '"500-600": status codes must be between 100 and 599'],
    ['299-200', '"299-200": a range must go from low to high'],
    ['201-200', 'a range must go from low to high'],
    ['abc', '"abc" is not a status code or range'],
    ['2xx', '"2xx" is not a status code or range'],
    ['２００', 'is not a status code or range'],
    ['200-', '"200-" is not a status code or range'],
    ['-200', '"-200" is not a status code or range'],
    ['200-299-300', 'is not a status code or range'],
    ['200 204', '"200 204" is not a status code or range'],
    ['200,,204', '"" is not a status code or range'],
    ['200,600', '"600": status codes must be between 100 and 599'],
    [statusOfLength(201), 'must be at most 200 characters'],
  ])('rejects %j', (text, message) => {
    const parsed = parseExpectedStatus(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(message);
  });
});

describe('statusMatches', () => {
  const ranges = (text: string) => {
    const parsed = parseExpectedStatus(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.ranges;
  };

  it.each<[string, number, boolean]>([
    ['200-299', 199, false],
    ['200-299', 200, true],
    ['200-299', 250, true],
    ['200-299', 299, true],
    ['200-299', 300, false],
    ['200', 200, true],
    ['200', 201, false],
    ['200,204,301-302', 204, true],
    ['200,204,301-302', 203, false],
    ['200,204,301-302', 300, false],
    ['200,204,301-302', 301, true],
    ['200,204,301-302', 302, true],
    ['200,204,301-302', 303, false],
    ['100-599', 100, true],
    ['100-599', 599, true],
    ['100-599', 600, false],
  ])('%s matches %i: %s', (text, code, expected) => {
    expect(statusMatches(ranges(text), code)).toBe(expected);
  });

  it('matches nothing with no ranges', () => {
    expect(statusMatches([], 200)).toBe(false);
  });
});

describe('kinds of check, chosen by the url scheme', () => {
  it.each<[string, string]>([
    ['http://example.com/health', 'HTTP'],
    ['HTTPS://example.com/health', 'HTTP'],
    ['tcp://db.example.com:5432', 'TCP'],
    ['tcp://[2001:db8::1]:22/', 'TCP'],
  ])('%s is checked as %s', (url, kind) => {
    expect(validateService(service({ url })).kind).toBe(kind);
  });

  it('accepts a kind that matches the scheme, and TCP options for TCP', () => {
    const valid = validateService(service({ url: 'tcp://db:5432', kind: 'TCP', tcp: { send: 'PING', expect: null } }));
    expect(valid).toMatchObject({ kind: 'TCP', tcp: { send: 'PING', expect: null } });
    expect(validateService(service({ url: 'tcp://db:5432', tcp: { send: null, expect: null } })).tcp).toBeNull();
  });

  it.each<[string, Partial<ServiceInput>, string, string]>([
    ['unknown scheme', { url: 'gopher://example.com:70' }, 'url', 'must use http, https, tcp'],
    ['tcp without a port', { url: 'tcp://db.example.com' }, 'url', 'must name a port, e.g. tcp://'],
    ['tcp without a host', { url: 'tcp://:5432' }, 'url', 'absolute'],
    ['tcp with a path', { url: 'tcp://db:5432/x' }, 'url', 'only host:port'],
    ['tcp with a password', { url: 'tcp://u:p@db:5432' }, 'url', 'no user name or password'],
    ['kind against the scheme', { url: 'https://example.com', kind: 'TCP' }, 'kind', 'checked as HTTP'],
    ['tcp options on HTTP', { tcp: { send: 'x', expect: null } }, 'tcp', 'does not apply to HTTP checks'],
    ['headers on TCP', { url: 'tcp://db:1', headers: [header('X-A')] }, 'headers', 'does not apply to TCP'],
    ['bodyContains on TCP', { url: 'tcp://db:1', bodyContains: 'ok' }, 'bodyContains', 'does not apply to TCP'],
    ['method on TCP', { url: 'tcp://db:1', method: 'POST' }, 'method', 'does not apply to TCP'],
    ['expectedStatus on TCP', { url: 'tcp://db:1', expectedStatus: '200' }, 'expectedStatus', 'does not apply'],
    ['empty tcp.send', { url: 'tcp://db:1', tcp: { send: '', expect: null } }, 'tcp.send', 'must not be empty'],
    ['NUL in tcp.expect', { url: 'tcp://db:1', tcp: { send: null, expect: 'a\0' } }, 'tcp.expect', 'NUL'],
    [
      'tcp.expect too long',
      { url: 'tcp://db:1', tcp: { send: null, expect: 'x'.repeat(1_025) } },
      'tcp.expect',
      'at most 1024 bytes',
    ],
  ])('rejects %s, naming %s', (_what, overrides, field, message) => {
    const error = rejection(() => validateService(service(overrides)));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
  });

  it('chooses the kind again when an update changes the url, and keeps it otherwise', () => {
    const tcp = validateService(service({ url: 'tcp://db:5432' }));
    expect(validateService(mergeUpdate(tcp, { url: 'https://example.com' })).kind).toBe('HTTP');
    expect(mergeUpdate(tcp, { intervalSeconds: 60 }).kind).toBe('TCP');
  });
});
