import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newAddress, parseAddress } from '../../src/policy/ip-ranges.js';
import { createTargetPolicy, invalidCidrs, type TargetPolicySettings } from '../../src/policy/target-policy.js';
import { propertyParameters } from '../support/properties.js';

/** The reasons a user reads, one per blocked range. */
const R = {
  thisNetwork: 'a "this network" address in 0.0.0.0/8, which reaches the local host',
  rfc1918: 'an RFC 1918 private address',
  cgnat: 'a carrier-grade NAT address in 100.64.0.0/10',
  loopback: 'a loopback address',
  metadata: 'the link-local cloud instance metadata address',
  linkLocal: 'a link-local address',
  ietf: 'an IETF protocol assignment in 192.0.0.0/24',
  testNet1: 'a documentation address in TEST-NET-1',
  relay6to4: 'a deprecated 6to4 relay anycast address in 192.88.99.0/24',
  benchmark: 'a benchmarking address in 198.18.0.0/15',
  testNet2: 'a documentation address in TEST-NET-2',
  testNet3: 'a documentation address in TEST-NET-3',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address in 240.0.0.0/4',
  unspecified: 'the unspecified address',
  localNat64: 'a local-use NAT64 address in 64:ff9b:1::/48',
  reserved6: 'a reserved IPv6 address in ::/8',
  discard: 'a discard-only address in 100::/64',
  teredo: 'a Teredo tunnel address in 2001::/32',
  benchmark6: 'a benchmarking address in 2001:2::/48',
  orchid: 'an ORCHID identifier in 2001:10::/28, not a routable address',
  orchid2: 'an ORCHIDv2 identifier in 2001:20::/28, not a routable address',
  documentation6: 'a documentation address in 2001:db8::/32',
  documentation3fff: 'a documentation address in 3fff::/20',
  ula: 'a unique local address in fc00::/7',
  siteLocal: 'a deprecated site-local address in fec0::/10',
  notGlobal: 'outside 2000::/3, the global unicast space',
} as const;

const policy = (settings: Partial<TargetPolicySettings> = {}) =>
  createTargetPolicy({ mode: 'public-only', allow: [], deny: [], ...settings });
const publicOnly = policy();
const familyOf = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4);
const blockedAs = (shown: string, reason: string) =>
  `blocked by target policy: ${shown} is ${reason} (TARGET_POLICY=public-only)`;
const deniedAs = (shown: string, entry: string) =>
  `blocked by target policy: ${shown} is in TARGET_DENY_CIDRS (${entry})`;
const ONES = 'ffff:ffff:ffff:ffff:ffff';

