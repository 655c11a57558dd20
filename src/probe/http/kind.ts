import type { KindModule } from '../kind.js';
import { createHttpProber } from './http-prober.js';

export const httpKind: KindModule = {
  schemes: ['http', 'https'],
  example: 'https://example.com/health',
  options: ['http', 'tls'],
  assertionSources: ['STATUS', 'BODY', 'JSON', 'HEADER', 'LATENCY_MS', 'CERTIFICATE_DAYS'],
  checkUrl: (url) => (url.hostname === '' ? 'must name a host' : null),
  createProber: createHttpProber,
};
