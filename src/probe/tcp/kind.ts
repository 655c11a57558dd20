import type { KindModule } from '../kind.js';
import { onlyHostAndPort, requireHostAndPort } from '../net/url-rules.js';
import { createTcpProber } from './tcp-prober.js';

export const tcpKind: KindModule = {
  schemes: ['tcp'],
  example: 'tcp://db.example.com:5432',
  options: ['tcp'],
  assertionSources: ['BODY', 'LATENCY_MS'],
  checkUrl: (url) => requireHostAndPort(url, 'tcp://db.example.com:5432') ?? onlyHostAndPort(url),
  createProber: createTcpProber,
};
