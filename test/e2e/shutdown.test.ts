import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { RegisterServiceDocument } from '../generated/graphql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeOperation } from '../support/graphql.js';
import { startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL } from '../support/services.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { eventually } from '../support/wait.js';

const IN_FLIGHT = 500;

describe('graceful shutdown under load', () => {
  let target: Target;
  let dataDir: string;
  beforeAll(async () => {
    target = await startTarget();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-shutdown-'));
  });
  afterAll(async () => {
    await stopAllServers();
    await target?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`exits 0 within 10 s on SIGTERM with ${IN_FLIGHT} checks in flight, and flushes history first`, async () => {
    const server = await startServer({ env: { DATA_DIR: dataDir, CHECK_CONCURRENCY: '2000' } });
    const register = async (name: string, url: string, intervalSeconds: number) => {
      const { registerService } = await executeOperation(fetch, server.graphqlUrl, RegisterServiceDocument, {
        input: { name, url, intervalSeconds, timeoutMs: Math.min(20_000, intervalSeconds * 1000 - 1) },
      });
      expect(registerService.__typename).toBe('ServicePayload');
    };
    // A few healthy services produce history; 500 more hang on a target that never answers.
    for (let i = 0; i < 5; i++) await register(`healthy-${i}`, target.url(`/ok?healthy=${i}`), 1);
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, (_, i) => register(`hanging-${i}`, target.url(`/never?i=${i}`), 60)),
    );
    await eventually(
      () => (target.hits('/never') >= IN_FLIGHT ? true : undefined),
      15_000,
      `${IN_FLIGHT} requests in flight`,
    );
    await eventually(() => (target.hits('/ok') >= 10 ? true : undefined), 10_000, 'some completed checks');
    expect(target.openConnections()).toBeGreaterThanOrEqual(IN_FLIGHT);

    const signalled = Date.now();
    const code = await server.stop('SIGTERM', 15_000);
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    const messages = server.logs().map((r) => r.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'shutdown requested',
        'checks stopped',
        'websockets closed',
        'history flushed',
        'database closed',
      ]),
    );
    expect(messages.indexOf('checks stopped')).toBeLessThan(messages.indexOf('history flushed'));
    // The in-flight checks were aborted: their connections are gone.
    await eventually(() => (target.openConnections() === 0 ? true : undefined), 5_000, 'aborted connections to close');

    // Everything the healthy checks produced reached the database before exit.
    const db = await openDatabase({ dataDir, logger: createLogger('silent') });
    try {
      const healthy = await db.prisma.service.findMany({
        where: { name: { startsWith: 'healthy-' } },
        select: { id: true },
      });
      const states = await db.prisma.lastKnownState.findMany({
        where: { serviceId: { in: healthy.map((s) => s.id) } },
      });
      expect(states.map((s) => s.status)).toEqual(['UP', 'UP', 'UP', 'UP', 'UP']);
      const rollups = await db.prisma.checkRollup.aggregate({
        _sum: { checks: true },
        where: { serviceId: { in: healthy.map((s) => s.id) } },
      });
      // Every completed check was counted (the target saw each of them once).
      expect(rollups._sum.checks).toBe(target.hits('/ok'));
      // Every transition the server reported is stored.
      const reported = server
        .logs()
        .filter((r) => r.msg === 'status changed' && healthy.some((s) => s.id === r.serviceId));
      expect(reported.length).toBeGreaterThanOrEqual(5);
      expect(await db.prisma.statusChange.count({ where: { serviceId: { in: healthy.map((s) => s.id) } } })).toBe(
        reported.length,
      );
    } finally {
      await db.close();
    }
    console.log(`SIGTERM with ${IN_FLIGHT} checks in flight: exit 0 after ${tookMs} ms`);
  });
});

describe.runIf(TEST_DATABASE_URL)('a second signal', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
    database = await createTestDatabase('postgresql');
    const real = new URL(database.url!);
    proxy = await startTcpProxy(real.hostname, Number(real.port || 5432));
  });
  afterAll(async () => {
    await stopAllServers();
    await proxy?.close();
    await database?.dispose();
    await target?.close();
  });

  it('exits at once while a graceful shutdown is still waiting', async () => {
    const url = new URL(database.url!);
    url.host = proxy.address;
    const server = await startServer({ env: { DATABASE_URL: url.toString() } });
    const { registerService } = await executeOperation(fetch, server.graphqlUrl, RegisterServiceDocument, {
      input: { name: 'pending-history', url: target.url('/ok'), intervalSeconds: 1, timeoutMs: 500 },
    });
    expect(registerService.__typename).toBe('ServicePayload');
    await eventually(() => (target.hits('/ok') >= 2 ? true : undefined), 5_000, 'checks with history to write');
    // With the database gone, the last history write keeps trying until its deadline (3 s).
    proxy.cut();
    process.kill(server.pid, 'SIGTERM');
    await server.waitForLog((r) => r.msg === 'shutdown requested');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const second = Date.now();
    process.kill(server.pid, 'SIGTERM');
    const exit = await server.exited;
    expect(Date.now() - second).toBeLessThan(1_000);
    expect(exit.code).toBe(1);
    expect(server.logs().some((r) => r.msg === 'second signal: exiting now')).toBe(true);
  });
});
