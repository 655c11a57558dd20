import type { KindModule } from '../kind.js';
import { lazyProber } from '../lazy-prober.js';

const SSLMODES = new Set(['disable', 'require', 'verify-ca', 'verify-full']);

export const postgresKind: KindModule = {
  schemes: ['postgres', 'postgresql'],
  example: 'postgres://monitor:secret@db.example.com:5432/app',
  options: ['tls'],
  assertionSources: ['LATENCY_MS'],
  checkUrl(url) {
    if (url.hostname === '') return 'must name a host, e.g. postgres://monitor:secret@db.example.com:5432/app';
    if (url.hash !== '') return 'a postgres:// url takes no fragment';
    for (const key of url.searchParams.keys()) {
      if (key !== 'sslmode') return `unknown parameter ${key} (only sslmode is read)`;
    }
    const sslmode = url.searchParams.get('sslmode');
    if (sslmode !== null && !SSLMODES.has(sslmode)) return 'sslmode must be disable, require, verify-ca or verify-full';
    return null;
  },
  // Loaded at the first postgres check: see lazyProber.
  createProber: (options) =>
    lazyProber(async () => (await import('./postgres-prober.js')).createPostgresProber, options),
};
