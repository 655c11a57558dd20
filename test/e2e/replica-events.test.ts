import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterServiceDocument, StatusChangedDocument } from '../generated/graphql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeOperation } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { connectClient, type Subscription, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const SERVICES = 300;
const REPLICAS = ['a', 'b', 'c'] as const;
const path = (i: number) => `/fresh/${i}`;

/**
 * A service registered a moment ago on one replica: its first transition reaches subscribers on
 * every replica with the service's data, even when the event arrives before the replica has
 * heard of the service itself.
 */
describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('events of services registered elsewhere, a moment ago', () => {
  let target: Target;
  let database: TestDatabase;
  const servers: ServerProcess[] = [];
  const clients: Client[] = [];
  const subscriptions: Subscription<{
    statusChanged: { service: { id: string; name: string }; previous: string; current: string };
  }>[] = [];

  beforeAll(async () => {
    target = await startTarget();
    for (let i = 0; i < SERVICES; i++) target.respondWith(path(i), 200);
    database = await createTestDatabase('postgresql');
    servers.push(
      ...(await Promise.all(
        REPLICAS.map((id) =>
          startServer({
            env: { DATABASE_URL: database.url!, REDIS_URL: TEST_REDIS_URL!, REPLICA_ID: id, LEASE_TTL_MS: '3000' },
          }),
        ),
      )),
    );
    for (const server of servers) {
      const client = connectClient(server.graphqlUrl);
      clients.push(client);
      subscriptions.push(subscribe(client, StatusChangedDocument, {}));
    }
    // Every subscription is in place before the first registration.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });
  afterAll(async () => {
    for (const s of subscriptions) s.dispose();
    for (const c of clients) await c.dispose();
    await stopAllServers();
    await database?.dispose();
    await target?.close();
  });

  it('delivers every UNKNOWN → UP to a subscriber on each replica, with data, none as an error', {
    timeout: 120_000,
  }, async () => {
    const ids: string[] = [];
    const registeredAt: number[] = [];
    for (let start = 0; start < SERVICES; start += 30) {
      await Promise.all(
        Array.from({ length: Math.min(30, SERVICES - start) }, async (_, k) => {
          const i = start + k;
          // Spread over the three replicas: each registers a third.
          const server = servers[i % servers.length]!;
          const { registerService } = await executeOperation(fetch, server.graphqlUrl, RegisterServiceDocument, {
            input: { name: `fresh-${i}`, url: target.url(path(i)), intervalSeconds: 1, timeoutMs: 500 },
          });
          if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
          ids[i] = registerService.service.id;
          registeredAt[i] = Date.now();
        }),
      );
    }

    for (const [r, subscription] of subscriptions.entries()) {
      await eventually(
        () => {
          const up = new Set(
            subscription.events
              .filter((e) => e.statusChanged.previous === 'UNKNOWN' && e.statusChanged.current === 'UP')
              .map((e) => e.statusChanged.service.id),
          );
          return ids.every((id) => up.has(id)) ? true : undefined;
        },
        30_000,
        `every UNKNOWN → UP on replica ${REPLICAS[r]}`,
      );
      expect(
        subscription.errors.slice(0, 3),
        `errors on replica ${REPLICAS[r]} (${subscription.errors.length})`,
      ).toEqual([]);
      const names = new Map(subscription.events.map((e) => [e.statusChanged.service.id, e.statusChanged.service.name]));
      expect(ids.every((id, i) => names.get(id) === `fresh-${i}`)).toBe(true);
    }

    // Where the time went: from the registration's answer to the first check the target saw.
    const delays = ids
      .map((_, i) => (target.hitTimes(path(i))[0] ?? Number.NaN) - registeredAt[i]!)
      .sort((x, y) => x - y);
    expect(delays.every(Number.isFinite)).toBe(true);
    const at = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))]!;
    console.log(
      `${SERVICES} services registered across 3 replicas: first check after p50 ${at(50)} ms, p99 ${at(99)} ms, max ${delays.at(-1)} ms`,
    );
  });
});