describe('checkUrl under public-only: every spelling of a non-public address is refused', () => {
  // [url, the address the message names, reason]
  it.each<[string, string, string]>([
    ['http://127.0.0.1/', '127.0.0.1', R.loopback],
    ['http://2130706433/', '127.0.0.1', R.loopback],
    ['http://0x7f.1/', '127.0.0.1', R.loopback],
    ['http://0x7f000001/', '127.0.0.1', R.loopback],
    ['http://0x7f.0x0.0x0.0x1/', '127.0.0.1', R.loopback],
    ['http://0177.0.0.1/', '127.0.0.1', R.loopback],
    ['http://127.1/', '127.0.0.1', R.loopback],
    ['http://127.0.0.1./', '127.0.0.1', R.loopback],
    ['http://%31%32%37.0.0.1/', '127.0.0.1', R.loopback],
    ['https://user:secret@127.255.255.255:8443/x?y', '127.255.255.255', R.loopback],
    ['  http://127.0.0.1/  ', '127.0.0.1', R.loopback],
    ['http://[::1]/', '::1', R.loopback],
    ['http://[0:0:0:0:0:0:0:1]:8080/', '::1', R.loopback],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 (IPv4-mapped 127.0.0.1)', R.loopback],
    ['http://[::ffff:7f00:1]/', '::ffff:7f00:1 (IPv4-mapped 127.0.0.1)', R.loopback],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', '::ffff:7f00:1 (IPv4-mapped 127.0.0.1)', R.loopback],
    ['http://[::FFFF:7F00:1]/', '::ffff:7f00:1 (IPv4-mapped 127.0.0.1)', R.loopback],
    ['http://[64:ff9b::127.0.0.1]/', '64:ff9b::7f00:1 (NAT64 for 127.0.0.1)', R.loopback],
    ['http://[2002:7f00:1::]/', '2002:7f00:1:: (6to4 for 127.0.0.1)', R.loopback],
    ['http://[::127.0.0.1]/', '::7f00:1', R.reserved6],
    ['http://[::ffff:0:7f00:1]/', '::ffff:0:7f00:1', R.reserved6],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', R.metadata],
    ['http://2852039166/', '169.254.169.254', R.metadata],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe (IPv4-mapped 169.254.169.254)', R.metadata],
    ['http://169.254.0.1/', '169.254.0.1', R.linkLocal],
    ['http://10.0.0.0/', '10.0.0.0', R.rfc1918],
    ['http://10.255.255.255/', '10.255.255.255', R.rfc1918],
    ['http://012.0.0.1/', '10.0.0.1', R.rfc1918],
    ['http://167772165/', '10.0.0.5', R.rfc1918],
    ['http://172.16.0.0/', '172.16.0.0', R.rfc1918],
    ['http://172.31.255.255/', '172.31.255.255', R.rfc1918],
    ['http://192.168.0.0/', '192.168.0.0', R.rfc1918],
    ['http://192.168.255.255/', '192.168.255.255', R.rfc1918],
    ['http://3232235777/', '192.168.1.1', R.rfc1918],
    ['http://100.64.0.0/', '100.64.0.0', R.cgnat],
    ['http://100.127.255.255/', '100.127.255.255', R.cgnat],
    ['http://[fc00::]/', 'fc00::', R.ula],
    ['http://[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', R.ula],
    ['http://[FD12:3456::1]/', 'fd12:3456::1', R.ula],
    ['http://[fe80::]/', 'fe80::', R.linkLocal],
    ['http://[febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', R.linkLocal],
    ['http://0.0.0.0/', '0.0.0.0', R.thisNetwork],
    ['http://0/', '0.0.0.0', R.thisNetwork],
    ['http://[::]/', '::', R.unspecified],
    ['http://[::ffff:0.0.0.0]/', '::ffff:0:0 (IPv4-mapped 0.0.0.0)', R.thisNetwork],
    ['http://255.255.255.255/', '255.255.255.255', R.broadcast],
    ['http://224.0.0.1/', '224.0.0.1', R.multicast],
    ['http://[ff02::1]/', 'ff02::1', R.multicast],
  ])('%s', (url, shown, reason) => {
    expect(publicOnly.checkUrl(url)).toBe(blockedAs(shown, reason));
  });

  it.each([
    'http://localhost/',
    'http://LOCALHOST./',
    'http://localhost:3000/x',
    'http://foo.localhost/',
    'http://a.b.LocalHost./',
    'http://localhost.localdomain/',
    'http://ip6-localhost/',
  ])('refuses the loopback name in %s', (url) => {
    const hostname = new URL(url).hostname;
    expect(publicOnly.checkUrl(url)).toBe(
      `blocked by target policy: ${hostname} is a loopback name (TARGET_POLICY=public-only)`,
    );
  });

  it('refuses an IPv6 zone id, which the URL parser cannot read', () => {
    expect(publicOnly.checkUrl('http://[fe80::1%25eth0]/')).toBe(
      'blocked by target policy: http://[fe80::1%25eth0]/ names an IPv6 zone id, which only reaches a local interface',
    );
  });

  it('refuses a URL whose host cannot be read', () => {
    expect(publicOnly.checkUrl('http://256.0.0.1/')).toBe(
      'blocked by target policy: http://256.0.0.1/ is not a valid URL, so its host cannot be judged',
    );
  });
});

