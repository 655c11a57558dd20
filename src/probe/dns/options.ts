/** Record types a DNS check may ask for. */
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV', 'CAA'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** What a dns:// check asks (the name and the resolver are in the url). */
export interface DnsOptions {
  recordType: DnsRecordType;
}

export const DNS_PORT = 53;

/** The parts of dns://[resolver[:port]]/name. */
export interface DnsQuery {
  /** null: the system's resolver. */
  resolver: { host: string; port: number } | null;
  name: string;
}

/** Splits a dns:// url; the registry has validated it. */
export function parseDnsUrl(url: URL): DnsQuery {
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const name = decodeURIComponent(url.pathname.replace(/^\//, '')).replace(/\.$/, '');
  return {
    resolver: hostname === '' ? null : { host: hostname, port: url.port === '' ? DNS_PORT : Number(url.port) },
    name,
  };
}

/** "host[:port]" of the resolver as written in the url, or null for the system's. */
export function resolverOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host === '' ? null : parsed.host;
  } catch {
    return null;
  }
}
