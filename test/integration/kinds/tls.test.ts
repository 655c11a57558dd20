import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetPolicy } from '../../../src/policy/target-policy.js';
import { createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { Prober } from '../../../src/probe/prober.js';
import { KindStatusChangedDocument, RegisterKindServiceDocument } from '../../generated/graphql.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { DATABASE_KINDS } from '../../support/database.js';
import { kindTarget } from '../../support/kind-target.js';
import { connectClient, subscribe, untilSubscribed } from '../../support/subscriptions.js';
import {
  lookupVia,
  startSilentServer,
  startTlsTarget,
  type Target,
  TLS_HOSTNAME,
  type TlsTarget,
} from '../../support/target-fixture.js';
import { startTcpPeer, type TcpPeer } from '../../support/tcp-peer.js';

// Certificates are made by the project's test support with the openssl CLI (test/support/target-fixture.ts):
// it can backdate a validity period (an expired leaf), which generators like `selfsigned` cannot do
// without a CA of their own, and it is already what the HTTPS tests use.
const lookup = lookupVia({ [TLS_HOSTNAME]: '127.0.0.1', 'other.test': '127.0.0.1' });
const tlsTarget = (url: string, overrides: Partial<KindTarget> = {}) => kindTarget('TLS', url, overrides);
const portOf = (target: Target) => new URL(target.url('/')).port;

describe('tls:// checks against real TLS servers', () => {
  let prober: Prober<KindTarget>;
  let trusted: TlsTarget;
  let expired: TlsTarget;
  let selfSigned: TlsTarget;
  let silent: Target;
  let closing: TcpPeer;
  beforeAll(async () => {
    prober = createProber({ userAgent: 'statuschecker-test', lookup });
    [trusted, expired, selfSigned, silent, closing] = await Promise.all([
      startTlsTarget('trusted'),
      startTlsTarget('expired'),
      startTlsTarget('self-signed'),
      startSilentServer(),
      startTcpPeer('closing'),
    ]);
  });
  afterAll(async () => {
    await prober?.close();
    await Promise.all([trusted, expired, selfSigned, silent, closing].map((server) => server?.close()));
  });

  const url = (target: Target, host = TLS_HOSTNAME) => `tls://${host}:${portOf(target)}`;
  const withCa = (ca: string) => ({ tls: { skipVerify: false, caCertificate: ca } });

  it('passes a certificate of a trusted CA, naming protocol, cipher and expiry', async () => {
    const result = await prober.probe(tlsTarget(url(trusted), withCa(trusted.ca)));
    expect(result).toMatchObject({ ok: true, reason: null, certificateExpiresAt: trusted.certificateExpiresAt });
    const day = trusted.certificateExpiresAt.toISOString().slice(0, 10);
    expect(result.message).toMatch(new RegExp(`^TLSv1\\.3, TLS_[A-Z0-9_]+, certificate expires ${day} \\(1 day\\)$`));
  });

  it.each<[string, () => TlsTarget, string | undefined, string]>([
    ['an unknown issuer (no caCertificate)', () => trusted, undefined, 'certificate is not trusted (unknown issuer)'],
    ['an expired certificate', () => expired, 'ca', 'certificate has expired'],
    ['a self-signed certificate', () => selfSigned, undefined, 'self-signed certificate'],
  ])('fails with TLS on %s', async (_what, server, ca, message) => {
    const target = server();
    const result = await prober.probe(tlsTarget(url(target), ca ? withCa(target.ca) : {}));
    expect(result).toMatchObject({ ok: false, reason: 'TLS', message });
  });

  it('fails with TLS when the certificate is for another host name (SNI and identity from the url)', async () => {
    const result = await prober.probe(tlsTarget(url(trusted, 'other.test'), withCa(trusted.ca)));
    expect(result).toMatchObject({ ok: false, reason: 'TLS', message: 'certificate is for another host' });
  });

  it('accepts any certificate with tlsSkipVerify, and still reports its expiry', async () => {
    const result = await prober.probe(tlsTarget(url(expired), { tls: { skipVerify: true, caCertificate: null } }));
    expect(result).toMatchObject({
      ok: true,
      certificateExpiresAt: expired.certificateExpiresAt,
      message: expect.stringMatching(/^TLSv1\.3, .+, certificate expired 2020-01-02$/),
    });
  });

  it('honours the deadline against a peer that never answers the handshake', async () => {
    const result = await prober.probe(tlsTarget(`tls://127.0.0.1:${portOf(silent)}`, { timeoutMs: 300 }));
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT', message: 'timed out after 300 ms' });
  });

  it('fails when the peer closes during the handshake', async () => {
    const result = await prober.probe(tlsTarget(`tls://127.0.0.1:${closing.port}`));
    expect(result).toMatchObject({ ok: false, reason: 'TLS', message: 'connection reset during the TLS handshake' });
  });

  it('refuses a blocked address under public-only without connecting', async () => {
    const policy = createTargetPolicy({ mode: 'public-only', allow: [], deny: [] });
    const strict = createProber({ userAgent: 'statuschecker-test', lookup, policy });
    let connections = 0;
    const counter = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    try {
      const port = (counter.address() as net.AddressInfo).port;
      const result = await strict.probe(tlsTarget(`tls://${TLS_HOSTNAME}:${port}`));
      expect(result).toMatchObject({
        ok: false,
        reason: 'POLICY',
        message: expect.stringMatching(/^blocked by target policy: 127\.0\.0\.1 is a loopback address/),
      });
      expect(connections).toBe(0);
    } finally {
      await strict.close();
      await new Promise((resolve) => counter.close(resolve));
    }
  });
});

describe.each(DATABASE_KINDS)('tls services in the app on %s', (database) => {
  let t: TestApp;
  let trusted: TlsTarget;
  beforeAll(async () => {
    trusted = await startTlsTarget('trusted');
    t = await startTestApp(database, { listen: true, prober: { lookup } });
  });
  afterAll(async () => {
    await t?.close();
    await trusted?.close();
  });

  it('registers a tls:// service with its CA; a subscriber sees it UP with the handshake in the message', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`);
    const events = subscribe(client, KindStatusChangedDocument, {});
    await untilSubscribed(t.app);
    try {
      const { registerService } = await t.run(RegisterKindServiceDocument, {
        input: {
          name: `tls-${database}`,
          url: `tls://${TLS_HOSTNAME}:${portOf(trusted)}`,
          caCertificate: trusted.ca,
          intervalSeconds: 3600,
        },
      });
      if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
      expect(registerService.service).toMatchObject({
        kind: 'TLS',
        tlsSkipVerify: false,
        caCertificate: trusted.ca.trim(),
      });
      const up = await events.next((e) => e.statusChanged.service.id === registerService.service.id, 5_000);
      expect(up.statusChanged).toMatchObject({ service: { kind: 'TLS' }, current: 'UP' });
      expect(up.statusChanged.state.message).toMatch(/^TLSv1\.3, TLS_[A-Z0-9_]+, certificate expires /);
    } finally {
      events.dispose();
      await client.dispose();
    }
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a caCertificate that is not PEM',
      { url: 'tls://example.com:443', caCertificate: 'hello' },
      'caCertificate',
      'PEM',
    ],
    [
      'a caCertificate whose body does not parse',
      { url: 'tls://example.com:443', caCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
      'caCertificate',
      'does not parse',
    ],
    ['tlsSkipVerify on a tcp:// service', { url: 'tcp://example.com:1', tlsSkipVerify: true }, 'tlsSkipVerify', 'TCP'],
    ['a tls:// url without a port', { url: 'tls://example.com' }, 'url', 'must name a port'],
  ])('rejects %s, naming %s', async (what, input, field, message) => {
    const { registerService } = await t.run(RegisterKindServiceDocument, {
      input: { name: `bad ${what}`, url: 'tls://example.com:443', ...input },
    });
    expect(registerService).toMatchObject({
      __typename: 'ValidationError',
      field,
      message: expect.stringContaining(message),
    });
  });
});
