import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterServiceDocument, ResumedStatusChangesDocument } from '../generated/graphql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeOperation } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const SERVICES = 12;
const path = (i: number) => `/resume/${i}`;

/** Gauge value of statuschecker_owned_services on a replica. */
async function owned(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^statuschecker_owned_services (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Transitions detected on two replicas; a subscriber on one of them resumes from a cursor while
 * more happen: it gets every transition after the cursor once, wherever it was detected.
 */
describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('statusChanged(after:) across replicas', () => {
  let target: Target;
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    target = await startTarget();
    for (let i = 0; i < SERVICES; i++) target.respondWith(path(i), 200);
    database = await createTestDatabase('postgresql');
    const started = await Promise.all(
      ['a', 'b'].map((id) =>
        startServer({
          env: { DATABASE_URL: database.url!, REDIS_URL: TEST_REDIS_URL!, REPLICA_ID: id, LEASE_TTL_MS: '3000' },
        }),
      ),
    );
    a = started[0]!;
    b = started[1]!;
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stopAllServers();
    await database?.dispose();
    await target?.close();
  });

  it('replays what both replicas detected after the cursor, then goes on live, none twice', {
    timeout: 120_000,
  }, async () => {
    const client = (server: ServerProcess) => {
      const c = connectClient(server.graphqlUrl);
      clients.push(c);
      return c;
    };
    // The reference: a live subscriber on replica a, hearing b's transitions through Redis.
    const reference = subscribe(client(a), ResumedStatusChangesDocument, {});
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids: string[] = [];
    for (let i = 0; i < SERVICES; i++) {
      const { registerService } = await executeOperation(fetch, (i % 2 ? a : b).graphqlUrl, RegisterServiceDocument, {
        input: { name: `resume-${i}`, url: target.url(path(i)), intervalSeconds: 1, timeoutMs: 500 },
      });
      if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
      ids.push(registerService.service.id);
    }
    const lastOf = (current: string) => () => {
      const latest = new Map(reference.events.map((e) => [e.statusChanged.service.id, e.statusChanged.current]));
      return ids.every((id) => latest.get(id) === current) ? true : undefined;
    };
    await eventually(lastOf('UP'), 30_000, 'every service UP');
    // Both replicas check some of them.
    await eventually(async () => ((await owned(a)) > 0 && (await owned(b)) > 0 ? true : undefined), 30_000, 'shared');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const cursor = reference.events.at(-1)!.statusChanged.cursor;
    const seenBefore = reference.events.length;

    for (let i = 0; i < SERVICES; i++) target.respondWith(path(i), 503);
    await eventually(lastOf('DOWN'), 30_000, 'every service DOWN');
    // Back up, and the subscriber on b resumes while those transitions happen.
    for (let i = 0; i < SERVICES; i++) target.respondWith(path(i), 200);
    const resumed = subscribe(client(b), ResumedStatusChangesDocument, { after: cursor });
    await eventually(lastOf('UP'), 30_000, 'every service UP again');
    const expected = reference.events.slice(seenBefore).map((e) => e.statusChanged.cursor);
    expect(expected.length).toBeGreaterThanOrEqual(2 * SERVICES);
    await eventually(
      () => (expected.every((c) => resumed.events.some((e) => e.statusChanged.cursor === c)) ? true : undefined),
      15_000,
      'the resumed subscriber to have every transition after the cursor',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const got = resumed.events.map((e) => e.statusChanged.cursor);
    expect(resumed.errors).toEqual([]);
    expect(new Set(got).size).toBe(got.length);
    expect(new Set(got)).toEqual(new Set(reference.events.slice(seenBefore).map((e) => e.statusChanged.cursor)));
    reference.dispose();
    resumed.dispose();
  });
});
