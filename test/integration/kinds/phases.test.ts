import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../../../src/checks/check-definition.js';
import { createStatusCache } from '../../../src/checks/status-cache.js';
import { createCheckMetrics } from '../../../src/metrics/check-metrics.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { Prober } from '../../../src/probe/prober.js';
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

const NAMED = 'plain.test';
const number = expect.any(Number);
const portOf = (target: Target) => new URL(target.url('/')).port;
const http = (url: string, overrides: Partial<KindTarget> = {}) =>
  kindTarget('HTTP', url, { expectedStatus: [[200, 299]], expectedStatusText: '200-299', ...overrides });

describe('phases: where the time of a check went', () => {
  let prober: Prober<KindTarget>;
  let web: Target;
  let secure: TlsTarget;
  let tcp: TcpPeer;
  beforeAll(async () => {
    [web, secure, tcp] = await Promise.all([startTarget(), startTlsTarget('trusted'), startTcpPeer('answering')]);
    const lookup = lookupVia({ [TLS_HOSTNAME]: '127.0.0.1', [NAMED]: '127.0.0.1' });
    prober = createProber({ userAgent: 'statuschecker-test', lookup, ca: secure.ca });
  });
  afterAll(async () => {
    await prober?.close();
    await Promise.all([web, secure, tcp].map((peer) => peer?.close()));
  });

  it('http: dns, connect and first byte on a new connection; only the first byte once it is reused', async () => {
    const url = `http://${NAMED}:${portOf(web)}/ok`;
    const first = await prober.probe(http(url));
    expect(first).toMatchObject({ ok: true });
    expect(first.phases).toEqual({
      dnsMs: number,
      connectMs: number,
      tlsMs: null,
      firstByteMs: number,
      transferMs: null,
    });
    // Once the first body is drained, its connection is free again.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await prober.probe(http(url));
    expect(again.phases).toEqual({ dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: number, transferMs: null });
    // Within the check's latency.
    const { firstByteMs } = again.phases ?? {};
    expect(firstByteMs).toBeLessThanOrEqual(again.latencyMs);
  });

  it('http: an address needs no dns; a body that is read has a transfer', async () => {
    const result = await prober.probe(http(web.url('/marker'), { bodyContains: 'all-systems-go' }));
    expect(result).toMatchObject({ ok: true });
    expect(result.phases).toMatchObject({ dnsMs: null, tlsMs: null, firstByteMs: number, transferMs: number });
  });

  it('https: the TLS handshake is a phase of its own', async () => {
    const result = await prober.probe(http(secure.url('/ok')));
    expect(result).toMatchObject({ ok: true });
    expect(result.phases).toEqual({
      dnsMs: number,
      connectMs: number,
      tlsMs: number,
      firstByteMs: number,
      transferMs: null,
    });
    const sum = ['dnsMs', 'connectMs', 'tlsMs', 'firstByteMs'].reduce(
      (total, key) => total + ((result.phases as unknown as Record<string, number>)[key] ?? 0),
      0,
    );
    expect(sum).toBeLessThanOrEqual(result.latencyMs + 1);
  });

  it('tcp: connect, then the first byte and the rest of what was expected', async () => {
    const result = await prober.probe(
      kindTarget('TCP', `tcp://${NAMED}:${tcp.port}`, { tcp: { send: 'PING\r\n', expect: 'PONG' } }),
    );
    expect(result).toMatchObject({ ok: true });
    expect(result.phases).toEqual({
      dnsMs: number,
      connectMs: number,
      tlsMs: null,
      firstByteMs: number,
      transferMs: number,
    });
  });

  it('tls: connect and the handshake', async () => {
    const result = await prober.probe(
      kindTarget('TLS', `tls://${TLS_HOSTNAME}:${portOf(secure)}`, {
        tls: { skipVerify: false, caCertificate: secure.ca },
      }),
    );
    expect(result).toMatchObject({ ok: true });
    expect(result.phases).toEqual({
      dnsMs: number,
      connectMs: number,
      tlsMs: number,
      firstByteMs: null,
      transferMs: null,
    });
  });

  it('a refused connection has no phase after the one that failed', async () => {
    const result = await prober.probe(kindTarget('TCP', 'tcp://127.0.0.1:1'));
    expect(result).toMatchObject({ ok: false, reason: 'CONNECT_REFUSED' });
    expect(result.phases).toEqual({ dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, transferMs: null });
  });

  it('statuschecker_check_phase_seconds counts each phase that happened, labelled by phase only', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const sink = createCheckMetrics(metrics, createStatusCache());
    const service = { id: 's1', name: 'phased', paused: false } as CheckDefinition;
    sink.serviceDefined?.(service, undefined);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the earlier https connection, drained and free
    const result = await prober.probe(http(secure.url('/ok')));
    sink.checkCompleted?.({ service, at: new Date(), result, state: { status: 'UP' } as never });
    const text = await registry.getSingleMetricAsString('statuschecker_check_phase_seconds');
    expect(text).toMatch(/statuschecker_check_phase_seconds_count\{phase="firstByte"\} 1$/m);
    // The connection was reused: no dns, connect or tls phase happened, so none is counted.
    expect(result.phases?.connectMs).toBeNull();
    expect(text).not.toMatch(/_count\{phase="(dns|connect|tls|transfer)"\} [1-9]/);
    expect(text).not.toContain('phased');
  });
});