describe('checkUrl under public-only: public addresses and names pass', () => {
  it.each([
    'http://8.8.8.8/',
    'https://1.1.1.1/',
    'http://134744072/', // 8.8.8.8
    'http://[2606:4700::1111]/',
    'http://[2001:4860:4860::8888]:443/',
    'https://example.com/health',
    'http://EXAMPLE.COM./',
    'http://1.0.0.0/',
    'http://9.255.255.255/',
    'http://11.0.0.1/',
    'http://100.63.255.255/',
    'http://100.128.0.1/',
    'http://126.255.255.255/',
    'http://128.0.0.0/',
    'http://169.253.255.255/',
    'http://169.255.0.0/',
    'http://172.15.255.255/',
    'http://172.32.0.1/',
    'http://192.167.255.255/',
    'http://192.169.0.0/',
    'http://223.255.255.255/',
    'http://[::ffff:8.8.8.8]/',
    'http://[64:ff9b::8.8.8.8]/',
    'http://[2002:808:808::1]/',
    // Names are judged at connect time, on the addresses they resolve to.
    'http://internal.example/',
    'http://localhost.example.com/',
    'http://mylocalhost/',
    'http://localhost-api/',
  ])('%s', (url) => {
    expect(publicOnly.checkUrl(url)).toBeNull();
  });
});

