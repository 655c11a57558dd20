import dgram from 'node:dgram';
import dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetPolicy } from '../../../src/policy/target-policy.js';
import { MAX_QUERIES_PER_SOCKET } from '../../../src/probe/dns/udp-sockets.js';
import { createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { Prober } from '../../../src/probe/prober.js';
import { KindStatusChangedDocument, RegisterKindServiceDocument } from '../../generated/graphql.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { DATABASE_KINDS } from '../../support/database.js';
import { type DnsServer, startDnsServer } from '../../support/dns-server.js';
import { kindTarget } from '../../support/kind-target.js';
import { connectClient, subscribe, untilSubscribed } from '../../support/subscriptions.js';

const dnsTarget = (url: string, recordType: NonNullable<KindTarget['dns']>['recordType'] = 'A', timeoutMs = 2_000) =>
  kindTarget('DNS', url, { dns: { recordType }, timeoutMs });

describe('dns:// checks against a real DNS server', () => {
  let prober: Prober<KindTarget>;
  let server: DnsServer;
  beforeAll(async () => {
    prober = createProber({ userAgent: 'statuschecker-test' });
    server = await startDnsServer();
  });
  afterAll(async () => {
    await prober?.close();
    await server?.close();
  });

  it.each<[string, string, NonNullable<KindTarget['dns']>['recordType'], string]>([
    ['A records', 'ok.test', 'A', 'A 192.0.2.10, 192.0.2.11'],
    ['an MX record', 'ok.test', 'MX', 'MX 10 mail.ok.test'],
    ['a TXT record', 'ok.test', 'TXT', 'TXT v=spf1 -all'],
  ])('passes with %s, naming them', async (_what, name, type, message) => {
    const result = await prober.probe(dnsTarget(server.url(name), type));
    expect(result).toMatchObject({ ok: true, reason: null, message });
    expect(server.questions).toContain(`udp:${name}:${type}`);
  });

  it.each<[string, string, string]>([
    ['NXDOMAIN', 'missing.test', 'NXDOMAIN for missing.test A'],
    ['SERVFAIL', 'broken.test', 'SERVFAIL for broken.test A'],
    ['no record of the type', 'empty.test', 'NOERROR but no A record for empty.test'],
  ])('fails with DNS_RCODE on %s', async (_what, name, message) => {
    expect(await prober.probe(dnsTarget(server.url(name)))).toMatchObject({ ok: false, reason: 'DNS_RCODE', message });
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const result = await prober.probe(dnsTarget(server.url('big.test')));
    expect(result).toMatchObject({ ok: true });
    expect(result.message).toMatch(
      /^A 192\.0\.2\.1, 192\.0\.2\.2, .* and 35 more \(over TCP: the UDP answer was truncated\)$/,
    );
    expect(server.questions.filter((q) => q.startsWith('tcp:big.test'))).toHaveLength(1);
  });

  it('honours the deadline against a resolver that never answers', async () => {
    const result = await prober.probe(dnsTarget(server.url('silent.test'), 'A', 300));
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT', message: 'timed out after 300 ms' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(299);
  });

  it('ignores what is not the answer to its question (garbage, another id) and waits for the deadline', async () => {
    const result = await prober.probe(dnsTarget(server.url('garbage.test'), 'A', 300));
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT' });
  });

  it('takes only the answer from the resolver to its own question: forgeries before it are ignored', async () => {
    // Forged first: right id and question from another port; from the resolver's port the right id
    // with another name, another type, the query bit. Then the real answer.
    const result = await prober.probe(dnsTarget(server.url('spoofed.test')));
    expect(result).toMatchObject({ ok: true, reason: null, message: 'A 192.0.2.53' });
  });

  it('shares its UDP sockets among concurrent checks, each getting its own answer, and moves to fresh ports', async () => {
    const cases: [string, NonNullable<KindTarget['dns']>['recordType'], string][] = [
      ['ok.test', 'A', 'A 192.0.2.10, 192.0.2.11'],
      ['ok.test', 'MX', 'MX 10 mail.ok.test'],
      ['ok.test', 'TXT', 'TXT v=spf1 -all'],
      ['missing.test', 'A', 'NXDOMAIN for missing.test A'],
      ['empty.test', 'A', 'NOERROR but no A record for empty.test'],
    ];
    const checks = 200;
    const asked = Array.from({ length: checks }, (_, i) => cases[i % cases.length]!);
    const from = server.sources.length;
    const results = await Promise.all(asked.map(([name, type]) => prober.probe(dnsTarget(server.url(name), type))));
    expect(results.map((result) => result.message)).toEqual(asked.map(([, , message]) => message));
    // A socket serves MAX_QUERIES_PER_SOCKET queries, then a fresh one (a new random port) takes over.
    const ports = new Set(server.sources.slice(from));
    expect(ports.size).toBeGreaterThanOrEqual(Math.ceil(checks / MAX_QUERIES_PER_SOCKET));
    expect(ports.size).toBeLessThanOrEqual(Math.ceil(checks / MAX_QUERIES_PER_SOCKET) + 1);
  });

  it('closes its shared UDP socket on close(): the port it asked from is free again', async () => {
    const own = createProber({ userAgent: 'statuschecker-test' });
    expect(await own.probe(dnsTarget(server.url('ok.test')))).toMatchObject({ ok: true });
    const port = Number(server.sources.at(-1)?.split(':').at(-1));
    await expect(bindUdp(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await own.close();
    const socket = await bindUdp(port);
    socket.close();
  });

  it("asks the system's resolver when the url names none (dns:///name)", async () => {
    const system = dns.getServers();
    dns.setServers([`127.0.0.1:${server.port}`]);
    try {
      expect(await prober.probe(dnsTarget('dns:///ok.test'))).toMatchObject({
        ok: true,
        message: 'A 192.0.2.10, 192.0.2.11',
      });
    } finally {
      dns.setServers(system);
    }
  });

  it('refuses a blocked resolver under public-only without sending to it', async () => {
    const policy = createTargetPolicy({ mode: 'public-only', allow: [], deny: [] });
    const strict = createProber({ userAgent: 'statuschecker-test', policy });
    const before = server.questions.length;
    try {
      expect(await strict.probe(dnsTarget(server.url('ok.test')))).toMatchObject({
        ok: false,
        reason: 'POLICY',
        message: expect.stringMatching(/^blocked by target policy: 127\.0\.0\.1 is a loopback address/),
      });
      expect(server.questions.length).toBe(before);
    } finally {
      await strict.close();
    }
  });
});

/** A UDP socket bound to `port` on every IPv4 address, or the bind error. */
function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, () => resolve(socket));
  });
}

