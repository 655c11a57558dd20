import type { KindModule } from '../kind.js';
import { lazyProber } from '../lazy-prober.js';
import { requireHostAndPort } from '../net/url-rules.js';

/** A gRPC service name as the health protocol takes it: package.Service. */
const SERVICE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export const grpcKind: KindModule = {
  schemes: ['grpc', 'grpcs'],
  example: 'grpc://api.example.com:50051/my.package.Service',
  options: ['tls'],
  assertionSources: ['STATUS', 'LATENCY_MS'],
  checkUrl(url) {
    const missing = requireHostAndPort(url, 'grpc://api.example.com:50051[/my.package.Service]');
    if (missing !== null) return missing;
    if (url.search !== '' || url.hash !== '') return 'a gRPC url takes no query or fragment';
    if (url.username !== '' || url.password !== '') return 'a gRPC url takes no user name or password';
    const service = url.pathname.replace(/^\//, '');
    if (service !== '' && !SERVICE_NAME.test(service)) {
      return `"${service.slice(0, 60)}" is not a gRPC service name (package.Service)`;
    }
    return null;
  },
  // Loaded at the first grpc check: see lazyProber.
  createProber: (options) => lazyProber(async () => (await import('./grpc-prober.js')).createGrpcProber, options),
};
