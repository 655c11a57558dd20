import type { KindModule } from '../kind.js';
import { createWsProber } from './ws-prober.js';

export const wsKind: KindModule = {
  schemes: ['ws', 'wss'],
  example: 'wss://example.com/socket',
  options: ['tcp', 'tls'],
  assertionSources: ['BODY', 'LATENCY_MS'],
  checkUrl: (url) => {
    if (url.hostname === '') return 'must name a host, e.g. wss://example.com/socket';
    if (url.hash !== '') return 'a WebSocket url takes no fragment';
    return null;
  },
  createProber: createWsProber,
};
