import { describe, expect, it } from 'vitest';
import { createFlapDetector } from '../../src/checks/flap-detector.js';
import { GIVE_UP_AFTER_MS, nextAttemptAt } from '../../src/notify/backoff.js';
import { judgeResponse, parseRetryAfter } from '../../src/notify/http-transport.js';
import { headline, type Notification, type ServiceNotice } from '../../src/notify/message.js';
import { createSecretBox } from '../../src/notify/secrets.js';

const T0 = new Date('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('the retry schedule', () => {
  it.each([
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [6, 320_000],
    [7, 600_000],
    [20, 600_000],
  ])('after attempt %i waits %i ms (no jitter at 0.5)', (attempts, ms) => {
    expect(nextAttemptAt(T0, attempts, T0, undefined, undefined, () => 0.5)!.getTime() - T0.getTime()).toBe(ms);
  });

  it('jitters by ±20 %', () => {
    expect(nextAttemptAt(T0, 1, T0, undefined, undefined, () => 0)!.getTime() - T0.getTime()).toBe(8_000);
    expect(nextAttemptAt(T0, 1, T0, undefined, undefined, () => 1)!.getTime() - T0.getTime()).toBe(12_000);
  });

  it('honours Retry-After over the schedule, and gives up after 24 h', () => {
    expect(nextAttemptAt(T0, 1, T0, 90_000)!.getTime() - T0.getTime()).toBe(90_000);
    expect(nextAttemptAt(T0, 30, at(GIVE_UP_AFTER_MS - 1_000), undefined)).toBeNull();
  });
});

describe('judging a receiver answer', () => {
  it.each([
    [200, {}, { ok: true }],
    [204, {}, { ok: true }],
    [400, {}, { ok: false, permanent: true }],
    [404, {}, { ok: false, permanent: true }],
    [408, {}, { ok: false, permanent: false }],
    [429, { 'retry-after': '7' }, { ok: false, permanent: false, retryAfterMs: 7_000 }],
    [500, {}, { ok: false, permanent: false }],
    [503, { 'retry-after': '2' }, { ok: false, permanent: false, retryAfterMs: 2_000 }],
    [
      302,
      { location: 'http://10.0.0.1/x?token=secret' },
      { ok: false, permanent: true, error: 'HTTP 302: redirects are not followed (to http://10.0.0.1/x)' },
    ],
  ])('HTTP %i %j', (status, headers, expected) => {
    expect(judgeResponse(status, headers, '')).toMatchObject(expected);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(T0.getTime() + 30_000).toUTCString(), T0.getTime())).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});

describe('headlines', () => {
  const notice = (name: string): ServiceNotice => ({
    id: name,
    name,
    url: `https://${name}.example.com`,
    labels: [],
    previous: 'UP',
    current: 'DOWN',
    message: null,
    reason: null,
    since: T0,
    link: null,
  });
  const n = (names: string[], extra: Partial<Notification> = {}): Notification => ({
    deliveryId: 'd',
    event: 'DOWN',
    at: T0,
    services: names.map(notice),
    summary: false,
    publicUrl: null,
    ...extra,
  });
  it.each([
    [n(['api']), 'api is DOWN'],
    [n(['api'], { event: 'UP' }), 'api is UP again'],
    [n(['a', 'b']), '2 services DOWN: a, b'],
    [n(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l']), '12 services DOWN: a, b, c … and 9 more'],
    [n(['a', 'b', 'c', 'd'], { summary: true }), '4 notifications held by the rate limit: a, b, c … and 1 more'],
    [n([], { event: 'TEST' }), 'Test notification from statuschecker'],
  ])('%#: %s', (notification, expected) => {
    expect(headline(notification)).toBe(expected);
  });
});

describe('flap detection', () => {
  it('flaps after more than 5 changes in 10 minutes and is stable after 5 minutes without one', () => {
    const flaps = createFlapDetector();
    for (let i = 0; i < 5; i++) expect(flaps.observe('s', true, at(i * 60_000))).toBe(false);
    expect(flaps.observe('s', true, at(5 * 60_000))).toBe(true);
    expect(flaps.observe('s', false, at(9 * 60_000))).toBe(true);
    expect(flaps.observe('s', false, at(10 * 60_000))).toBe(false);
  });

  it('does not flap when the changes are spread over more than 10 minutes', () => {
    const flaps = createFlapDetector();
    for (let i = 0; i < 10; i++) expect(flaps.observe('s', true, at(i * 3 * 60_000))).toBe(false);
  });
});

describe('sealed secrets', () => {
  const key = Buffer.alloc(32, 1);
  it('seals with AES-256-GCM under the channel id and opens only there', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('hunter2-hunter2', 'channel-a');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'channel-a')).toBe('hunter2-hunter2');
    expect(() => box.open(sealed, 'channel-b')).toThrow(/does not open/);
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed, 'channel-a')).toThrow(/does not open/);
    expect(() => createSecretBox(null).open(sealed, 'channel-a')).toThrow(/SECRETS_KEY is not set/);
  });

  it('without a key stores the value marked plain, which a key set later still reads', () => {
    const stored = createSecretBox(null).seal('value-1', 'c');
    expect(stored).toBe('plain:value-1');
    expect(createSecretBox(key).open(stored, 'c')).toBe('value-1');
  });
});
