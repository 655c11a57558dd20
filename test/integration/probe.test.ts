import diagnostics from 'node:diagnostics_channel';
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectPolicy } from '../../src/policy/target-policy.js';
import { BODY_LIMIT_BYTES } from '../../src/probe/http/body.js';
import { createHttpProber, type HttpProber } from '../../src/probe/http/http-prober.js';
import type { HttpProbeTarget } from '../../src/probe/http/target.js';
import { CHECK_FAILURE_REASONS, type ProbeResult } from '../../src/probe/prober.js';
import { propertyParameters } from '../support/properties.js';
import {
  closedPort,
  lookupVia,
  MARKER,
  startSilentServer,
  startTarget,
  startTlsTarget,
  type Target,
  TLS_HOSTNAME,
  type TlsTarget,
} from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const USER_AGENT = 'statuschecker-test/1.0';
/** Deadline of the cases that are meant to hit it: short, so that the file stays fast. */
const DEADLINE_MS = 500;
/** How late a check may end after its deadline (timers, a loaded CI machine). */
const DEADLINE_SLACK_MS = 500;
/** undici hands over at most one socket read at a time: 64 KiB for TCP, 16 KiB for TLS. */
const LARGEST_CHUNK = 64 * 1024;

function target(url: string, overrides: Partial<HttpProbeTarget> = {}): HttpProbeTarget {
  return {
    url,
    method: 'GET',
    headers: [],
    timeoutMs: 5_000,
    expectedStatus: [[200, 299]],
    expectedStatusText: '200-299',
    bodyContains: null,
    degradedAboveMs: null,
    ...overrides,
  };
}

async function timed(result: Promise<ProbeResult>): Promise<[ProbeResult, number]> {
  const start = performance.now();
  const value = await result;
  return [value, performance.now() - start];
}

/** Counts the response body bytes undici hands to the probe for requests of `path`. */
function watchBodyBytes(path: string): { total: number; largestChunk: number; stop(): void } {
  const channel = diagnostics.channel('undici:request:bodyChunkReceived');
  const watch = {
    total: 0,
    largestChunk: 0,
    stop: () => channel.unsubscribe(listener),
  };
  const listener = (message: unknown) => {
    const { request, chunk } = message as { request: { path: string }; chunk: Buffer };
    if (!request.path.startsWith(path)) return;
    watch.total += chunk.length;
    watch.largestChunk = Math.max(watch.largestChunk, chunk.length);
  };
  channel.subscribe(listener);
  return watch;
}

const loopbackPolicy: ConnectPolicy = {
  check: (address) => (address === '127.0.0.1' || address === '::1' ? `${address} is loopback` : null),
};

let web: Target;
let silent: Target;
let trusted: TlsTarget;
let expired: TlsTarget;
let selfSigned: TlsTarget;
const lookup = lookupVia({ [TLS_HOSTNAME]: '127.0.0.1' });

beforeAll(async () => {
  [web, silent, trusted, expired, selfSigned] = await Promise.all([
    startTarget(),
    startSilentServer(),
    startTlsTarget('trusted'),
    startTlsTarget('expired'),
    startTlsTarget('self-signed'),
  ]);
});

afterAll(async () => {
  await Promise.all([web, silent, trusted, expired, selfSigned].map((server) => server?.close()));
});