describe('check under public-only: both edges of every range', () => {
  // [address, reason, or null when allowed]
  it.each<[string, string | null]>([
    ['0.0.0.0', R.thisNetwork],
    ['0.255.255.255', R.thisNetwork],
    ['1.0.0.0', null],
    ['9.255.255.255', null],
    ['10.0.0.0', R.rfc1918],
    ['10.255.255.255', R.rfc1918],
    ['11.0.0.0', null],
    ['100.63.255.255', null],
    ['100.64.0.0', R.cgnat],
    ['100.127.255.255', R.cgnat],
    ['100.128.0.0', null],
    ['126.255.255.255', null],
    ['127.0.0.0', R.loopback],
    ['127.255.255.255', R.loopback],
    ['128.0.0.0', null],
    ['169.253.255.255', null],
    ['169.254.0.0', R.linkLocal],
    ['169.254.169.253', R.linkLocal],
    ['169.254.169.254', R.metadata],
    ['169.254.169.255', R.linkLocal],
    ['169.254.255.255', R.linkLocal],
    ['169.255.0.0', null],
    ['172.15.255.255', null],
    ['172.16.0.0', R.rfc1918],
    ['172.31.255.255', R.rfc1918],
    ['172.32.0.0', null],
    ['191.255.255.255', null],
    ['192.0.0.0', R.ietf],
    ['192.0.0.255', R.ietf],
    ['192.0.1.0', null],
    ['192.0.1.255', null],
    ['192.0.2.0', R.testNet1],
    ['192.0.2.255', R.testNet1],
    ['192.0.3.0', null],
    ['192.31.196.1', null], // AS112: globally reachable
    ['192.52.193.1', null], // AMT: globally reachable
    ['192.88.98.255', null],
    ['192.88.99.0', R.relay6to4],
    ['192.88.99.255', R.relay6to4],
    ['192.88.100.0', null],
    ['192.167.255.255', null],
    ['192.168.0.0', R.rfc1918],
    ['192.168.255.255', R.rfc1918],
    ['192.169.0.0', null],
    ['192.175.48.1', null], // AS112: globally reachable
    ['198.17.255.255', null],
    ['198.18.0.0', R.benchmark],
    ['198.19.255.255', R.benchmark],
    ['198.20.0.0', null],
    ['198.51.99.255', null],
    ['198.51.100.0', R.testNet2],
    ['198.51.100.255', R.testNet2],
    ['198.51.101.0', null],
    ['203.0.112.255', null],
    ['203.0.113.0', R.testNet3],
    ['203.0.113.255', R.testNet3],
    ['203.0.114.0', null],
    ['223.255.255.255', null],
    ['224.0.0.0', R.multicast],
    ['239.255.255.255', R.multicast],
    ['240.0.0.0', R.reserved],
    ['255.255.255.254', R.reserved],
    ['255.255.255.255', R.broadcast],
    ['8.8.8.8', null],
    ['::', R.unspecified],
    ['::1', R.loopback],
    ['::2', R.reserved6],
    ['::7f00:1', R.reserved6],
    ['::fffe:ffff:ffff', R.reserved6],
    ['::1:0:0:0', R.reserved6],
    ['64:ff9b::1:0:0', R.reserved6],
    ['64:ff9b:1::', R.localNat64],
    [`64:ff9b:1:${ONES}`, R.localNat64],
    ['64:ff9b:2::', R.reserved6],
    [`ff:${ONES}:ffff:ffff`, R.reserved6],
    ['100::', R.discard],
    ['100::ffff:ffff:ffff:ffff', R.discard],
    ['100:0:0:1::', R.notGlobal],
    [`1fff:${ONES}:ffff:ffff`, R.notGlobal],
    ['2000::', null],
    [`2000:${ONES}:ffff:ffff`, null],
    ['2001::', R.teredo],
    [`2001:0:${ONES}:ffff`, R.teredo],
    ['2001:1::', null],
    [`2001:1:${ONES}:ffff`, null],
    ['2001:2::', R.benchmark6],
    [`2001:2:0:${ONES}`, R.benchmark6],
    ['2001:2:1::', null],
    [`2001:f:${ONES}:ffff`, null],
    ['2001:10::', R.orchid],
    [`2001:1f:${ONES}:ffff`, R.orchid],
    ['2001:20::', R.orchid2],
    [`2001:2f:${ONES}:ffff`, R.orchid2],
    ['2001:30::', null],
    [`2001:db7:${ONES}:ffff`, null],
    ['2001:db8::', R.documentation6],
    [`2001:db8:${ONES}:ffff`, R.documentation6],
    ['2001:db9::', null],
    [`3ffe:${ONES}:ffff:ffff`, null],
    ['3fff::', R.documentation3fff],
    [`3fff:fff:${ONES}:ffff`, R.documentation3fff],
    ['3fff:1000::', null],
    [`3fff:${ONES}:ffff:ffff`, null],
    ['4000::', R.notGlobal],
    [`fbff:${ONES}:ffff:ffff`, R.notGlobal],
    ['fc00::', R.ula],
    [`fdff:${ONES}:ffff:ffff`, R.ula],
    ['fe00::', R.notGlobal],
    [`fe7f:${ONES}:ffff:ffff`, R.notGlobal],
    ['fe80::', R.linkLocal],
    [`febf:${ONES}:ffff:ffff`, R.linkLocal],
    ['fec0::', R.siteLocal],
    [`feff:${ONES}:ffff:ffff`, R.siteLocal],
    ['ff00::', R.multicast],
    [`ffff:${ONES}:ffff:ffff`, R.multicast],
    ['2606:4700::1111', null],
    ['2001:4860:4860::8888', null],
    ['fe80::1%eth0', R.linkLocal],
    ['2606:4700::1111%eth0', null],
  ])('%s', (address, reason) => {
    expect(publicOnly.check(address, familyOf(address))).toBe(reason === null ? null : blockedAs(address, reason));
  });
});

describe('check under public-only: IPv6 forms that embed IPv4 are judged by that IPv4 address', () => {
  // [address, what the message shows after the address, reason or null]
  it.each<[string, string, string | null]>([
    ['::ffff:127.0.0.1', 'IPv4-mapped 127.0.0.1', R.loopback],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1', R.loopback],
    ['::ffff:10.0.0.1', 'IPv4-mapped 10.0.0.1', R.rfc1918],
    ['::ffff:169.254.169.254', 'IPv4-mapped 169.254.169.254', R.metadata],
    ['::ffff:0.0.0.0', 'IPv4-mapped 0.0.0.0', R.thisNetwork],
    ['::ffff:255.255.255.255', 'IPv4-mapped 255.255.255.255', R.broadcast],
    ['::ffff:8.8.8.8', '', null],
    ['::ffff:172.32.0.0', '', null],
    ['64:ff9b::7f00:1', 'NAT64 for 127.0.0.1', R.loopback],
    ['64:ff9b::a9fe:a9fe', 'NAT64 for 169.254.169.254', R.metadata],
    ['64:ff9b::', 'NAT64 for 0.0.0.0', R.thisNetwork],
    ['64:ff9b::c0a8:101', 'NAT64 for 192.168.1.1', R.rfc1918],
    ['64:ff9b::808:808', '', null],
    ['2002:7f00:1::', '6to4 for 127.0.0.1', R.loopback],
    ['2002:c0a8:101::1', '6to4 for 192.168.1.1', R.rfc1918],
    [`2002:a9fe:a9fe:${ONES}`, '6to4 for 169.254.169.254', R.metadata],
    ['2002:808:808::', '', null],
    [`2002:808:808:${ONES}`, '', null],
  ])('%s', (address, note, reason) => {
    expect(publicOnly.check(address, 6)).toBe(reason === null ? null : blockedAs(`${address} (${note})`, reason));
  });
});

