import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createTargetPolicy } from '../../../src/policy/target-policy.js';
import { createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { Prober } from '../../../src/probe/prober.js';
import { KindStatusChangedDocument, RegisterKindServiceDocument } from '../../generated/graphql.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { DATABASE_KINDS } from '../../support/database.js';
import { kindTarget } from '../../support/kind-target.js';
import { connectClient, subscribe, untilSubscribed } from '../../support/subscriptions.js';
import { closedPort, startSilentServer, startTarget, type Target } from '../../support/target-fixture.js';

const POSTGRES = 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS = 'redis://127.0.0.1:6379';
const suffix = `${process.pid}_${Date.now() % 100_000}`;
const ROLE = `r11_probe_${suffix}`;
const NOLOGIN_ROLE = `r11_nologin_${suffix}`;
const REDIS_USER = `r11probe${suffix}`;
const PASSWORD = 'pr0be-Secret';

const portOf = (target: Target) => new URL(target.url('/')).port;
const strictPolicy = () => createTargetPolicy({ mode: 'public-only', allow: [], deny: [] });

describe('ws://, postgres:// and redis:// checks against real peers', () => {
  let prober: Prober<KindTarget>;
  let wsServer: http.Server;
  let wsPort: number;
  let plain: Target;
  let silent: Target;
  let admin: pg.Client;
  let redisAdmin: Redis;
  beforeAll(async () => {
    prober = createProber({ userAgent: 'statuschecker-test' });
    wsServer = http.createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server: wsServer, path: '/socket' });
    wss.on('connection', (socket) => {
      socket.send('hello');
      socket.on('message', (data) => socket.send(`echo:${String(data)}`));
    });
    wsServer.listen(0, '127.0.0.1');
    await once(wsServer, 'listening');
    wsPort = (wsServer.address() as AddressInfo).port;
    [plain, silent] = await Promise.all([startTarget(), startSilentServer()]);
    admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE ROLE ${NOLOGIN_ROLE} NOLOGIN`);
    redisAdmin = new Redis(REDIS);
    await redisAdmin.call('ACL', 'SETUSER', REDIS_USER, 'on', `>${PASSWORD}`, '+ping', '+auth');
  });
  afterAll(async () => {
    await prober?.close();
    await admin?.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin?.query(`DROP ROLE IF EXISTS ${NOLOGIN_ROLE}`);
    await admin?.end();
    await redisAdmin?.call('ACL', 'DELUSER', REDIS_USER);
    redisAdmin?.disconnect();
    await Promise.all([plain?.close(), silent?.close()]);
    await new Promise((resolve) => wsServer?.close(resolve));
  });

  describe('ws://', () => {
    const ws = (path: string, overrides: Partial<KindTarget> = {}) =>
      kindTarget('WEBSOCKET', `ws://127.0.0.1:${wsPort}${path}`, overrides);

    it('passes once the upgrade succeeds', async () => {
      const result = await prober.probe(ws('/socket'));
      expect(result).toMatchObject({ ok: true, httpStatus: 101, reason: null });
      // The TCP connect, then the upgrade's answer as the first byte.
      expect(result.phases).toEqual({
        dnsMs: null,
        connectMs: expect.any(Number),
        tlsMs: null,
        firstByteMs: expect.any(Number),
        transferMs: null,
      });
    });

    it('sends tcp.send as the first message and finds tcp.expect in what comes back', async () => {
      const result = await prober.probe(ws('/socket', { tcp: { send: 'ping', expect: 'echo:ping' } }));
      expect(result).toMatchObject({ ok: true });
    });

    it('fails with PROTOCOL when the server refuses the upgrade', async () => {
      expect(await prober.probe(ws('/elsewhere'))).toMatchObject({
        ok: false,
        reason: 'PROTOCOL',
        message: 'the upgrade was refused: HTTP 400',
      });
      const http1 = kindTarget('WEBSOCKET', `ws://127.0.0.1:${portOf(plain)}/ok`);
      expect(await prober.probe(http1)).toMatchObject({ ok: false, reason: 'PROTOCOL' });
    });

    it('honours the deadline when the expected text never comes, and against a silent peer', async () => {
      const waiting = await prober.probe(ws('/socket', { timeoutMs: 300, tcp: { send: null, expect: 'never' } }));
      expect(waiting).toMatchObject({ ok: false, reason: 'TIMEOUT', message: 'timed out after 300 ms' });
      const mute = await prober.probe(kindTarget('WEBSOCKET', `ws://127.0.0.1:${portOf(silent)}/`, { timeoutMs: 300 }));
      expect(mute).toMatchObject({ ok: false });
      expect(mute.latencyMs).toBeGreaterThanOrEqual(299);
    });

    it('refuses a blocked address under public-only', async () => {
      const strict = createProber({ userAgent: 'statuschecker-test', policy: strictPolicy() });
      try {
        expect(await strict.probe(ws('/socket'))).toMatchObject({ ok: false, reason: 'POLICY' });
      } finally {
        await strict.close();
      }
    });
  });

  describe('postgres:// (the real PostgreSQL on 127.0.0.1:5432)', () => {
    const postgres = (url: string, timeoutMs = 3_000) => kindTarget('POSTGRES', url, { timeoutMs });

    it('passes with a role that may log in, and names no password', async () => {
      const result = await prober.probe(postgres(`postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432/postgres`));
      expect(result).toMatchObject({ ok: true, message: `SELECT 1 as ${ROLE} on postgres` });
      // The TCP connect, then SELECT 1 as the first byte (authentication is between them, in neither).
      expect(result.phases).toEqual({
        dnsMs: null,
        connectMs: expect.any(Number),
        tlsMs: null,
        firstByteMs: expect.any(Number),
        transferMs: null,
      });
    });

    it('fails with AUTH when the server refuses the credentials, without the password in the message', async () => {
      // This server trusts 127.0.0.1 (pg_hba), so it refuses a role that may not log in rather than a wrong password.
      const result = await prober.probe(postgres(`postgres://${NOLOGIN_ROLE}:${PASSWORD}@127.0.0.1:5432/postgres`));
      expect(result).toMatchObject({ ok: false, reason: 'AUTH', message: expect.stringContaining('28000') });
      expect(result.message).not.toContain(PASSWORD);
    });

    it('fails with AUTH on a database that does not exist', async () => {
      const result = await prober.probe(postgres(`postgres://${ROLE}:${PASSWORD}@127.0.0.1:5432/no_such_db_${suffix}`));
      expect(result).toMatchObject({ ok: false, reason: 'AUTH', message: expect.stringContaining('3D000') });
    });

    it('fails when the peer is not PostgreSQL, and honours the deadline against a silent one', async () => {
      const refused = await prober.probe(postgres(`postgres://u@127.0.0.1:${await closedPort()}/db`));
      expect(refused).toMatchObject({ ok: false, reason: 'CONNECT_REFUSED' });
      const mute = await prober.probe(postgres(`postgres://u@127.0.0.1:${portOf(silent)}/db`, 300));
      expect(mute).toMatchObject({ ok: false, reason: expect.stringMatching(/TIMEOUT/) });
      expect(mute.latencyMs).toBeGreaterThanOrEqual(299);
    });
  });

  describe('redis:// (the real Redis on 127.0.0.1:6379)', () => {
    const redis = (url: string, timeoutMs = 2_000) => kindTarget('REDIS', url, { timeoutMs });

    it('passes on PONG, without and with AUTH', async () => {
      const plain = await prober.probe(redis(REDIS));
      expect(plain).toMatchObject({ ok: true, message: 'PONG' });
      // Connect, then PING's answer as the first byte (AUTH, before it, is in neither).
      expect(plain.phases).toEqual({
        dnsMs: null,
        connectMs: expect.any(Number),
        tlsMs: null,
        firstByteMs: expect.any(Number),
        transferMs: null,
      });
      expect(await prober.probe(redis(`redis://${REDIS_USER}:${PASSWORD}@127.0.0.1:6379`))).toMatchObject({
        ok: true,
        message: 'PONG',
      });
    });

    it('fails with AUTH on a wrong password, without the password in the message', async () => {
      const result = await prober.probe(redis(`redis://${REDIS_USER}:wrong-${PASSWORD}@127.0.0.1:6379`));
      expect(result).toMatchObject({
        ok: false,
        reason: 'AUTH',
        message: expect.stringMatching(/^AUTH refused: WRONGPASS/),
      });
      expect(result.message).not.toContain(PASSWORD);
    });

    it('fails with PROTOCOL against a server that is not Redis, and honours the deadline', async () => {
      const http1 = await prober.probe(redis(`redis://127.0.0.1:${portOf(plain)}`));
      expect(http1).toMatchObject({ ok: false, reason: 'PROTOCOL' });
      const mute = await prober.probe(redis(`redis://127.0.0.1:${portOf(silent)}`, 300));
      expect(mute).toMatchObject({ ok: false, reason: 'TIMEOUT', message: 'timed out after 300 ms' });
    });

    it('refuses a blocked address under public-only', async () => {
      const strict = createProber({ userAgent: 'statuschecker-test', policy: strictPolicy() });
      try {
        expect(await strict.probe(redis(REDIS))).toMatchObject({ ok: false, reason: 'POLICY' });
      } finally {
        await strict.close();
      }
    });
  });
});

