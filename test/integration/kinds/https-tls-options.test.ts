import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { Prober } from '../../../src/probe/prober.js';
import { withDefaults } from '../../../src/registry/service-input.js';
import { validateService } from '../../../src/registry/validation.js';
import { kindTarget } from '../../support/kind-target.js';
import { lookupVia, startTlsTarget, TLS_HOSTNAME, type TlsTarget } from '../../support/target-fixture.js';

const https = (url: string, tls: KindTarget['tls'] = null) =>
  kindTarget('HTTP', url, { expectedStatus: [[200, 299]], expectedStatusText: '200-299', tls });

describe.each(['keep-alive', 'fresh'] as const)(
  'https:// with tlsSkipVerify and caCertificate (%s)',
  (connectionMode) => {
    let prober: Prober<KindTarget>;
    let trusted: TlsTarget;
    let selfSigned: TlsTarget;
    let expired: TlsTarget;
    beforeAll(async () => {
      [trusted, selfSigned, expired] = await Promise.all([
        startTlsTarget('trusted'),
        startTlsTarget('self-signed'),
        startTlsTarget('expired'),
      ]);
      // No CA at the prober's level: each service brings its own.
      prober = createProber({
        userAgent: 'statuschecker-test',
        lookup: lookupVia({ [TLS_HOSTNAME]: '127.0.0.1' }),
        connectionMode,
      });
    });
    afterAll(async () => {
      await prober?.close();
      await Promise.all([trusted, selfSigned, expired].map((target) => target?.close()));
    });

    it('a private CA is trusted only by the service that names it', async () => {
      const without = await prober.probe(https(trusted.url('/ok')));
      expect(without).toMatchObject({
        ok: false,
        reason: 'TLS',
        message: 'certificate is not trusted (unknown issuer)',
      });
      const withCa = await prober.probe(https(trusted.url('/ok'), { skipVerify: false, caCertificate: trusted.ca }));
      expect(withCa).toMatchObject({ ok: true, httpStatus: 200, certificateExpiresAt: trusted.certificateExpiresAt });
    });

    it('tlsSkipVerify accepts a self-signed or expired certificate, and still reports its expiry', async () => {
      const strict = await prober.probe(https(selfSigned.url('/ok')));
      expect(strict).toMatchObject({ ok: false, reason: 'TLS' });
      for (const target of [selfSigned, expired]) {
        const result = await prober.probe(https(target.url('/ok'), { skipVerify: true, caCertificate: null }));
        expect(result).toMatchObject({ ok: true, httpStatus: 200, certificateExpiresAt: target.certificateExpiresAt });
      }
    });
  },
);

it('an https service may set tlsSkipVerify and caCertificate; a TCP one still may not', async () => {
  const target = await startTlsTarget('trusted');
  await target.close();
  const { ca } = target;
  const valid = validateService(
    withDefaults({ name: 'h', url: 'https://example.com/', tlsSkipVerify: true, caCertificate: ca }),
  );
  expect(valid).toMatchObject({ tlsSkipVerify: true, caCertificate: ca.trim() });
  expect(() => validateService(withDefaults({ name: 't', url: 'tcp://example.com:1', tlsSkipVerify: true }))).toThrow(
    'tlsSkipVerify: does not apply to TCP checks',
  );
});
