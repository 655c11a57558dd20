import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterServiceDocument, ServiceByIdDocument, StatusChangedDocument } from '../generated/graphql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeOperation } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { eventually } from '../support/wait.js';

// Two processes need a database they can share: PostgreSQL (CI sets both variables).
describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('two processes sharing PostgreSQL and Redis', () => {
  let target: Target;
  let database: TestDatabase;
  let redis: TcpProxy;
  let checker: ServerProcess;
  let api: ServerProcess;
  let apiClient: Client;
  let checkerClient: Client;
  let serviceId: string;
  const path = '/switch/cross';

  beforeAll(async () => {
    target = await startTarget();
    target.respondWith(path, 200);
    database = await createTestDatabase('postgresql');
    const redisUrl = new URL(TEST_REDIS_URL!);
    redis = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    const shared = { DATABASE_URL: database.url!, REDIS_URL: `redis://${redis.address}` };
    checker = await startServer({ env: shared });
    // API-only: serves queries and subscriptions, checks nothing.
    api = await startServer({ env: { ...shared, SCHEDULER_ENABLED: 'false' } });
    apiClient = connectClient(api.graphqlUrl);
    checkerClient = connectClient(checker.graphqlUrl);
  });
  afterAll(async () => {
    await apiClient?.dispose();
    await checkerClient?.dispose();
    await stopAllServers();
    await redis?.close();
    await database?.dispose();
    await target?.close();
  });

  const stateOn = async (server: ServerProcess) =>
    (await executeOperation(fetch, server.graphqlUrl, ServiceByIdDocument, { id: serviceId })).service?.state;

  it('delivers to a subscriber on the API-only process the changes the checking process detects', async () => {
    const onApi = subscribe(apiClient, StatusChangedDocument, {});
    // Registered on the API-only process: the checking process learns of it and checks it.
    const { registerService } = await executeOperation(fetch, api.graphqlUrl, RegisterServiceDocument, {
      input: { name: 'cross', url: target.url(path), intervalSeconds: 1, timeoutMs: 500 },
    });
    if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
    serviceId = registerService.service.id;

    await onApi.next((e) => e.statusChanged.service.id === serviceId && e.statusChanged.current === 'UP', 5_000);
    target.respondWith(path, 503);
    const down = await onApi.next((e) => e.statusChanged.current === 'DOWN', 5_000);
    expect(down.statusChanged).toMatchObject({
      service: { name: 'cross' },
      previous: 'UP',
      message: 'expected 200-299, got 503',
    });
    // The API-only process checks nothing, yet its own cache answers the new state.
    expect(await stateOn(api)).toMatchObject({ status: 'DOWN', httpStatus: 503, reason: 'HTTP_STATUS' });
    expect(api.logs().some((r) => r.component === 'monitor' && r.msg === 'status changed')).toBe(false);
    onApi.dispose();
  });

  it('keeps serving through a Redis outage, and events flow across processes again when Redis returns', async () => {
    const onApi = subscribe(apiClient, StatusChangedDocument, { serviceIds: [serviceId] });
    const onChecker = subscribe(checkerClient, StatusChangedDocument, { serviceIds: [serviceId] });
    redis.cut();

    target.respondWith(path, 200);
    // Local subscribers of the checking process keep receiving without Redis.
    await onChecker.next((e) => e.statusChanged.current === 'UP', 5_000);
    // Both processes keep answering.
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect(await stateOn(api)).toBeDefined();
    expect(await stateOn(checker)).toMatchObject({ status: 'UP' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(onApi.events).toEqual([]);

    redis.restore();
    // After the reconnect the API-only process reloads what it missed from the database...
    await api.waitForLog((r) => r.msg === 'resynchronised from the database', 15_000);
    await eventually(async () => ((await stateOn(api))?.status === 'UP' ? true : undefined), 5_000, 'the missed UP');
    await checker.waitForLog((r) => r.msg === 'redis reconnected: resynchronising from the database', 15_000);

    // ...and new changes cross processes again.
    target.respondWith(path, 500);
    const down = await onApi.next((e) => e.statusChanged.current === 'DOWN', 5_000);
    expect(down.statusChanged.message).toBe('expected 200-299, got 500');
    expect(checker.logs().some((r) => r.level !== undefined && r.level >= 60)).toBe(false);
    onApi.dispose();
    onChecker.dispose();
  });
});
