import type { KindModule } from '../kind.js';
import { createRedisProber } from './redis-prober.js';

export const redisKind: KindModule = {
  schemes: ['redis', 'rediss'],
  example: 'redis://:secret@cache.example.com:6379',
  options: ['tls'],
  assertionSources: ['LATENCY_MS'],
  checkUrl(url) {
    if (url.hostname === '') return 'must name a host, e.g. redis://:secret@cache.example.com:6379';
    if (url.search !== '' || url.hash !== '') return 'a redis:// url takes no query or fragment';
    if (!/^\/?(\d{1,2})?$/.test(url.pathname)) return 'the path of a redis:// url is a database number, e.g. /0';
    return null;
  },
  createProber: createRedisProber,
};
