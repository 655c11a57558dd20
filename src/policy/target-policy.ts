import net from 'node:net';
import {
  type Address,
  cidr,
  createRangeTable,
  type Embedding,
  embeddedV4,
  formatV4,
  newAddress,
  parseAddress,
  parseCidr,
  type RangeTable,
} from './ip-ranges.js';

/** What a connector asks before it connects to an address (the prober enforces it on every hop). */
export interface ConnectPolicy {
  /** null = allowed, else a human message why blocked */
  check(address: string, family: 4 | 6): string | null;
}

export type TargetPolicyMode = 'allow-all' | 'public-only';

export interface TargetPolicySettings {
  mode: TargetPolicyMode;
  /** CIDRs or single addresses, as given in TARGET_ALLOW_CIDRS. */
  allow: readonly string[];
  /** CIDRs or single addresses, as given in TARGET_DENY_CIDRS. */
  deny: readonly string[];
}

export interface TargetPolicy extends ConnectPolicy {
  readonly mode: TargetPolicyMode;
  /**
   * At registration/update: null when allowed, else a message. Judges the URL's host only when it
   * is an IP literal in any spelling; a name is judged at connect time (but the literal names
   * `localhost`, `*.localhost` and `localhost.localdomain` are refused under public-only).
   */
  checkUrl(url: string): string | null;
}

/**
 * Blocked under public-only, IPv4 side (RFC 6890, the IANA IPv4 special-purpose registry), most
 * specific first: the first match names the reason. Left open because IANA lists them as globally
 * reachable: 192.31.196.0/24 and 192.175.48.0/24 (AS112), 192.52.193.0/24 (AMT).
 */
const SPECIAL_V4: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', 'a "this network" address in 0.0.0.0/8, which reaches the local host'],
  ['10.0.0.0/8', 'an RFC 1918 private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT address in 100.64.0.0/10'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.169.254', 'the link-local cloud instance metadata address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'an RFC 1918 private address'],
  // Whole /24, including the PCP/TURN anycast 192.0.0.9 and .10: nothing there serves HTTP.
  ['192.0.0.0/24', 'an IETF protocol assignment in 192.0.0.0/24'],
  ['192.0.2.0/24', 'a documentation address in TEST-NET-1'],
  ['192.88.99.0/24', 'a deprecated 6to4 relay anycast address in 192.88.99.0/24'],
  ['192.168.0.0/16', 'an RFC 1918 private address'],
  ['198.18.0.0/15', 'a benchmarking address in 198.18.0.0/15'],
  ['198.51.100.0/24', 'a documentation address in TEST-NET-2'],
  ['203.0.113.0/24', 'a documentation address in TEST-NET-3'],
  ['224.0.0.0/4', 'a multicast address'],
  ['255.255.255.255', 'the broadcast address'],
  ['240.0.0.0/4', 'a reserved address in 240.0.0.0/4'],
];

/**
 * Blocked under public-only, IPv6 side (IANA IPv6 special-purpose registry). Never consulted for
 * an address that embeds IPv4: IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96 and 6to4 2002::/16
 * are judged by the IPv4 address they lead to. Everything outside 2000::/3, the only space
 * allocated for global unicast, is blocked by the last three rows.
 */
const SPECIAL_V6: readonly (readonly [string, string])[] = [
  ['::', 'the unspecified address'],
  ['::1', 'a loopback address'],
  // Local-use NAT64 (RFC 8215): translated by a site's own gateway, with no fixed IPv4 layout.
  ['64:ff9b:1::/48', 'a local-use NAT64 address in 64:ff9b:1::/48'],
  // IPv4-compatible ::a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d, both deprecated.
  ['::/8', 'a reserved IPv6 address in ::/8'],
  ['100::/64', 'a discard-only address in 100::/64'],
  // Teredo: the client's IPv4 address sits inside obfuscated and is reached through a relay;
  // blocked whole rather than judged (a monitored service is never a Teredo client).
  ['2001::/32', 'a Teredo tunnel address in 2001::/32'],
  ['2001:2::/48', 'a benchmarking address in 2001:2::/48'],
  ['2001:10::/28', 'an ORCHID identifier in 2001:10::/28, not a routable address'],
  ['2001:20::/28', 'an ORCHIDv2 identifier in 2001:20::/28, not a routable address'],
  ['2001:db8::/32', 'a documentation address in 2001:db8::/32'],
  ['3fff::/20', 'a documentation address in 3fff::/20'],
  ['fc00::/7', 'a unique local address in fc00::/7'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a deprecated site-local address in fec0::/10'],
  ['ff00::/8', 'a multicast address'],
  ['::/3', 'outside 2000::/3, the global unicast space'],
  ['4000::/2', 'outside 2000::/3, the global unicast space'],
  ['8000::/1', 'outside 2000::/3, the global unicast space'],
];

/** Names that always mean this host (RFC 6761 and the usual /etc/hosts aliases). */
const LOCALHOST_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'localhost4',
  'localhost6',
  'ip6-localhost',
  'ip6-loopback',
]);

