import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetPolicy } from '../../../src/policy/target-policy.js';
import { createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { Prober } from '../../../src/probe/prober.js';
import { KindStatusChangedDocument, RegisterKindServiceDocument } from '../../generated/graphql.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { DATABASE_KINDS } from '../../support/database.js';
import { type GrpcServer, startGrpcServer } from '../../support/grpc-server.js';
import { kindTarget } from '../../support/kind-target.js';
import { connectClient, subscribe, untilSubscribed } from '../../support/subscriptions.js';
import {
  closedPort,
  lookupVia,
  startSilentServer,
  startTarget,
  type Target,
  TLS_HOSTNAME,
  testCertificates,
} from '../../support/target-fixture.js';

const grpcTarget = (url: string, overrides: Partial<KindTarget> = {}) => kindTarget('GRPC', url, overrides);
const portOf = (target: Target) => new URL(target.url('/')).port;
const lookup = lookupVia({ [TLS_HOSTNAME]: '127.0.0.1' });

describe('grpc:// health checks against real gRPC servers', () => {
  let prober: Prober<KindTarget>;
  let health: GrpcServer;
  let bare: GrpcServer;
  let secure: GrpcServer;
  let http1: Target;
  let silent: Target;
  let ca: string;
  beforeAll(async () => {
    prober = createProber({ userAgent: 'statuschecker-test', lookup });
    const certificates = await testCertificates();
    ca = certificates.ca;
    [health, bare, secure, http1, silent] = await Promise.all([
      startGrpcServer({ '': 'SERVING', 'app.Orders': 'SERVING', 'app.Billing': 'NOT_SERVING' }),
      startGrpcServer(null),
      startGrpcServer({ '': 'SERVING' }, certificates.trusted),
      startTarget(),
      startSilentServer(),
    ]);
  });
  afterAll(async () => {
    await prober?.close();
    await Promise.all([health, bare, secure, http1, silent].map((server) => server?.close()));
  });

  it.each<[string, string, string]>([
    ['the whole server', '', 'the server is SERVING'],
    ['a named service', 'app.Orders', 'service "app.Orders" is SERVING'],
  ])('passes when %s is SERVING', async (_what, service, message) => {
    const result = await prober.probe(grpcTarget(health.url(service)));
    expect(result).toMatchObject({ ok: true, reason: null, message });
    // READY (TCP and HTTP/2 together: grpc-js hides its socket) as connect, then the answer.
    expect(result.phases).toEqual({
      dnsMs: null,
      connectMs: expect.any(Number),
      tlsMs: null,
      firstByteMs: expect.any(Number),
      transferMs: null,
    });
  });

  it('fails with GRPC_STATUS on NOT_SERVING', async () => {
    expect(await prober.probe(grpcTarget(health.url('app.Billing')))).toMatchObject({
      ok: false,
      reason: 'GRPC_STATUS',
      message: 'service "app.Billing" is NOT_SERVING',
    });
  });

  it('fails with GRPC_STATUS on an unknown service', async () => {
    expect(await prober.probe(grpcTarget(health.url('app.Nothing')))).toMatchObject({
      ok: false,
      reason: 'GRPC_STATUS',
      message: expect.stringMatching(/^unknown service \(NOT_FOUND/),
    });
  });

  it('fails with PROTOCOL on a gRPC server without the health service', async () => {
    expect(await prober.probe(grpcTarget(bare.url()))).toMatchObject({
      ok: false,
      reason: 'PROTOCOL',
      message: 'the server does not implement grpc.health.v1.Health',
    });
  });

  it('fails with PROTOCOL on a server that is not gRPC at all (HTTP/1.1)', async () => {
    const result = await prober.probe(grpcTarget(`grpc://127.0.0.1:${portOf(http1)}/`));
    expect(result).toMatchObject({
      ok: false,
      reason: 'PROTOCOL',
      message: expect.stringMatching(/^not a gRPC server/),
    });
  });

  it('fails with CONNECT_REFUSED where nothing listens', async () => {
    expect(await prober.probe(grpcTarget(`grpc://127.0.0.1:${await closedPort()}/`))).toMatchObject({
      ok: false,
      reason: 'CONNECT_REFUSED',
    });
  });

  it('honours the deadline against a silent peer', async () => {
    const result = await prober.probe(grpcTarget(`grpc://127.0.0.1:${portOf(silent)}/`, { timeoutMs: 300 }));
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^(CONNECT_TIMEOUT|TIMEOUT)$/) });
    expect(result.latencyMs).toBeGreaterThanOrEqual(299);
    expect(result.latencyMs).toBeLessThan(5_000);
  });

  it('checks grpcs:// with a private CA, and fails with TLS without it', async () => {
    const url = secure.url('', 'grpcs', TLS_HOSTNAME);
    expect(await prober.probe(grpcTarget(url, { tls: { skipVerify: false, caCertificate: ca } }))).toMatchObject({
      ok: true,
      message: 'the server is SERVING',
    });
    expect(await prober.probe(grpcTarget(url))).toMatchObject({ ok: false, reason: 'TLS' });
  });

  it('refuses a blocked address under public-only', async () => {
    const strict = createProber({
      userAgent: 'statuschecker-test',
      policy: createTargetPolicy({ mode: 'public-only', allow: [], deny: [] }),
    });
    try {
      expect(await strict.probe(grpcTarget(health.url()))).toMatchObject({
        ok: false,
        reason: 'POLICY',
        message: expect.stringMatching(/^blocked by target policy: 127\.0\.0\.1 is a loopback address/),
      });
    } finally {
      await strict.close();
    }
  });
});

describe.each(DATABASE_KINDS)('grpc services in the app on %s', (database) => {
  let t: TestApp;
  let health: GrpcServer;
  beforeAll(async () => {
    health = await startGrpcServer({ '': 'SERVING', 'app.Billing': 'NOT_SERVING' });
    t = await startTestApp(database, { listen: true });
  });
  afterAll(async () => {
    await t?.close();
    await health?.close();
  });

  it('registers grpc:// services; a subscriber sees SERVING UP and NOT_SERVING DOWN', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`);
    const events = subscribe(client, KindStatusChangedDocument, {});
    await untilSubscribed(t.app);
    try {
      const register = async (name: string, url: string) => {
        const { registerService } = await t.run(RegisterKindServiceDocument, {
          input: { name, url, intervalSeconds: 3600 },
        });
        if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
        return registerService.service;
      };
      const up = await register(`grpc-up-${database}`, health.url());
      const down = await register(`grpc-down-${database}`, health.url('app.Billing'));
      expect(up.kind).toBe('GRPC');
      expect((await events.next((e) => e.statusChanged.service.id === up.id, 5_000)).statusChanged).toMatchObject({
        service: { kind: 'GRPC' },
        current: 'UP',
      });
      expect((await events.next((e) => e.statusChanged.service.id === down.id, 5_000)).statusChanged).toMatchObject({
        current: 'DOWN',
        message: 'service "app.Billing" is NOT_SERVING',
        state: { reason: 'GRPC_STATUS' },
      });
    } finally {
      events.dispose();
      await client.dispose();
    }
  });

  it('rejects a grpc url with a bad service name, naming url', async () => {
    const { registerService } = await t.run(RegisterKindServiceDocument, {
      input: { name: 'bad grpc', url: 'grpc://example.com:50051/not a service' },
    });
    expect(registerService).toMatchObject({ __typename: 'ValidationError', field: 'url' });
  });
});
