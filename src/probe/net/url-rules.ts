/** A url naming a host and an explicit port (kinds with no default port): null, or what is missing. */
export function requireHostAndPort(url: URL, example: string): string | null {
  if (url.hostname === '') return `must name a host, e.g. ${example}`;
  if (url.port === '') return `must name a port, e.g. ${example}`;
  return null;
}

/** A url that is only host:port (no path, query, fragment or credentials): null, or what is extra. */
export function onlyHostAndPort(url: URL): string | null {
  const scheme = url.protocol.replace(/:$/, '');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return `a ${scheme}:// url is only host:port (no path, query or fragment)`;
  }
  if (url.username !== '' || url.password !== '') return `a ${scheme}:// url takes no user name or password`;
  return null;
}
