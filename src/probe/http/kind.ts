import type { KindModule } from '../kind.js';
import { createHttpProber } from './http-prober.js';

export const httpKind: KindModule = {
  schemes: ['http', 'https'],
  example: 'https://example.com/health',
  options: ['http'],
  checkUrl: (url) => (url.hostname === '' ? 'must name a host' : null),
  createProber: createHttpProber,
};