describe('allow and deny lists', () => {
  it('names the address and the reason, as a user reads them', () => {
    expect(publicOnly.check('127.0.0.1', 4)).toBe(
      'blocked by target policy: 127.0.0.1 is a loopback address (TARGET_POLICY=public-only)',
    );
    expect(policy({ deny: ['10.0.0.0/8'] }).check('10.0.0.5', 4)).toBe(
      'blocked by target policy: 10.0.0.5 is in TARGET_DENY_CIDRS (10.0.0.0/8)',
    );
  });

  const allowing = policy({ allow: ['10.0.0.0/8', '169.254.169.254', 'fd00::/8', ' 192.168.7.0/24 '] });
  it.each<[string, string | null]>([
    ['10.0.0.0', null],
    ['10.255.255.255', null],
    ['::ffff:10.1.2.3', null],
    ['64:ff9b::a01:203', null],
    ['169.254.169.254', null],
    ['169.254.169.253', blockedAs('169.254.169.253', R.linkLocal)],
    ['192.168.7.1', null],
    ['192.168.8.1', blockedAs('192.168.8.1', R.rfc1918)],
    ['fd12::1', null],
    ['fc00::1', blockedAs('fc00::1', R.ula)],
    ['127.0.0.1', blockedAs('127.0.0.1', R.loopback)],
    ['172.16.0.1', blockedAs('172.16.0.1', R.rfc1918)],
  ])('TARGET_ALLOW_CIDRS exempts only what it lists: %s', (address, expected) => {
    expect(allowing.check(address, familyOf(address))).toBe(expected);
  });

  const both = policy({
    allow: ['10.0.0.0/8', '2001:db8::/32'],
    deny: ['10.0.0.5', '10.9.0.0/16', '8.8.8.0/24', '2001:db8:1::/48'],
  });
  it.each<[string, string | null]>([
    ['10.0.0.5', deniedAs('10.0.0.5', '10.0.0.5')],
    ['10.0.0.4', null],
    ['10.0.0.6', null],
    ['10.9.0.0', deniedAs('10.9.0.0', '10.9.0.0/16')],
    ['10.9.255.255', deniedAs('10.9.255.255', '10.9.0.0/16')],
    ['10.10.0.0', null],
    ['::ffff:10.0.0.5', deniedAs('::ffff:10.0.0.5 (IPv4-mapped 10.0.0.5)', '10.0.0.5')],
    ['8.8.8.8', deniedAs('8.8.8.8', '8.8.8.0/24')],
    ['8.8.4.4', null],
    ['2001:db8:1::1', deniedAs('2001:db8:1::1', '2001:db8:1::/48')],
    ['2001:db8:2::1', null],
  ])('deny wins over allow and over public: %s', (address, expected) => {
    expect(both.check(address, familyOf(address))).toBe(expected);
  });

  const allowAll = policy({ mode: 'allow-all', deny: ['10.0.0.0/8', '2001:db8::/32'] });
  it.each<[string, string | null]>([
    ['127.0.0.1', null],
    ['192.168.1.1', null],
    ['169.254.169.254', null],
    ['::1', null],
    ['fe80::1', null],
    ['9.255.255.255', null],
    ['11.0.0.0', null],
    ['10.0.0.0', deniedAs('10.0.0.0', '10.0.0.0/8')],
    ['10.255.255.255', deniedAs('10.255.255.255', '10.0.0.0/8')],
    ['::ffff:10.0.0.5', deniedAs('::ffff:10.0.0.5 (IPv4-mapped 10.0.0.5)', '10.0.0.0/8')],
    ['::ffff:a00:5', deniedAs('::ffff:a00:5 (IPv4-mapped 10.0.0.5)', '10.0.0.0/8')],
    ['64:ff9b::a00:5', deniedAs('64:ff9b::a00:5 (NAT64 for 10.0.0.5)', '10.0.0.0/8')],
    ['2002:a00:5::', deniedAs('2002:a00:5:: (6to4 for 10.0.0.5)', '10.0.0.0/8')],
    ['2001:db8::1', deniedAs('2001:db8::1', '2001:db8::/32')],
    ['2001:db9::1', null],
  ])('allow-all blocks only the deny list: %s', (address, expected) => {
    expect(allowAll.check(address, familyOf(address))).toBe(expected);
  });

  it.each<[string, string | null]>([
    ['http://167772165/', deniedAs('10.0.0.5', '10.0.0.0/8')],
    ['http://[::ffff:10.0.0.5]/', deniedAs('::ffff:a00:5 (IPv4-mapped 10.0.0.5)', '10.0.0.0/8')],
    ['http://127.0.0.1/', null],
    ['http://localhost/', null],
    ['http://service.internal/', null],
  ])('allow-all checkUrl judges literals against the deny list only: %s', (url, expected) => {
    expect(allowAll.checkUrl(url)).toBe(expected);
  });

  it('allow-all without a deny list lets everything through, even what it cannot read', () => {
    const open = policy({ mode: 'allow-all' });
    expect(open.mode).toBe('allow-all');
    expect(publicOnly.mode).toBe('public-only');
    for (const address of ['127.0.0.1', '::1', '169.254.169.254', 'not an address']) {
      expect(open.check(address, familyOf(address))).toBeNull();
    }
    expect(open.checkUrl('http://localhost/')).toBeNull();
    expect(open.checkUrl('not a url')).toBeNull();
  });

  it('an address the policy cannot read is refused while it enforces anything', () => {
    expect(publicOnly.check('999.0.0.1', 4)).toBe('blocked by target policy: "999.0.0.1" is not an IP address');
    expect(allowAll.check('', 4)).toBe('blocked by target policy: "" is not an IP address');
  });

  it('an IPv6 range spanning ::ffff:0:0/96 covers the IPv4 addresses in it', () => {
    expect(policy({ mode: 'allow-all', deny: ['::ffff:0:0/96'] }).check('8.8.8.8', 4)).toBe(
      deniedAs('8.8.8.8', '::ffff:0:0/96'),
    );
    const everything = policy({ mode: 'allow-all', deny: ['::/0'] });
    expect(everything.check('1.1.1.1', 4)).toBe(deniedAs('1.1.1.1', '::/0'));
    expect(everything.check('2606:4700::1111', 6)).toBe(deniedAs('2606:4700::1111', '::/0'));
    expect(policy({ mode: 'allow-all', deny: ['0.0.0.0/0'] }).check('2606:4700::1111', 6)).toBeNull();
  });

  it('allowing loopback lets the localhost names through at registration', () => {
    const loopback = policy({ allow: ['127.0.0.0/8'] });
    expect(loopback.checkUrl('http://localhost:8080/')).toBeNull();
    expect(loopback.check('127.0.0.1', 4)).toBeNull();
    expect(loopback.check('::1', 6)).toBe(blockedAs('::1', R.loopback));
    expect(policy({ allow: ['::1'] }).checkUrl('http://localhost/')).toBeNull();
  });

  it('refuses to build from an invalid list (config validation must run first)', () => {
    expect(() => policy({ deny: ['10.0.0.0/33'] })).toThrow(/TARGET_DENY_CIDRS: entry 1: "10\.0\.0\.0\/33"/);
    expect(() => policy({ allow: ['10.0.0.0/8', 'nope'] })).toThrow(/TARGET_ALLOW_CIDRS: entry 2: "nope"/);
  });
});