const specialV4 = specialTable(SPECIAL_V4);
const specialV6 = specialTable(SPECIAL_V6);

/** For config validation: every entry that is not a valid CIDR or address, as readable problems. */
export function invalidCidrs(list: readonly string[]): string[] {
  return list.flatMap((entry, i) => {
    const parsed = parseCidr(entry);
    return typeof parsed === 'string' ? [`entry ${i + 1}: ${parsed}`] : [];
  });
}

export function createTargetPolicy(settings: TargetPolicySettings): TargetPolicy {
  const { mode } = settings;
  const publicOnly = mode === 'public-only';
  const deny = listTable(settings.deny, 'TARGET_DENY_CIDRS');
  const allow = listTable(settings.allow, 'TARGET_ALLOW_CIDRS');
  const enforcing = publicOnly || deny.size > 0;
  // Scratch for the address judged and the IPv4 address it embeds: checks are synchronous.
  const subject = newAddress();
  const inner = newAddress();

  const check = (address: string): string | null => {
    if (!enforcing) return null;
    const zone = address.indexOf('%');
    if (!parseAddress(address, subject, zone < 0 ? address.length : zone)) {
      return `blocked by target policy: ${JSON.stringify(address)} is not an IP address`;
    }
    const embedding = embeddedV4(subject, inner);
    const denied = deny.match(subject) ?? (embedding ? deny.match(inner) : undefined);
    if (denied !== undefined) return refusal(address, embedding, inner, `is in TARGET_DENY_CIDRS (${denied})`);
    if (!publicOnly) return null;
    if (allow.match(subject) !== undefined || (embedding && allow.match(inner) !== undefined)) return null;
    const special = embedding ? specialV4.match(inner) : specialV6.match(subject);
    if (special === undefined) return null;
    return refusal(address, embedding, inner, `is ${special} (TARGET_POLICY=public-only)`);
  };

  const localhostAllowed = allows(allow, '127.0.0.1') || allows(allow, '::1');

  const checkUrl = (url: string): string | null => {
    if (!enforcing) return null;
    const hostname = urlHostname(url);
    if (hostname === null) return unreadableUrl(url);
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    if (net.isIP(host) !== 0) return check(host);
    if (publicOnly && !localhostAllowed && isLocalhostName(host)) {
      return `blocked by target policy: ${hostname} is a loopback name (TARGET_POLICY=public-only)`;
    }
    return null;
  };

  return { mode, check, checkUrl };
}

function refusal(address: string, embedding: Embedding | null, inner: Address, why: string): string {
  // A plain IPv4 address is held in mapped form too, but needs no note.
  const spelledV6 = embedding !== null && address.includes(':');
  const v4 = spelledV6 ? formatV4(inner[3]!) : '';
  const note = !spelledV6 ? '' : embedding === 'IPv4-mapped' ? ` (IPv4-mapped ${v4})` : ` (${embedding} for ${v4})`;
  return `blocked by target policy: ${address}${note} ${why}`;
}

function specialTable(rows: readonly (readonly [string, string])[]): RangeTable<string> {
  return createRangeTable(rows.map(([range, what]) => [cidr(range), what] as const));
}

/** The operator's list; each range maps to its entry as written, for messages. */
function listTable(list: readonly string[], variable: string): RangeTable<string> {
  const problems = invalidCidrs(list);
  if (problems.length > 0) throw new Error(`${variable}: ${problems.join('; ')}`);
  return createRangeTable(list.map((entry) => [cidr(entry), entry.trim()] as const));
}

function allows(allow: RangeTable<string>, address: string): boolean {
  const parsed = newAddress();
  return parseAddress(address, parsed) && allow.match(parsed) !== undefined;
}

function urlHostname(url: string): string | null {
  try {
    return new URL(url.trim()).hostname;
  } catch {
    return null;
  }
}

/** A URL the policy cannot judge is refused (the WHATWG parser rejects IPv6 zone ids, for one). */
function unreadableUrl(url: string): string {
  const zone = /\[[^\]]*%/.test(url);
  return zone
    ? `blocked by target policy: ${url.trim()} names an IPv6 zone id, which only reaches a local interface`
    : `blocked by target policy: ${url.trim()} is not a valid URL, so its host cannot be judged`;
}

function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.+$/, '');
  return LOCALHOST_NAMES.has(name) || name.endsWith('.localhost');
}