describe.each(['keep-alive', 'fresh'] as const)('probe, %s connections', (connectionMode) => {
  let prober: HttpProber;

  beforeAll(() => {
    prober = createHttpProber({ userAgent: USER_AGENT, connectionMode, lookup, ca: trusted.ca });
  });
  afterAll(() => prober.close());
  // Whatever a case did to it, the target (and the prober) still serve the next check.
  afterEach(async () => {
    expect(await prober.probe(target(web.url('/ok')))).toMatchObject({ ok: true, httpStatus: 200 });
  });

  it('a 200 answer is up, with its latency', async () => {
    const result = await prober.probe(target(web.url('/ok')));
    expect(result).toEqual({
      ok: true,
      degraded: false,
      latencyMs: expect.any(Number),
      httpStatus: 200,
      reason: null,
      message: null,
      certificateExpiresAt: null,
      phases: {
        dnsMs: null,
        connectMs: expect.anything(),
        tlsMs: null,
        firstByteMs: expect.any(Number),
        transferMs: null,
      },
    });
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('an unexpected status fails with HTTP_STATUS', async () => {
    const result = await prober.probe(target(web.url('/status/503')));
    expect(result).toMatchObject({
      ok: false,
      httpStatus: 503,
      reason: 'HTTP_STATUS',
      message: 'expected 200-299, got 503',
    });
    const listed = await prober.probe(
      target(web.url('/status/503'), {
        expectedStatus: [
          [200, 200],
          [500, 503],
        ],
        expectedStatusText: '200,500-503',
      }),
    );
    expect(listed).toMatchObject({ ok: true, httpStatus: 503 });
  });

  it('headers later than the deadline: TIMEOUT at the deadline', async () => {
    const [result, elapsed] = await timed(prober.probe(target(web.url('/slow?ms=3000'), { timeoutMs: DEADLINE_MS })));
    expect(result).toMatchObject({
      ok: false,
      httpStatus: null,
      reason: 'TIMEOUT',
      message: `timed out after ${DEADLINE_MS} ms`,
    });
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 1);
    expect(elapsed).toBeLessThan(DEADLINE_MS + DEADLINE_SLACK_MS);
    expect(result.latencyMs).toBeGreaterThanOrEqual(DEADLINE_MS - 1);
  });

  it('a request that is never answered: TIMEOUT', async () => {
    const [result, elapsed] = await timed(prober.probe(target(web.url('/never'), { timeoutMs: DEADLINE_MS })));
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT', message: `timed out after ${DEADLINE_MS} ms` });
    expect(elapsed).toBeLessThan(DEADLINE_MS + DEADLINE_SLACK_MS);
  });

  it('a server that accepts TCP and never says a word: TIMEOUT', async () => {
    const result = await prober.probe(target(silent.url('/'), { timeoutMs: DEADLINE_MS }));
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT', message: `timed out after ${DEADLINE_MS} ms` });
  });

  it('a TLS handshake that never completes: CONNECT_TIMEOUT, and the attempt is torn down', async () => {
    const before = silent.connections();
    const url = silent.url('/').replace('http:', 'https:');
    const [result, elapsed] = await timed(prober.probe(target(url, { timeoutMs: DEADLINE_MS })));
    expect(result).toMatchObject({
      ok: false,
      reason: 'CONNECT_TIMEOUT',
      message: `could not connect within ${DEADLINE_MS} ms`,
    });
    expect(elapsed).toBeLessThan(DEADLINE_MS + DEADLINE_SLACK_MS);
    expect(silent.connections()).toBe(before + 1);
    await eventually(() => silent.openConnections() === 0 || undefined, 2_000, 'the attempt torn down');
  });

  it('a DNS lookup that never answers: CONNECT_TIMEOUT', async () => {
    const hanging: LookupFunction = (hostname, options, callback) => {
      if (hostname !== 'hangs.test') dns.lookup(hostname, options, callback);
    };
    const own = createHttpProber({ userAgent: USER_AGENT, connectionMode, lookup: hanging });
    try {
      const [result, elapsed] = await timed(own.probe(target('http://hangs.test/', { timeoutMs: DEADLINE_MS })));
      expect(result).toMatchObject({
        ok: false,
        reason: 'CONNECT_TIMEOUT',
        message: `could not connect within ${DEADLINE_MS} ms`,
      });
      expect(elapsed).toBeLessThan(DEADLINE_MS + DEADLINE_SLACK_MS);
    } finally {
      await own.close();
    }
  });

  it('a body dripping one byte per second ends at the deadline', async () => {
    const [result, elapsed] = await timed(
      prober.probe(target(web.url('/drip?ms=1000'), { timeoutMs: DEADLINE_MS * 2, bodyContains: MARKER })),
    );
    expect(result).toMatchObject({
      ok: false,
      httpStatus: 200,
      reason: 'TIMEOUT',
      message: `timed out after ${DEADLINE_MS * 2} ms`,
    });
    expect(elapsed).toBeLessThan(DEADLINE_MS * 2 + DEADLINE_SLACK_MS);
  });

  it('a dripping body is not waited for when the body is not checked', async () => {
    const result = await prober.probe(target(web.url('/drip?ms=1000'), { timeoutMs: DEADLINE_MS }));
    expect(result).toMatchObject({ ok: true, httpStatus: 200 });
  });

  it('a 10 MB body without the text: BODY_TOO_LARGE, reading 64 KiB and not much more', async () => {
    const watch = watchBodyBytes('/big');
    try {
      const result = await prober.probe(target(web.url('/big?mb=10'), { bodyContains: MARKER }));
      expect(result).toMatchObject({ ok: false, httpStatus: 200, reason: 'BODY_TOO_LARGE' });
      expect(result.message).toBe(`body is larger than 64 KiB and does not contain "${MARKER}" in its first 64 KiB`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // any late chunk would show here
      expect(watch.total).toBeGreaterThan(BODY_LIMIT_BYTES);
      expect(watch.largestChunk).toBeLessThanOrEqual(LARGEST_CHUNK);
      expect(watch.total).toBeLessThanOrEqual(BODY_LIMIT_BYTES + watch.largestChunk);
    } finally {
      watch.stop();
    }
  });

  it('a 10 MB body that is not checked is not read either', async () => {
    const watch = watchBodyBytes('/big');
    try {
      expect(await prober.probe(target(web.url('/big?mb=10')))).toMatchObject({ ok: true, httpStatus: 200 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(watch.total).toBeLessThanOrEqual(BODY_LIMIT_BYTES + LARGEST_CHUNK);
    } finally {
      watch.stop();
    }
  });

  it('bodyContains: found is up, missing is BODY_MISMATCH', async () => {
    expect(await prober.probe(target(web.url('/marker'), { bodyContains: MARKER }))).toMatchObject({
      ok: true,
      httpStatus: 200,
    });
    expect(await prober.probe(target(web.url('/no-marker'), { bodyContains: MARKER }))).toMatchObject({
      ok: false,
      httpStatus: 200,
      reason: 'BODY_MISMATCH',
      message: `body does not contain "${MARKER}"`,
    });
  });

  it('a redirect loop stops after 5 redirects with REDIRECT_LIMIT', async () => {
    const before = web.hits('/loop');
    const result = await prober.probe(target(web.url('/loop')));
    expect(result).toMatchObject({
      ok: false,
      httpStatus: 302,
      reason: 'REDIRECT_LIMIT',
      message: 'more than 5 redirects',
    });
    expect(web.hits('/loop') - before).toBe(6);
  });

  it('a redirect to a healthy page is up with the final status', async () => {
    const before = web.hits('/ok');
    const result = await prober.probe(target(web.url('/redirect?to=/ok')));
    expect(result).toMatchObject({ ok: true, httpStatus: 200, reason: null });
    expect(web.hits('/ok') - before).toBe(1);
    const absolute = await prober.probe(
      target(web.url(`/redirect?status=308&to=${encodeURIComponent(web.url('/marker'))}`), { bodyContains: MARKER }),
    );
    expect(absolute).toMatchObject({ ok: true, httpStatus: 200 });
  });

  it('an unparsable redirect is NETWORK, and its message never shows credentials', async () => {
    const result = await prober.probe(
      target(web.url(`/redirect?to=${encodeURIComponent('http://user:s3cr3t@[not-an-address')}`)),
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'NETWORK',
      message: 'invalid redirect location "http://[redacted]@[not-an-address"',
    });
    expect(result.message).not.toContain('s3cr3t');
  });

  it('a redirect the operator expects is not followed', async () => {
    const before = web.hits('/ok');
    const result = await prober.probe(
      target(web.url('/redirect?to=/ok'), { expectedStatus: [[301, 302]], expectedStatusText: '301-302' }),
    );
    expect(result).toMatchObject({ ok: true, httpStatus: 302 });
    expect(web.hits('/ok')).toBe(before);
  });

  it('a POST redirected by 302 or 303 goes on as GET; 307 keeps POST', async () => {
    const post = (status: number) =>
      prober.probe(target(web.url(`/redirect?status=${status}&to=/echo`), { method: 'POST' }));
    expect(await post(302)).toMatchObject({ ok: true });
    expect(web.lastRequest('/echo')?.method).toBe('GET');
    expect(await post(303)).toMatchObject({ ok: true });
    expect(web.lastRequest('/echo')?.method).toBe('GET');
    expect(await post(307)).toMatchObject({ ok: true });
    expect(web.lastRequest('/echo')?.method).toBe('POST');
  });

  it('sends the target headers and our User-Agent unless the target sets one', async () => {
    await prober.probe(target(web.url('/echo'), { headers: [{ name: 'X-Probe', value: 'yes' }] }));
    expect(web.lastRequest('/echo')?.headers).toMatchObject({ 'user-agent': USER_AGENT, 'x-probe': 'yes' });
    await prober.probe(target(web.url('/echo'), { headers: [{ name: 'User-Agent', value: 'custom/2' }] }));
    expect(web.lastRequest('/echo')?.headers['user-agent']).toBe('custom/2');
  });

  it('credentials go to the target origin only, not to another origin it redirects to', async () => {
    const headers = [{ name: 'Authorization', value: 'Bearer secret' }];
    await prober.probe(target(web.url('/redirect?to=/echo'), { headers }));
    expect(web.lastRequest('/echo')?.headers.authorization).toBe('Bearer secret');
    const elsewhere = web.url('/echo').replace('127.0.0.1', 'localhost.test');
    const own = createHttpProber({
      userAgent: USER_AGENT,
      connectionMode,
      lookup: lookupVia({ 'localhost.test': '127.0.0.1' }),
    });
    try {
      await own.probe(target(web.url(`/redirect?to=${encodeURIComponent(elsewhere)}`), { headers }));
      expect(web.lastRequest('/echo')?.headers.authorization).toBeUndefined();
    } finally {
      await own.close();
    }
  });

  it('HEAD checks work', async () => {
    expect(await prober.probe(target(web.url('/ok'), { method: 'HEAD' }))).toMatchObject({ ok: true, httpStatus: 200 });
    expect(web.lastRequest('/ok')?.method).toBe('HEAD');
  });

  it('a closed port: CONNECT_REFUSED', async () => {
    const port = await closedPort();
    expect(await prober.probe(target(`http://127.0.0.1:${port}/`))).toMatchObject({
      ok: false,
      httpStatus: null,
      reason: 'CONNECT_REFUSED',
      message: 'connection refused',
    });
  });

  it('a host that does not resolve: DNS', async () => {
    expect(await prober.probe(target('http://nothing.invalid/'))).toMatchObject({
      ok: false,
      reason: 'DNS',
      message: expect.stringMatching(/^could not resolve host nothing\.invalid\b/),
    });
  });

  it('a connection closed without an answer: NETWORK', async () => {
    expect(await prober.probe(target(web.url('/reset')))).toMatchObject({
      ok: false,
      reason: 'NETWORK',
      message: 'connection closed by the server',
    });
  });

  it('https with a trusted certificate is up and reports when the certificate expires', async () => {
    const result = await prober.probe(target(trusted.url('/ok')));
    expect(result).toMatchObject({ ok: true, httpStatus: 200, certificateExpiresAt: trusted.certificateExpiresAt });
    const again = await prober.probe(target(trusted.url('/ok')));
    expect(again.certificateExpiresAt).toEqual(trusted.certificateExpiresAt);
  });

  it('https: a certificate for another host fails with TLS', async () => {
    const url = trusted.url('/ok').replace(TLS_HOSTNAME, '127.0.0.1');
    expect(await prober.probe(target(url))).toMatchObject({
      ok: false,
      reason: 'TLS',
      message: 'certificate is for another host',
      certificateExpiresAt: null,
    });
  });

  it('https: a self-signed certificate fails with TLS', async () => {
    expect(await prober.probe(target(selfSigned.url('/ok')))).toMatchObject({
      ok: false,
      reason: 'TLS',
      message: 'self-signed certificate',
    });
  });

  it('https: an expired certificate fails with TLS "certificate has expired"', async () => {
    expect(await prober.probe(target(expired.url('/ok')))).toMatchObject({
      ok: false,
      reason: 'TLS',
      message: 'certificate has expired',
    });
  });

  it('https: an untrusted CA fails with TLS', async () => {
    const strict = createHttpProber({ userAgent: USER_AGENT, connectionMode, lookup });
    try {
      expect(await strict.probe(target(trusted.url('/ok')))).toMatchObject({
        ok: false,
        reason: 'TLS',
        message: expect.stringContaining('not trusted'),
      });
    } finally {
      await strict.close();
    }
  });

  it('slower than degradedAboveMs: up but degraded, with a message', async () => {
    const result = await prober.probe(target(web.url('/slow?ms=150'), { degradedAboveMs: 50 }));
    expect(result).toMatchObject({ ok: true, degraded: true, httpStatus: 200, reason: null });
    expect(result.message).toMatch(/^slow: \d+ ms, above 50 ms$/);
    expect(Number(/slow: (\d+)/.exec(result.message ?? '')?.[1])).toBeGreaterThanOrEqual(150);
    expect(await prober.probe(target(web.url('/ok'), { degradedAboveMs: 2_000 }))).toMatchObject({
      ok: true,
      degraded: false,
      message: null,
    });
  });

  it('an aborted signal ends the check at once with a result', async () => {
    const controller = new AbortController();
    const pending = timed(prober.probe(target(web.url('/never'), { timeoutMs: 5_000 }), controller.signal));
    setTimeout(() => controller.abort(), 50);
    const [result, elapsed] = await pending;
    expect(result).toMatchObject({ ok: false, reason: 'NETWORK', message: 'aborted' });
    expect(elapsed).toBeLessThan(1_000);
    expect(await prober.probe(target(web.url('/ok')), AbortSignal.abort())).toMatchObject({
      ok: false,
      reason: 'NETWORK',
      message: 'aborted',
    });
  });

  it(`${connectionMode === 'fresh' ? 'opens a connection per check and closes it' : 'reuses its connection between checks'}`, async () => {
    // A target of its own: no other prober's connection is counted.
    const [own, alone] = [createHttpProber({ userAgent: USER_AGENT, connectionMode }), await startTarget()];
    try {
      for (let i = 0; i < 5; i += 1) {
        expect(await own.probe(target(alone.url('/ok')))).toMatchObject({ ok: true });
        // undici frees a connection one event-loop turn after its response (servers that close
        // anyway); checks of one origin are never back to back in production either.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (connectionMode === 'fresh') {
        expect(alone.connections()).toBe(5);
        await eventually(
          () => alone.openConnections() === 0 || undefined,
          2_000,
          'every connection closed after its check',
        );
      } else {
        expect(alone.connections()).toBe(1);
        expect(alone.openConnections()).toBe(1);
      }
    } finally {
      await own.close();
      await alone.close();
    }
  });
});

describe.each(['keep-alive', 'fresh'] as const)('probe target policy, %s connections', (connectionMode) => {
  let allowed: Target;
  let sharedPort: Target;
  let prober: HttpProber;

  beforeAll(async () => {
    allowed = await startTarget({ host: '127.0.0.2' });
    // Same port, blocked address: a connection that went to the wrong address would land here.
    sharedPort = await startTarget({ host: '127.0.0.1', port: allowed.port });
    prober = createHttpProber({
      userAgent: USER_AGENT,
      connectionMode,
      policy: loopbackPolicy,
      lookup: lookupVia({ 'internal.test': '127.0.0.1', 'allowed.test': '127.0.0.2' }),
    });
  });
  afterAll(async () => {
    await prober.close();
    await Promise.all([allowed.close(), sharedPort.close()]);
  });

  it('allows an address the policy allows', async () => {
    expect(await prober.probe(target(allowed.url('/ok')))).toMatchObject({ ok: true, httpStatus: 200 });
    expect(await prober.probe(target(`http://allowed.test:${allowed.port}/ok`))).toMatchObject({ ok: true });
  });

  it('blocks an address literal', async () => {
    const before = web.hits('/ok');
    expect(await prober.probe(target(web.url('/ok')))).toMatchObject({
      ok: false,
      httpStatus: null,
      reason: 'POLICY',
      message: 'blocked by target policy: 127.0.0.1 is loopback',
    });
    expect(await prober.probe(target(`http://[::1]:${web.port}/ok`))).toMatchObject({
      reason: 'POLICY',
      message: 'blocked by target policy: ::1 is loopback',
    });
    expect(web.hits('/ok')).toBe(before);
  });

  it('blocks a host name that resolves to a blocked address', async () => {
    const before = web.hits('/ok');
    expect(await prober.probe(target(`http://internal.test:${web.port}/ok`))).toMatchObject({
      ok: false,
      reason: 'POLICY',
      message: 'blocked by target policy: 127.0.0.1 is loopback',
    });
    expect(web.hits('/ok')).toBe(before);
  });

  it('blocks a redirect to a blocked address', async () => {
    const before = web.hits('/ok');
    const result = await prober.probe(target(allowed.url(`/redirect?to=${encodeURIComponent(web.url('/ok'))}`)));
    expect(result).toMatchObject({
      ok: false,
      reason: 'POLICY',
      message: 'blocked by target policy: 127.0.0.1 is loopback',
    });
    expect(allowed.hits('/redirect')).toBeGreaterThan(0);
    expect(web.hits('/ok')).toBe(before);
  });

  it('connects only to the resolved addresses it checked', async () => {
    const mixed = createHttpProber({
      userAgent: USER_AGENT,
      connectionMode,
      policy: loopbackPolicy,
      lookup: (_hostname, options, callback) => {
        const addresses = [
          { address: '127.0.0.1', family: 4 },
          { address: '127.0.0.2', family: 4 },
        ];
        if (options.all) callback(null, addresses);
        else callback(null, '127.0.0.1', 4);
      },
    });
    try {
      const before = { allowed: allowed.hits('/ok'), blocked: sharedPort.hits('/ok') };
      expect(await mixed.probe(target(`http://mixed.test:${allowed.port}/ok`))).toMatchObject({ ok: true });
      expect(allowed.hits('/ok') - before.allowed).toBe(1);
      expect(sharedPort.hits('/ok')).toBe(before.blocked);
    } finally {
      await mixed.close();
    }
  });

  it('a policy that throws blocks instead of crashing', async () => {
    const broken = createHttpProber({
      userAgent: USER_AGENT,
      connectionMode,
      policy: {
        check: () => {
          throw new Error('no rules loaded');
        },
      },
    });
    try {
      expect(await broken.probe(target(web.url('/ok')))).toMatchObject({
        ok: false,
        reason: 'POLICY',
        message: expect.stringContaining('no rules loaded'),
      });
    } finally {
      await broken.close();
    }
  });
});

describe('probe never throws', () => {
  let prober: HttpProber;
  beforeAll(() => {
    prober = createHttpProber({ userAgent: USER_AGENT });
  });
  afterAll(() => prober.close());

  const urls = () => [
    '',
    ' ',
    'garbage',
    'http://',
    'http://[::1',
    'ftp://example.test/',
    'javascript:alert(1)',
    'http://exa mple.test/',
    '//no-scheme/',
    'http://127.0.0.1:0/',
    `http://127.0.0.1:${web.port}/ok#fragment`,
    `http://127.0.0.1:${web.port}/${'a'.repeat(10_000)}`,
    `http://127.0.0.1:${web.port}/status/500`,
    `http://127.0.0.1:${web.port}/redirect?to=${encodeURIComponent('ftp://elsewhere/')}`,
    `http://127.0.0.1:${web.port}/redirect?to=${encodeURIComponent('http://[bad')}`,
    `http://127.0.0.1:${web.port}/reset`,
    'http://☃.invalid/',
  ];
  it('resolves with a well-formed result for odd inputs', async () => {
    const oddInput = fc.record({
      url: fc.constantFrom(...urls()),
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', '', 'G E T'),
      headers: fc.constantFrom(
        [],
        [{ name: 'x\r\ny', value: '1' }],
        [{ name: 'x', value: 'a\nb' }],
        [{ name: '', value: '' }],
        null,
      ),
      timeoutMs: fc.constantFrom(1, 300, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e12),
      expectedStatus: fc.constantFrom([[200, 299]], [], [[600, 100]], null),
      expectedStatusText: fc.constant('200-299'),
      bodyContains: fc.constantFrom(null, '', 'x'.repeat(5_000), '\u0000', '💥', 'ok'),
      degradedAboveMs: fc.constantFrom(null, -1, 0, Number.NaN),
    });
    // A fresh signal for each run: none, one already aborted, one that aborts after 1 ms.
    const oddSignal = fc.constantFrom(
      () => undefined,
      () => AbortSignal.abort(),
      () => AbortSignal.timeout(1),
    );
    await fc.assert(
      fc.asyncProperty(oddInput, oddSignal, async (input, signal) => {
        const result = await prober.probe(input as unknown as HttpProbeTarget, signal());
        expect(typeof result.ok).toBe('boolean');
        expect(Number.isFinite(result.latencyMs)).toBe(true);
        expect(result.reason === null || CHECK_FAILURE_REASONS.includes(result.reason)).toBe(true);
        if (!result.ok) expect(result.message).toEqual(expect.any(String));
      }),
      propertyParameters({ numRuns: 150, seed: 42 }),
    );
  });

  it('a closed prober still answers', async () => {
    const closed = createHttpProber({ userAgent: USER_AGENT });
    await closed.close();
    expect(await closed.probe(target(web.url('/ok')))).toMatchObject({
      ok: false,
      reason: 'NETWORK',
      message: 'prober closed',
    });
  });

  it('checks still running when the prober closes resolve', async () => {
    const closing = createHttpProber({ userAgent: USER_AGENT });
    const pending = closing.probe(target(web.url('/never')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closing.close();
    expect(await pending).toMatchObject({ ok: false, reason: 'NETWORK' });
  });
});