describe('invalidCidrs', () => {
  it.each([
    '10.0.0.0/8',
    '10.0.0.5',
    '0.0.0.0/0',
    '255.255.255.255/32',
    ' 192.168.0.0/16 ',
    '::/0',
    '::',
    '::1/128',
    '2001:db8::/32',
    '2001:DB8::/32',
    'fe80::/10',
    '::ffff:10.0.0.0/104',
    '::ffff:127.0.0.1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:1.2.3.4',
    '1::2:3:4:5:1.2.3.4',
    '::1.2.3.4',
  ])('accepts %j', (entry) => {
    expect(invalidCidrs([entry])).toEqual([]);
  });

  const notAnAddress = (text: string) => `entry 1: "${text}" is not an IPv4 or IPv6 address or CIDR`;
  const badPrefix = (text: string, family: 4 | 6) =>
    `entry 1: "${text}" has an invalid prefix length: IPv${family} allows /0 to /${family === 4 ? 32 : 128}`;
  it.each<[string, string]>([
    ['10.0.0.0/33', badPrefix('10.0.0.0/33', 4)],
    ['::/129', badPrefix('::/129', 6)],
    ['2001:db8::/1000', badPrefix('2001:db8::/1000', 6)],
    ['10.0.0.0/', badPrefix('10.0.0.0/', 4)],
    ['10.0.0.0/-1', badPrefix('10.0.0.0/-1', 4)],
    ['10.0.0.0/08', badPrefix('10.0.0.0/08', 4)],
    ['10.0.0.0/ 8', badPrefix('10.0.0.0/ 8', 4)],
    ['10.0.0.0/8/8', badPrefix('10.0.0.0/8/8', 4)],
    ['10.0.0.0/1e1', badPrefix('10.0.0.0/1e1', 4)],
    ['garbage', notAnAddress('garbage')],
    ['example.com', notAnAddress('example.com')],
    ['/8', notAnAddress('/8')],
    ['1.2.3.4.5', notAnAddress('1.2.3.4.5')],
    ['1.2.3.4.5/32', notAnAddress('1.2.3.4.5/32')],
    ['1.2.3', notAnAddress('1.2.3')],
    ['256.0.0.1', notAnAddress('256.0.0.1')],
    ['010.0.0.1', notAnAddress('010.0.0.1')],
    ['0x7f.1', notAnAddress('0x7f.1')],
    ['2130706433', notAnAddress('2130706433')],
    ['1::2::3', notAnAddress('1::2::3')],
    ['1:2:3:4:5:6:7:8:9', notAnAddress('1:2:3:4:5:6:7:8:9')],
    ['fe80::1%eth0', notAnAddress('fe80::1%eth0')],
    ['1:2:3:4:5:6:7:1.2.3.4', notAnAddress('1:2:3:4:5:6:7:1.2.3.4')],
    ['1::2:3:4:5:6:7:1.2.3.4', notAnAddress('1::2:3:4:5:6:7:1.2.3.4')],
    ['::1.2.3.4.5', notAnAddress('::1.2.3.4.5')],
    ['::1.2.3', notAnAddress('::1.2.3')],
    ['1.2.3.4::', notAnAddress('1.2.3.4::')],
    ['10.0.0.1/8', 'entry 1: "10.0.0.1/8" has bits set after its /8 prefix (did you mean 10.0.0.0/8?)'],
    ['2001:db8::1/32', 'entry 1: "2001:db8::1/32" has bits set after its /32 prefix (did you mean 2001:db8::/32?)'],
    ['', 'entry 1: an empty entry (two commas in a row, or a trailing comma?)'],
    ['   ', 'entry 1: an empty entry (two commas in a row, or a trailing comma?)'],
  ])('rejects %j', (entry, problem) => {
    expect(invalidCidrs([entry])).toEqual([problem]);
  });

  it('reports every bad entry of a list, numbered', () => {
    expect(invalidCidrs(['10.0.0.0/8', '', '::1', 'x/7', '172.16.0.0/99'])).toEqual([
      'entry 2: an empty entry (two commas in a row, or a trailing comma?)',
      'entry 4: "x/7" is not an IPv4 or IPv6 address or CIDR',
      'entry 5: "172.16.0.0/99" has an invalid prefix length: IPv4 allows /0 to /32',
    ]);
  });
});