describe.each(DATABASE_KINDS)('database kinds in the app on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(database, { listen: true });
  });
  afterAll(() => t?.close());

  it('never shows the password of a postgres:// or redis:// url; a subscriber sees them UP', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`);
    const events = subscribe(client, KindStatusChangedDocument, {});
    // In place before the first check, which comes within a second of registering.
    await untilSubscribed(t.app);
    try {
      const register = async (name: string, url: string) => {
        const { registerService } = await t.run(RegisterKindServiceDocument, {
          input: { name, url, intervalSeconds: 3600 },
        });
        if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
        return registerService.service;
      };
      const pgService = await register(`pg-${database}`, `postgres://postgres:${PASSWORD}@127.0.0.1:5432/postgres`);
      const redisService = await register(`redis-${database}`, `redis://:${PASSWORD}x@127.0.0.1:6379`);
      expect(pgService).toMatchObject({ kind: 'POSTGRES', url: 'postgres://postgres@127.0.0.1:5432/postgres' });
      expect(redisService).toMatchObject({ kind: 'REDIS', url: 'redis://127.0.0.1:6379' });
      expect(JSON.stringify([pgService, redisService])).not.toContain(PASSWORD);
      const up = await events.next((e) => e.statusChanged.service.id === pgService.id, 5_000);
      expect(up.statusChanged).toMatchObject({ service: { kind: 'POSTGRES' }, current: 'UP' });
      // Redis here has no password set: AUTH with one is refused, and the message does not repeat it.
      const down = await events.next((e) => e.statusChanged.service.id === redisService.id, 5_000);
      expect(down.statusChanged).toMatchObject({ current: 'DOWN', state: { reason: 'AUTH' } });
      expect(JSON.stringify(down)).not.toContain(PASSWORD);
    } finally {
      events.dispose();
      await client.dispose();
    }
  });
});
