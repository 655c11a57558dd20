import type { KindModule } from '../kind.js';
import { requireHostAndPort } from '../net/url-rules.js';
import { createTcpProber } from './tcp-prober.js';

export const tcpKind: KindModule = {
  schemes: ['tcp'],
  example: 'tcp://db.example.com:5432',
  options: ['tcp'],
  checkUrl: (url) => requireHostAndPort(url, 'tcp://db.example.com:5432') ?? onlyAuthority(url),
  createProber: createTcpProber,
};

function onlyAuthority(url: URL): string | null {
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return 'a tcp:// url is only host:port (no path, query or fragment)';
  }
  if (url.username !== '' || url.password !== '') return 'a tcp:// url takes no user name or password';
  return null;
}