describe('address parsing agrees with node:net', () => {
  /** Eight groups with runs of zeros, so "::" lands everywhere. */
  const anyGroups = fc.array(
    fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.nat(0xffff), weight: 3 }),
    {
      minLength: 8,
      maxLength: 8,
    },
  );
  function spellings(g: number[]): string[] {
    const hex = g.map((x) => x.toString(16));
    const v4 = `${g[6]! >>> 8}.${g[6]! & 0xff}.${g[7]! >>> 8}.${g[7]! & 0xff}`;
    const compressed = new URL(`http://[${hex.join(':')}]/`).hostname.slice(1, -1);
    return [
      hex.join(':'),
      hex.join(':').toUpperCase(),
      g.map((x) => x.toString(16).padStart(4, '0')).join(':'),
      compressed,
      `${hex.slice(0, 6).join(':')}:${v4}`,
    ];
  }

  it('reads every spelling of random IPv6 addresses to the same 128 bits', () => {
    const out = newAddress();
    fc.assert(
      fc.property(anyGroups, (g) => {
        const words = [0, 1, 2, 3].map((k) => g[2 * k]! * 0x10000 + g[2 * k + 1]!);
        for (const text of spellings(g)) {
          expect(parseAddress(text, out), text).toBe(true);
          expect([...out], text).toEqual(words);
        }
      }),
      propertyParameters({ numRuns: 2_000, seed: 20260101 }),
    );
  });

  it.each([
    '1:2:3:4:5:6:7:1.2.3.4',
    '1::2:3:4:5:6:7:1.2.3.4',
    '1::2:3:4:5:6:1.2.3.4',
    '1::2:3:4:5:1.2.3.4',
    '::1.2.3.4.5',
    '1.2.3.4::',
    '::1.2.3.04',
    '1:2:3:4:5:6:7::',
    '::1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    ':::',
    '1:::2',
    '12345::',
    '0:0:0:0:0:0:0:0',
    '1:2:3:4:5:6:7:',
  ])('reads %j exactly when net.isIP does', (text) => {
    expect(parseAddress(text, newAddress())).toBe(net.isIP(text) !== 0);
  });

  it('accepts exactly what net.isIP accepts, on mangled addresses', () => {
    // An IPv4-ish base (octets up to 299) a third of the time, else one spelling of an IPv6
    // address; then one to three edits, each deleting a character or inserting one.
    const anyBase = fc.oneof(
      fc.array(fc.nat(299), { minLength: 4, maxLength: 4 }).map((octets) => octets.join('.')),
      { arbitrary: fc.tuple(anyGroups, fc.nat(4)).map(([g, k]) => spellings(g)[k]!), weight: 2 },
    );
    const anyEdit = fc.record({
      at: fc.nat(),
      insert: fc.boolean(),
      char: fc.constantFrom(...':.0123456789abcdefABCDEFg '),
    });
    const mangled = fc.tuple(anyBase, fc.array(anyEdit, { minLength: 1, maxLength: 3 })).map(([base, edits]) => {
      const chars = [...base];
      for (const edit of edits) {
        const at = edit.at % (chars.length + 1);
        if (edit.insert) chars.splice(at, 0, edit.char);
        else chars.splice(at, 1);
      }
      return chars.join('');
    });
    const out = newAddress();
    fc.assert(
      fc.property(mangled, (text) => {
        expect(parseAddress(text, out), JSON.stringify(text)).toBe(net.isIP(text) !== 0);
      }),
      propertyParameters({ numRuns: 20_000, seed: 20260101 }),
    );
  });
});
