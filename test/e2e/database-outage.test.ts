import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusChangedDocument, StatusSummaryDocument } from '../generated/graphql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeOperation, executeRaw } from '../support/graphql.js';
import { type Receiver, startReceiver } from '../support/receiver.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL } from '../support/services.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { eventually } from '../support/wait.js';

const OUTAGE_MS = 10_000;

describe.runIf(TEST_DATABASE_URL)('a PostgreSQL outage of 10 s, mid-run', () => {
  let target: Target;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: ServerProcess;
  let direct: pg.Client;
  let receiver: Receiver;

  beforeAll(async () => {
    target = await startTarget();
    receiver = await startReceiver();
    database = await createTestDatabase('postgresql');
    const real = new URL(database.url!);
    proxy = await startTcpProxy(real.hostname, Number(real.port || 5432));
    const throughProxy = new URL(database.url!);
    throughProxy.host = proxy.address;
    server = await startServer({ env: { DATABASE_URL: throughProxy.toString() } });
    // The test reads the database directly, around the proxy.
    direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
  });
  afterAll(async () => {
    await direct?.end();
    await stopAllServers();
    await proxy?.close();
    await database?.dispose();
    await target?.close();
    await receiver?.close();
  });

  const register = (name: string, path: string) => {
    target.respondWith(path, 200);
    return executeRaw(
      fetch,
      server.graphqlUrl,
      `mutation($input: RegisterServiceInput!) { registerService(input: $input) { __typename ... on ServicePayload { service { id } } } }`,
      {
        input: { name, url: target.url(path), intervalSeconds: 1, timeoutMs: 500 },
      },
    );
  };
  const readyz = async () => (await fetch(`${server.url}/readyz`)).status;

  it('keeps checking and publishing, refuses mutations at once, loses nothing, and recovers on its own', async () => {
    // A default channel: every transition, including those of the outage window, is told once.
    const channel = await executeRaw(
      fetch,
      server.graphqlUrl,
      'mutation ($input: NotificationChannelInput!) { createNotificationChannel(input: $input) { __typename } }',
      { input: { name: 'outage-hook', kind: 'WEBHOOK', url: receiver.url('/outage'), isDefault: true } },
    );
    expect(channel.body.data).toEqual({ createNotificationChannel: { __typename: 'NotificationChannelPayload' } });
    const acknowledged = await register('before-outage', '/switch/outage');
    expect(acknowledged.body.data).toMatchObject({ registerService: { __typename: 'ServicePayload' } });
    const client = connectClient(server.graphqlUrl);
    const changes = subscribe(client, StatusChangedDocument, {});
    await changes.next((e) => e.statusChanged.current === 'UP', 5_000);
    expect(await readyz()).toBe(200);

    proxy.cut();
    const cutAt = Date.now();
    await eventually(async () => ((await readyz()) === 503 ? true : undefined), 5_000, '/readyz to report not ready');

    // Mutations fail fast with a clear error; they are not acknowledged.
    const started = Date.now();
    const refused = await register('during-outage', '/switch/refused');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(refused.status).toBe(503);
    expect(refused.body.errors?.[0]).toMatchObject({
      message: 'the database is unavailable; try again shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });

    // Checks, the cache, subscriptions and metrics keep working.
    target.respondWith('/switch/outage', 503);
    const down = await changes.next((e) => e.statusChanged.current === 'DOWN', 5_000);
    expect(down.statusChanged.message).toBe('expected 200-299, got 503');
    const { statusSummary } = await executeOperation(fetch, server.graphqlUrl, StatusSummaryDocument);
    expect(statusSummary).toMatchObject({ total: 1, down: 1 });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('statuschecker_service_up{service="before-outage"} 0');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    target.respondWith('/switch/outage', 200);
    await changes.next((e) => e.statusChanged.previous === 'DOWN' && e.statusChanged.current === 'UP', 5_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));

    proxy.restore();
    const restoredAt = Date.now();
    await eventually(
      async () => ((await readyz()) === 200 ? true : undefined),
      15_000,
      '/readyz to report ready again',
    );
    const readyAfterMs = Date.now() - restoredAt;

    // Both transitions of the outage window are written once the database is back.
    const transitions = await eventually(
      async () => {
        const { rows } = await direct.query<{ previous: string; current: string; at: Date }>(
          `SELECT previous, current, at FROM "StatusChange" WHERE at >= $1 ORDER BY at`,
          [new Date(cutAt)],
        );
        return rows.length >= 2 ? rows : undefined;
      },
      20_000,
      'the transitions of the outage',
    );
    expect(transitions.map((r) => `${r.previous}->${r.current}`)).toEqual(['UP->DOWN', 'DOWN->UP']);
    const writtenAfterMs = Date.now() - restoredAt;

    // Their notifications follow, once each, in order: nothing lost, nothing twice.
    await eventually(() => (receiver.requests.length >= 2 ? true : undefined), 20_000, 'the outage notifications');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const told = receiver.requests.map((r) => ({
      event: r.headers['x-statuschecker-event'],
      id: r.headers['x-statuschecker-delivery'],
    }));
    expect(told.map((r) => r.event)).toEqual(['DOWN', 'UP']);
    expect(new Set(told.map((r) => r.id)).size).toBe(2);

    // And the checks of the outage window are in the rollups (checked about once a second).
    const outageChecks = await eventually(
      async () => {
        const { rows } = await direct.query<{ checks: number }>(
          `SELECT coalesce(sum(checks), 0)::int AS checks FROM "CheckRollup" WHERE minute >= date_trunc('minute', $1::timestamptz)`,
          [new Date(cutAt)],
        );
        return rows[0]!.checks >= OUTAGE_MS / 1000 - 2 ? rows[0]!.checks : undefined;
      },
      20_000,
      'the rollups of the outage',
    );

    // The registration acknowledged before the outage is there; the refused one is not.
    const { rows: services } = await direct.query<{ name: string }>(`SELECT name FROM "Service" ORDER BY name`);
    expect(services.map((s) => s.name)).toEqual(['before-outage']);
    // Mutations work again without a restart.
    const after = await register('after-outage', '/switch/after');
    expect(after.body.data).toMatchObject({ registerService: { __typename: 'ServicePayload' } });
    expect(server.logs().filter((r) => (r.level ?? 0) >= 60)).toEqual([]);

    console.log(
      `database outage of ${OUTAGE_MS / 1000} s: ready again ${readyAfterMs} ms after the restore; ` +
        `transitions written within ${writtenAfterMs} ms; ${outageChecks} checks of the outage window in the rollups`,
    );
    changes.dispose();
    await client.dispose();
  });
});