describe.each(DATABASE_KINDS)('dns services in the app on %s', (database) => {
  let t: TestApp;
  let server: DnsServer;
  beforeAll(async () => {
    server = await startDnsServer();
    t = await startTestApp(database, { listen: true });
  });
  afterAll(async () => {
    await t?.close();
    await server?.close();
  });

  it('registers a dns:// service; a subscriber sees it UP, and a failing one DOWN with its rcode', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`);
    const events = subscribe(client, KindStatusChangedDocument, {});
    await untilSubscribed(t.app);
    try {
      const register = async (name: string, url: string) => {
        const { registerService } = await t.run(RegisterKindServiceDocument, {
          input: { name, url, dns: { recordType: 'mx' }, intervalSeconds: 3600 },
        });
        if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
        return registerService.service;
      };
      const ok = await register(`dns-ok-${database}`, server.url('ok.test'));
      expect(ok).toMatchObject({ kind: 'DNS', dns: { recordType: 'MX', resolver: `127.0.0.1:${server.port}` } });
      const missing = await register(`dns-missing-${database}`, server.url('missing.test'));
      const up = await events.next((e) => e.statusChanged.service.id === ok.id, 5_000);
      expect(up.statusChanged).toMatchObject({ service: { kind: 'DNS' }, current: 'UP' });
      expect(up.statusChanged.state.message).toBe('MX 10 mail.ok.test');
      const down = await events.next((e) => e.statusChanged.service.id === missing.id, 5_000);
      expect(down.statusChanged).toMatchObject({
        current: 'DOWN',
        message: 'NXDOMAIN for missing.test MX',
        state: { reason: 'DNS_RCODE' },
      });
    } finally {
      events.dispose();
      await client.dispose();
    }
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['an unknown record type', { dns: { recordType: 'PTRX' } }, 'dns.recordType', 'must be one of A, AAAA'],
    ['no name', { url: 'dns://1.1.1.1/' }, 'url', 'must name what to look up'],
    ['an invalid name', { url: 'dns://1.1.1.1/bad..name' }, 'url', 'is not a valid DNS name'],
    ['a resolver that is not the url one', { dns: { resolver: '8.8.8.8' } }, 'dns.resolver', 'the url names 1.1.1.1'],
    ['dns options on an http service', { url: 'https://example.com', dns: { recordType: 'A' } }, 'dns', 'HTTP'],
  ])('rejects %s, naming %s', async (what, input, field, message) => {
    const { registerService } = await t.run(RegisterKindServiceDocument, {
      input: { name: `bad ${what}`, url: 'dns://1.1.1.1/example.com', ...input },
    });
    expect(registerService).toMatchObject({
      __typename: 'ValidationError',
      field,
      message: expect.stringContaining(message),
    });
  });
});
