import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

/** How far from its planned time a window may take effect (the issue asks for ±1 s). */
const ON_TIME_MS = 1_000;
const POLL_MS = 50;

async function gql<T>(server: ServerProcess, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body));
  return body.data;
}

/**
 * Two replicas on PostgreSQL and Redis, one service checked by one of them: a window made on one
 * replica starts and ends on time on both (each has its own timer), with one transition each way.
 */
describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('a maintenance window on two replicas', () => {
  let target: Target;
  let database: TestDatabase;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    target = await startTarget();
    target.respondWith('/db', 200);
    database = await createTestDatabase('postgresql');
    servers.push(
      ...(await Promise.all(
        ['a', 'b'].map((id) =>
          startServer({
            env: { DATABASE_URL: database.url!, REDIS_URL: TEST_REDIS_URL!, REPLICA_ID: id, LEASE_TTL_MS: '3000' },
          }),
        ),
      )),
    );
  });
  afterAll(async () => {
    await stopAllServers();
    await database?.dispose();
    await target?.close();
  });

  it('starts and ends on time on both, with one transition each way', { timeout: 60_000 }, async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { registerService } = await gql<{ registerService: { service: { id: string } } }>(
      a,
      `mutation ($input: RegisterServiceInput!) { registerService(input: $input) { ... on ServicePayload { service { id } } } }`,
      { input: { name: 'db', url: target.url('/db'), intervalSeconds: 1, timeoutMs: 500, labels: ['tier:db'] } },
    );
    const id = registerService.service.id;
    const statusOn = async (server: ServerProcess) =>
      (
        await gql<{ service: { state: { status: string; maintenance: { name: string } | null } } }>(
          server,
          'query ($id: ID!) { service(id: $id) { state { status maintenance { name } } } }',
          { id },
        )
      ).service.state;
    for (const server of servers)
      await eventually(async () => ((await statusOn(server)).status === 'UP' ? true : undefined), 10_000, 'UP');

    // Made on b (whichever replica checks the service), by label, a few seconds ahead, on a whole second.
    const startsAt = Math.ceil((Date.now() + 4_000) / 1_000) * 1_000;
    const endsAt = startsAt + 4_000;
    const { createMaintenanceWindow } = await gql<{ createMaintenanceWindow: { __typename: string } }>(
      b,
      `mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { __typename } }`,
      {
        input: {
          name: 'db upgrade',
          startsAt: new Date(startsAt).toISOString(),
          endsAt: new Date(endsAt).toISOString(),
          labels: ['tier:db'],
        },
      },
    );
    expect(createMaintenanceWindow.__typename).toBe('MaintenanceWindowPayload');

    // Each replica watched on its own: when it first shows MAINTENANCE, and when it first no longer does.
    const watch = async (server: ServerProcess) => {
      let started: number | null = null;
      let ended: number | null = null;
      let named: string | null = null;
      while (Date.now() < endsAt + 3_000 && ended === null) {
        const asked = Date.now();
        const state = await statusOn(server);
        if (state.status === 'MAINTENANCE' && started === null) {
          started = asked;
          named = state.maintenance?.name ?? null;
        }
        if (state.status !== 'MAINTENANCE' && started !== null) ended = asked;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      return { started, ended, named };
    };
    const seen = await Promise.all(servers.map(watch));
    for (const [i, s] of seen.entries()) {
      expect(s.named, `replica ${i}`).toBe('db upgrade');
      expect(
        Math.abs(s.started! - startsAt),
        `replica ${i} started ${s.started! - startsAt} ms off`,
      ).toBeLessThanOrEqual(ON_TIME_MS + POLL_MS);
      expect(Math.abs(s.ended! - endsAt), `replica ${i} ended ${s.ended! - endsAt} ms off`).toBeLessThanOrEqual(
        ON_TIME_MS + POLL_MS,
      );
    }
    console.log(
      `window start seen ${seen.map((s) => s.started! - startsAt).join(' / ')} ms, end ${seen.map((s) => s.ended! - endsAt).join(' / ')} ms after the planned times`,
    );

    // One transition each way, stored once (by the replica that checks the service), at the planned times.
    const changes = await eventually(
      async () => {
        const { service } = await gql<{
          service: { statusChanges: { edges: { node: { previous: string; current: string; at: string } }[] } };
        }>(
          a,
          'query ($id: ID!) { service(id: $id) { statusChanges(first: 10) { edges { node { previous current at } } } } }',
          { id },
        );
        const nodes = service.statusChanges.edges.map((e) => e.node).reverse();
        return nodes.some((n) => n.previous === 'MAINTENANCE') ? nodes : undefined;
      },
      15_000,
      'the end of the window stored',
    );
    expect(changes.map((c) => `${c.previous}→${c.current}`)).toEqual([
      'UNKNOWN→UP',
      'UP→MAINTENANCE',
      'MAINTENANCE→UP',
    ]);
    expect(Math.abs(Date.parse(changes[1]!.at) - startsAt)).toBeLessThanOrEqual(ON_TIME_MS);
    expect(Math.abs(Date.parse(changes[2]!.at) - endsAt)).toBeLessThanOrEqual(ON_TIME_MS);
  });
});
