import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Assertion, AssertionOperator, AssertionSource } from '../../../src/probe/assert/assertion.js';
import { type CheckKind, createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { ProbeResult, Prober } from '../../../src/probe/prober.js';
import { type DnsServer, startDnsServer } from '../../support/dns-server.js';
import { type GrpcServer, startGrpcServer } from '../../support/grpc-server.js';
import { kindTarget } from '../../support/kind-target.js';
import {
  lookupVia,
  startTarget,
  startTlsTarget,
  type Target,
  TLS_HOSTNAME,
  type TlsTarget,
} from '../../support/target-fixture.js';
import { startTcpPeer, type TcpPeer } from '../../support/tcp-peer.js';

const HEALTH = {
  status: 'degraded',
  version: 3,
  uptime: 12.5,
  checks: [
    { name: 'db', status: 'ok' },
    { name: 'cache', status: 'ok' },
  ],
};

const assertion = (
  source: AssertionSource,
  operator: AssertionOperator,
  value: string | null = null,
  path: string | null = null,
  degrade = false,
): Assertion => ({ source, operator, value, path, degrade });

const portOf = (target: Target) => new URL(target.url('/')).port;

describe('assertions against real peers on 127.0.0.1', () => {
  let prober: Prober<KindTarget>;
  let web: Target;
  let secure: TlsTarget;
  let dnsServer: DnsServer;
  let tcp: TcpPeer;
  let grpc: GrpcServer;
  let wsServer: http.Server;
  let wsPort: number;

  beforeAll(async () => {
    [web, secure, dnsServer, tcp, grpc] = await Promise.all([
      startTarget(),
      startTlsTarget('trusted'),
      startDnsServer(),
      startTcpPeer('answering'),
      startGrpcServer({ '': 'SERVING', 'my.Down': 'NOT_SERVING' }),
    ]);
    prober = createProber({
      userAgent: 'statuschecker-test',
      lookup: lookupVia({ [TLS_HOSTNAME]: '127.0.0.1' }),
      ca: secure.ca,
    });
    web.respondWith('/health', 200, JSON.stringify(HEALTH));
    web.respondWith('/evil', 200, `${'a'.repeat(60_000)}!`);
    wsServer = http.createServer((_req, res) => res.writeHead(404).end());
    new WebSocketServer({ server: wsServer }).on('connection', (socket) => socket.send('welcome v2'));
    wsServer.listen(0, '127.0.0.1');
    await once(wsServer, 'listening');
    wsPort = (wsServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await prober?.close();
    wsServer?.closeAllConnections();
    wsServer?.close();
    await Promise.all([web, secure, dnsServer, tcp, grpc].map((peer) => peer?.close()));
  });

  const urls = {
    health: () => ({ kind: 'HTTP', url: web.url('/health') }),
    text: () => ({ kind: 'HTTP', url: web.url('/ok') }),
    big: () => ({ kind: 'HTTP', url: web.url('/big?mb=1') }),
    https: () => ({ kind: 'HTTP', url: secure.url('/ok') }),
    tls: () => ({
      kind: 'TLS',
      url: `tls://${TLS_HOSTNAME}:${portOf(secure)}`,
      extra: { tls: { skipVerify: false, caCertificate: secure.ca } },
    }),
    dns: () => ({ kind: 'DNS', url: dnsServer.url('ok.test'), extra: { dns: { recordType: 'A' } } }),
    nxdomain: () => ({ kind: 'DNS', url: dnsServer.url('missing.test'), extra: { dns: { recordType: 'A' } } }),
    tcp: () => ({ kind: 'TCP', url: tcp.url }),
    grpc: () => ({ kind: 'GRPC', url: grpc.url() }),
    grpcDown: () => ({ kind: 'GRPC', url: grpc.url('my.Down') }),
    ws: () => ({ kind: 'WEBSOCKET', url: `ws://127.0.0.1:${wsPort}/` }),
    evil: () => ({ kind: 'HTTP', url: web.url('/evil') }),
  } satisfies Record<string, () => { kind: CheckKind; url: string; extra?: Partial<KindTarget> }>;

  const check = (peer: keyof typeof urls, assertions: Assertion[], overrides: Partial<KindTarget> = {}) => {
    const { kind, url, extra }: { kind: CheckKind; url: string; extra?: Partial<KindTarget> } = urls[peer]();
    return prober.probe(
      kindTarget(kind, url, {
        expectedStatus: [[200, 299]],
        expectedStatusText: '200-299',
        ...extra,
        ...overrides,
        assertions,
      }),
    );
  };

  // [peer, assertion, passes, what was found]
  it.each<[keyof typeof urls, Assertion, boolean, string | null]>([
    // STATUS: HTTP status code, DNS rcode, gRPC serving status
    ['health', assertion('STATUS', 'EQUALS', '200'), true, '200'],
    ['health', assertion('STATUS', 'NOT_EQUALS', '200'), false, '200'],
    ['health', assertion('STATUS', 'LESS_THAN', '300'), true, '200'],
    ['health', assertion('STATUS', 'GREATER_THAN', '299'), false, '200'],
    ['health', assertion('STATUS', 'MATCHES', '^2\\d\\d$'), true, '200'],
    ['dns', assertion('STATUS', 'EQUALS', 'NOERROR'), true, 'NOERROR'],
    ['nxdomain', assertion('STATUS', 'EQUALS', 'NXDOMAIN'), true, 'NXDOMAIN'],
    ['grpc', assertion('STATUS', 'EQUALS', 'SERVING'), true, 'SERVING'],
    ['grpcDown', assertion('STATUS', 'EQUALS', 'NOT_SERVING'), true, 'NOT_SERVING'],
    // BODY: the HTTP body, what a TCP or WebSocket peer sent first
    ['text', assertion('BODY', 'EQUALS', 'ok'), true, 'ok'],
    ['text', assertion('BODY', 'CONTAINS', 'o'), true, 'ok'],
    ['text', assertion('BODY', 'NOT_CONTAINS', 'ok'), false, 'ok'],
    ['text', assertion('BODY', 'EXISTS'), true, 'ok'],
    ['text', assertion('BODY', 'NOT_EXISTS'), false, 'ok'],
    ['tcp', assertion('BODY', 'MATCHES', '^HELLO\\r\\n$'), true, 'HELLO\r\n'],
    ['ws', assertion('BODY', 'CONTAINS', 'welcome'), true, 'welcome v2'],
    // JSON: a JSONPath into the body
    ['health', assertion('JSON', 'EQUALS', 'ok', '$.checks[0].status'), true, 'ok'],
    ['health', assertion('JSON', 'EQUALS', 'ok', '$.status'), false, 'degraded'],
    ['health', assertion('JSON', 'NOT_EQUALS', 'down', '$.status'), true, 'degraded'],
    ['health', assertion('JSON', 'EQUALS', '3.0', '$.version'), true, '3'],
    ['health', assertion('JSON', 'GREATER_THAN', '10', '$.uptime'), true, '12.5'],
    ['health', assertion('JSON', 'LESS_THAN', '10', '$.uptime'), false, '12.5'],
    ['health', assertion('JSON', 'CONTAINS', '"cache"', '$.checks[*].name'), true, '["db","cache"]'],
    ['health', assertion('JSON', 'NOT_CONTAINS', 'down', '$.checks[*].status'), true, '["ok","ok"]'],
    ['health', assertion('JSON', 'MATCHES', '^de', '$.status'), true, 'degraded'],
    ['health', assertion('JSON', 'EXISTS', null, '$.checks[?@.name == "db"]'), true, '{"name":"db","status":"ok"}'],
    ['health', assertion('JSON', 'NOT_EXISTS', null, '$.missing'), true, null],
    ['health', assertion('JSON', 'EXISTS', null, '$.missing'), false, null],
    // HEADER: a response header by name
    ['health', assertion('HEADER', 'EQUALS', String(JSON.stringify(HEALTH).length), 'Content-Length'), true, '117'],
    ['health', assertion('HEADER', 'EXISTS', null, 'Date'), true, null],
    ['health', assertion('HEADER', 'NOT_EXISTS', null, 'x-powered-by'), true, null],
    ['health', assertion('HEADER', 'CONTAINS', 'close', 'connection'), false, 'keep-alive'],
    // LATENCY_MS, CERTIFICATE_DAYS, DNS_ANSWER
    ['health', assertion('LATENCY_MS', 'LESS_THAN', '2000'), true, null],
    ['health', assertion('LATENCY_MS', 'GREATER_THAN', '2000'), false, null],
    ['https', assertion('CERTIFICATE_DAYS', 'LESS_THAN', '14'), true, null],
    ['tls', assertion('CERTIFICATE_DAYS', 'GREATER_THAN', '14'), false, null],
    ['dns', assertion('DNS_ANSWER', 'EQUALS', '192.0.2.10, 192.0.2.11'), true, '192.0.2.10, 192.0.2.11'],
    ['dns', assertion('DNS_ANSWER', 'CONTAINS', '192.0.2.11'), true, '192.0.2.10, 192.0.2.11'],
    ['dns', assertion('DNS_ANSWER', 'NOT_CONTAINS', '192.0.2.99'), true, '192.0.2.10, 192.0.2.11'],
  ])('%s: %j passes: %s', async (peer, given, passes, actual) => {
    const used = given;
    const result = await check(peer, [used]);
    expect(result.assertions).toHaveLength(1);
    const [outcome] = result.assertions ?? [];
    expect(outcome).toMatchObject({ assertion: used, ok: passes });
    if (actual !== null) expect(outcome?.actual).toBe(actual);
    else if (used.operator !== 'NOT_EXISTS' && used.source !== 'JSON') expect(outcome?.actual).not.toBeNull();
    expect(result.ok).toBe(passes);
    expect(result.reason).toBe(passes ? null : 'ASSERTION');
  });

  it('names the failing assertion and what it found', async () => {
    const result = await check('health', [
      assertion('STATUS', 'EQUALS', '200'),
      assertion('JSON', 'EQUALS', 'ok', '$.status'),
      assertion('HEADER', 'EQUALS', 'application/json', 'content-type'),
    ]);
    expect(result).toMatchObject({
      ok: false,
      reason: 'ASSERTION',
      message: '$.status: expected "ok", got "degraded" (and 1 more)',
    });
    expect(result.assertions?.map((outcome) => [outcome.ok, outcome.actual])).toEqual([
      [true, '200'],
      [false, 'degraded'],
      [false, null],
    ]);
  });

  it.each<[string, keyof typeof urls, Assertion, string]>([
    ['a number', 'health', assertion('STATUS', 'EQUALS', '204'), 'status: expected 204, got 200'],
    [
      'a bound',
      'health',
      assertion('JSON', 'LESS_THAN', '10', '$.uptime'),
      '$.uptime: expected less than 10, got 12.5',
    ],
    ['a missing value', 'health', assertion('JSON', 'EQUALS', 'x', '$.nope'), '$.nope: expected "x", not found'],
    [
      'a body that is not JSON',
      'text',
      assertion('JSON', 'EXISTS', null, '$.status'),
      '$.status: the body is not JSON',
    ],
    [
      'a body over 64 KiB',
      'big',
      assertion('JSON', 'EXISTS', null, '$.status'),
      '$.status: the body is larger than 64 KiB, not read as JSON',
    ],
    [
      'a header',
      'health',
      assertion('HEADER', 'EXISTS', null, 'X-Version'),
      'header x-version: expected to exist, not found',
    ],
    ['a pattern', 'text', assertion('BODY', 'MATCHES', '^fail'), 'body: expected to match /^fail/, got "ok"'],
  ])('explains %s', async (_what, peer, given, message) => {
    const result = await check(peer, [given]);
    expect(result).toMatchObject({ ok: false, reason: 'ASSERTION' });
    expect(result.message?.startsWith(message)).toBe(true);
  });

  it('reads only the first 64 KiB of a large body for BODY assertions', async () => {
    const result = await check('big', [assertion('BODY', 'MATCHES', '^x+$')]);
    expect(result).toMatchObject({ ok: true, reason: null });
    expect(result.assertions?.[0]?.actual).toHaveLength(200);
  });

  it('a failing assertion with degrade makes a passing check DEGRADED, saying why', async () => {
    const result = await check('tls', [assertion('CERTIFICATE_DAYS', 'GREATER_THAN', '14', null, true)]);
    const days = Math.floor((secure.certificateExpiresAt.getTime() - Date.now()) / 86_400_000);
    expect(result).toMatchObject({
      ok: true,
      degraded: true,
      reason: null,
      message: `certificate days: expected more than 14, got ${days}`,
    });
    expect(result.assertions?.[0]).toMatchObject({ ok: false, actual: String(days) });
  });

  it('STATUS assertions replace expectedStatus for HTTP: a 503 can be what is expected', async () => {
    web.respondWith('/maintenance', 503, '{"status":"maintenance"}');
    const url = web.url('/maintenance');
    const plain = await prober.probe(
      kindTarget('HTTP', url, { expectedStatus: [[200, 299]], expectedStatusText: '200-299' }),
    );
    expect(plain).toMatchObject({ ok: false, reason: 'HTTP_STATUS' });
    const asserted = await prober.probe(
      kindTarget('HTTP', url, {
        expectedStatus: [[200, 299]],
        expectedStatusText: '200-299',
        assertions: [assertion('STATUS', 'EQUALS', '503'), assertion('JSON', 'EQUALS', 'maintenance', '$.status')],
      }),
    );
    expect(asserted).toMatchObject({ ok: true, reason: null, httpStatus: 503 });
  });

  it('a check that fails on its own keeps its reason and lists what it could judge', async () => {
    const result = await check('nxdomain', [
      assertion('DNS_ANSWER', 'EXISTS'),
      assertion('LATENCY_MS', 'LESS_THAN', '2000'),
    ]);
    expect(result).toMatchObject({ ok: false, reason: 'DNS_RCODE', message: 'NXDOMAIN for missing.test A' });
    // Judged on what the answer held: the (empty) answer, not the latency of a failed check.
    expect(result.assertions?.map((outcome) => [outcome.assertion.source, outcome.ok])).toEqual([
      ['DNS_ANSWER', false],
    ]);
  });

  it('a check with no answer lists no assertions', async () => {
    const result = await prober.probe(
      kindTarget('TCP', 'tcp://127.0.0.1:1', { assertions: [assertion('LATENCY_MS', 'LESS_THAN', '10')] }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'CONNECT_REFUSED', assertions: [] });
  });

  it('MATCHES runs in linear time: a catastrophic-backtracking pattern on a 60 KB body finishes promptly', async () => {
    // (a+)+$ against "aaa…a!" takes a backtracking engine about 2^60000 steps; RE2 reads it once.
    const started = performance.now();
    const result = await check(
      'evil',
      [assertion('BODY', 'MATCHES', '(a+)+$'), assertion('BODY', 'MATCHES', '^(a|aa)*$')],
      { timeoutMs: 5_000 },
    );
    const tookMs = performance.now() - started;
    expect(result).toMatchObject({ ok: false, reason: 'ASSERTION' });
    expect(result.assertions?.map((outcome) => outcome.ok)).toEqual([false, false]);
    expect(tookMs).toBeLessThan(3_000);
  });

  it('leaves results of targets without assertions as they were (no list, no body read)', async () => {
    const result: ProbeResult = await check('health', []);
    expect(result).toMatchObject({ ok: true });
    expect(result.assertions).toBeUndefined();
    expect(result).not.toHaveProperty('observed');
  });
});
