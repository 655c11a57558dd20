/** A url naming a host and an explicit port (kinds with no default port): null, or what is missing. */
export function requireHostAndPort(url: URL, example: string): string | null {
  if (url.hostname === '') return `must name a host, e.g. ${example}`;
  if (url.port === '') return `must name a port, e.g. ${example}`;
  return null;
}
