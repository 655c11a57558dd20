import type { KindModule } from '../kind.js';
import { onlyHostAndPort, requireHostAndPort } from '../net/url-rules.js';
import { createTlsProber } from './tls-prober.js';

export const tlsKind: KindModule = {
  schemes: ['tls'],
  example: 'tls://mail.example.com:465',
  options: ['tls'],
  assertionSources: ['LATENCY_MS', 'CERTIFICATE_DAYS'],
  checkUrl: (url) => requireHostAndPort(url, 'tls://mail.example.com:465') ?? onlyHostAndPort(url),
  createProber: createTlsProber,
};
