import type { KindModule } from '../kind.js';
import { lazyProber } from '../lazy-prober.js';

/** A host name of letters, digits, '-' and '_' (SRV), labels of 1–63 characters, 253 in all. */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

export const dnsKind: KindModule = {
  schemes: ['dns'],
  example: 'dns://1.1.1.1/example.com',
  options: ['dns'],
  assertionSources: ['STATUS', 'DNS_ANSWER', 'LATENCY_MS'],
  checkUrl(url) {
    if (url.search !== '' || url.hash !== '') return 'a dns:// url takes no query or fragment';
    if (url.username !== '' || url.password !== '') return 'a dns:// url takes no user name or password';
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.replace(/^\//, '')).replace(/\.$/, '');
    } catch {
      return 'must name a valid host name after the resolver, e.g. dns://1.1.1.1/example.com';
    }
    if (name === '') return 'must name what to look up, e.g. dns://1.1.1.1/example.com or dns:///example.com';
    if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
      return `"${name.slice(0, 60)}" is not a valid DNS name`;
    }
    return null;
  },
  // Loaded at the first dns check: see lazyProber.
  createProber: (options) => lazyProber(async () => (await import('./dns-prober.js')).createDnsProber, options),
};
