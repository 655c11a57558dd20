import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopAllServers } from '../support/server-process.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

interface State {
  status: string;
  maintenance: { name: string } | null;
}

async function gql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

const stateOf = async (url: string, id: string) =>
  (
    await gql<{ service: { state: State } }>(
      url,
      'query ($id: ID!) { service(id: $id) { state { status maintenance { name } } } }',
      { id },
    )
  ).service.state;

/** The real server process, stopped and started again on its data directory while a window is in force. */
describe('a maintenance window across a restart of the server process', () => {
  let target: Target;
  let dataDir: string;
  beforeAll(async () => {
    target = await startTarget();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-maint-restart-'));
  });
  afterAll(async () => {
    await stopAllServers();
    await target?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('comes back MAINTENANCE while the window lasts, and to its checks once it ends', {
    timeout: 120_000,
  }, async () => {
    const first = await startServer({ env: { DATA_DIR: dataDir } });
    const { registerService } = await gql<{ registerService: { service?: { id: string } } }>(
      first.graphqlUrl,
      'mutation ($input: RegisterServiceInput!) { registerService(input: $input) { __typename ... on ServicePayload { service { id } } ... on Error { message } } }',
      { input: { name: 'restarted', url: target.url('/ok'), intervalSeconds: 5, timeoutMs: 2_000 } },
    );
    if (!registerService.service) throw new Error(JSON.stringify(registerService));
    const id = registerService.service.id;
    await eventually(
      async () => ((await stateOf(first.graphqlUrl, id)).status === 'UP' ? true : undefined),
      10_000,
      'UP',
    );
    // In force from now for 30 s: long enough for a restart, short enough to see it end.
    const endsAt = Date.now() + 30_000;
    await gql(
      first.graphqlUrl,
      'mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { __typename } }',
      {
        input: {
          name: 'restart window',
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(endsAt).toISOString(),
          serviceIds: [id],
        },
      },
    );
    expect(await stateOf(first.graphqlUrl, id)).toEqual({
      status: 'MAINTENANCE',
      maintenance: { name: 'restart window' },
    });
    expect(await first.stop('SIGTERM'), first.output()).toBe(0);

    const second = await startServer({ env: { DATA_DIR: dataDir } });
    expect(Date.now()).toBeLessThan(endsAt);
    expect(await stateOf(second.graphqlUrl, id)).toEqual({
      status: 'MAINTENANCE',
      maintenance: { name: 'restart window' },
    });
    // Its checks go on underneath; the window ends on time, and the checks decide again.
    await eventually(
      async () => ((await stateOf(second.graphqlUrl, id)).status === 'UP' ? true : undefined),
      endsAt - Date.now() + 15_000,
      'UP after the window',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt);
    // Transitions are written within 50 ms of being seen.
    const service = await eventually(
      async () => {
        const { service } = await gql<{
          service: { statusChanges: { edges: { node: { previous: string; current: string } }[] } };
        }>(
          second.graphqlUrl,
          'query ($id: ID!) { service(id: $id) { statusChanges(first: 10) { edges { node { previous current } } } } }',
          { id },
        );
        return service.statusChanges.edges.length >= 3 ? service : undefined;
      },
      3_000,
      'the end of the window stored',
    ).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\n${second.output()}`);
    });
    const changes = service.statusChanges.edges.map((e) => `${e.node.previous} > ${e.node.current}`).reverse();
    // Into the window once, out once (to UNKNOWN when no check had run since the restart), no more.
    expect(changes.slice(0, 2)).toEqual(['UNKNOWN > UP', 'UP > MAINTENANCE']);
    expect(
      changes.filter((c) => c.includes('MAINTENANCE')),
      changes.join(', '),
    ).toHaveLength(2);
    expect(changes[2]).toMatch(/^MAINTENANCE > (UP|UNKNOWN)$/);
    expect(changes.at(-1)).toMatch(/> UP$/);
    expect(await second.stop('SIGTERM'), second.output()).toBe(0);
  });
});
