import type { Client } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { connectClient } from '../support/subscriptions.js';

const ENV_TOKEN = 'environment-token-e2e-aaaaaaaa';

const call = (server: ServerProcess, token: string, query: string, variables: Record<string, unknown> = {}) =>
  executeRaw(fetch, server.graphqlUrl, query, variables, { authorization: `Bearer ${token}` });

async function createToken(server: ServerProcess, name: string): Promise<{ token: string; id: string }> {
  const { body } = await call(
    server,
    ENV_TOKEN,
    'mutation($name: String!) { createApiToken(name: $name, scopes: [READ]) { ... on CreatedApiToken { token apiToken { id } } } }',
    { name },
  );
  const created = (body.data as { createApiToken: { token: string; apiToken: { id: string } } }).createApiToken;
  return { token: created.token, id: created.apiToken.id };
}

const revoke = (server: ServerProcess, id: string) =>
  call(server, ENV_TOKEN, 'mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }', { id });
const read = (server: ServerProcess, token: string) => call(server, token, '{ statusSummary { total } }');

/** A socket with the token, subscribed; resolves its close code when the server closes it. */
function openSocket(server: ServerProcess, token: string, clients: Client[]) {
  let closed: { code: number; reason: string } | undefined;
  const client = connectClient(server.graphqlUrl, {
    connectionParams: { authorization: `Bearer ${token}` },
    on: {
      closed: (event) => {
        closed = event as { code: number; reason: string };
      },
    },
  });
  clients.push(client);
  client.subscribe(
    { query: 'subscription { summaryChanged { total } }' },
    { next: () => undefined, error: () => undefined, complete: () => undefined },
  );
  return { closed: () => closed };
}

describe('tokens in the real server process', () => {
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stopAllServers();
  });

  it('never logs a token, even at LOG_LEVEL=trace, through creation, use, a socket and revocation', async () => {
    const server = await startServer({ env: { API_TOKENS: ENV_TOKEN, LOG_LEVEL: 'trace' } });
    const { token, id } = await createToken(server, 'logged-nowhere');
    expect((await read(server, token)).status).toBe(200);
    const socket = openSocket(server, token, clients);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await revoke(server, id)).body.data).toEqual({ revokeApiToken: { __typename: 'ApiTokenPayload' } });
    await expect.poll(() => socket.closed()?.code, { timeout: 5_000 }).toBe(4403);
    expect((await read(server, token)).status).toBe(401);
    await server.stop();
    const output = server.output();
    expect(output).toContain('token created');
    expect(output).toContain('token revoked');
    for (const secret of [token, token.slice(36), ENV_TOKEN]) expect(output).not.toContain(secret);
  });
});

/** Two replicas on one PostgreSQL and one Redis: a revocation on one is felt on the other at once. */
describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('tokens across replicas', () => {
  let database: TestDatabase;
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stopAllServers();
    await database?.dispose();
  });

  it('a token made on A works on B at once; revoked on A, B refuses it and closes its socket (4403)', {
    timeout: 90_000,
  }, async () => {
    database = await createTestDatabase('postgresql');
    const [a, b] = await Promise.all(
      ['a', 'b'].map((id) =>
        startServer({
          env: { DATABASE_URL: database.url!, REDIS_URL: TEST_REDIS_URL!, REPLICA_ID: id, API_TOKENS: ENV_TOKEN },
        }),
      ),
    );
    const { token, id } = await createToken(a!, 'cross-replica');
    // No waiting: B has never heard of it, and reads it once.
    expect((await read(b!, token)).status).toBe(200);
    const socket = openSocket(b!, token, clients);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.closed()).toBeUndefined();

    expect((await revoke(a!, id)).status).toBe(200);
    const revokedAt = Date.now();
    let refusedAfterMs = -1;
    await expect
      .poll(
        async () => {
          const { status } = await read(b!, token);
          if (status === 401 && refusedAfterMs < 0) refusedAfterMs = Date.now() - revokedAt;
          return status;
        },
        { timeout: 2_000, interval: 10 },
      )
      .toBe(401);
    await expect.poll(() => socket.closed()?.code, { timeout: 2_000 }).toBe(4403);
    console.log(`revocation on A refused by B after ${refusedAfterMs} ms`);
    expect(refusedAfterMs).toBeLessThan(1_000);
  });
});
