import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAST_USED_FLUSH_MS } from '../../src/tokens/api-tokens.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';
import { connectClient } from '../support/subscriptions.js';

const ENV_TOKEN = 'environment-token-aaaaaaaaaaaa';
const TOKEN_SHAPE = /^sct_[0-9a-f]{32}[A-Za-z0-9_-]{43}$/;
const globalIdOf = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

type Body = Awaited<ReturnType<typeof executeRaw>>['body'];

describe.each(DATABASE_KINDS)('scoped API tokens on %s', (kind) => {
  let t: TestApp;
  let serviceId: string;
  const clients: Client[] = [];
  const call = async (token: string | undefined, query: string, variables: Record<string, unknown> = {}) =>
    executeRaw(fetch, `${t.baseUrl}/graphql`, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  const create = async (name: string, scopes: string[], extra: Record<string, unknown> = {}) => {
    const { body } = await call(
      ENV_TOKEN,
      `mutation($name: String!, $scopes: [TokenScope!]!, $labels: [String!], $expiresAt: DateTime) {
        createApiToken(name: $name, scopes: $scopes, labels: $labels, expiresAt: $expiresAt) {
          __typename
          ... on CreatedApiToken { token apiToken { id name scopes labels expiresAt lastUsedAt } }
          ... on ValidationError { field message }
        }
      }`,
      { name, scopes, ...extra },
    );
    return (body.data as { createApiToken: unknown }).createApiToken as {
      __typename: string;
      token: string;
      apiToken: { id: string; name: string; scopes: string[] };
      field?: string;
    };
  };
  const pause = (token: string) =>
    call(token, 'mutation($id: ID!) { pauseService(id: $id) { __typename } }', {
      id: globalIdOf('Service', serviceId),
    });
  const count = (token: string) => call(token, '{ services { totalCount } }');
  const errorOf = (body: Body) => body.errors?.[0] as { message: string; extensions?: { code?: string } } | undefined;

  beforeAll(async () => {
    t = await startTestApp(kind, { env: { API_TOKENS: ENV_TOKEN, SCHEDULER_ENABLED: 'false' }, listen: true });
    serviceId = (await t.app.testing.registry.register({ name: 'tokens-target', url: 'http://127.0.0.1:9/' })).id;
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await t?.close();
  });

  it('makes a token shown once: prefixed, never readable again, stored only as a salted hash', async () => {
    const created = await create('ci-reader', ['READ']);
    expect(created.__typename).toBe('CreatedApiToken');
    expect(created.token).toMatch(TOKEN_SHAPE);
    expect(created.apiToken).toMatchObject({ name: 'ci-reader', scopes: ['READ'], labels: [] });

    const listed = await call(ENV_TOKEN, '{ apiTokens { id name scopes createdAt lastUsedAt revokedAt } }');
    expect(JSON.stringify(listed.body)).toContain('ci-reader');
    const secret = created.token.slice(4 + 32);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const row = await t.app.testing.prisma.apiToken.findUniqueOrThrow({ where: { name: 'ci-reader' } });
    const stored = JSON.stringify({
      ...row,
      salt: Buffer.from(row.salt).toString('hex'),
      hash: Buffer.from(row.hash).toString('hex'),
    });
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(Buffer.from(secret).toString('hex'));
    expect(row.salt).toHaveLength(16);
    expect(row.hash).toHaveLength(32);
    // Another token of the same scope gets another salt: equal secrets could not be spotted either.
    const other = await create('ci-reader-2', ['READ']);
    expect(other.token).not.toBe(created.token);
    const otherRow = await t.app.testing.prisma.apiToken.findUniqueOrThrow({ where: { name: 'ci-reader-2' } });
    expect(Buffer.from(otherRow.salt).equals(Buffer.from(row.salt))).toBe(false);
  });

  it('refuses bad input with the field named', async () => {
    expect(await create('ci-reader', ['READ'])).toMatchObject({ __typename: 'ValidationError', field: 'name' });
    expect(await create('empty', [])).toMatchObject({ __typename: 'ValidationError', field: 'scopes' });
    expect(await create('admin-labels', ['ADMIN'], { labels: ['team:x'] })).toMatchObject({
      __typename: 'ValidationError',
      field: 'labels',
    });
    expect(await create('bad-label', ['READ'], { labels: ['Not A Label'] })).toMatchObject({ field: 'labels[0]' });
    expect(await create('past', ['READ'], { expiresAt: new Date(Date.now() - 1000).toISOString() })).toMatchObject({
      field: 'expiresAt',
    });
  });

  it('READ reads but cannot mutate; WRITE mutates but cannot manage tokens; ADMIN does both', async () => {
    const reader = (await create('scope-read', ['READ'])).token;
    const writer = (await create('scope-write', ['WRITE'])).token;
    const admin = (await create('scope-admin', ['ADMIN'])).token;

    expect((await count(reader)).body.data).toEqual({ services: { totalCount: 1 } });
    const refused = await pause(reader);
    expect(refused.status).toBe(403);
    expect(errorOf(refused.body)).toMatchObject({
      message: "this token's scope is READ: this operation needs WRITE",
      extensions: { code: 'FORBIDDEN' },
    });
    expect(refused.body.data ?? null).toBeNull();
    expect(t.app.testing.cache.get(serviceId)?.status).not.toBe('PAUSED');

    expect((await pause(writer)).body.data).toEqual({ pauseService: { __typename: 'ServicePayload' } });
    expect(t.app.testing.cache.get(serviceId)?.status).toBe('PAUSED');
    for (const query of [
      '{ apiTokens { id } }',
      'mutation { createApiToken(name: "by-writer", scopes: [ADMIN]) { __typename } }',
      'mutation { revokeApiToken(id: "x") { ... on NotFoundError { message } } }',
    ]) {
      const answer = await call(writer, query);
      expect(answer.status, query).toBe(403);
      expect(errorOf(answer.body)?.message, query).toBe("this token's scope is WRITE: this operation needs ADMIN");
    }
    // node(id:) of a token is nobody's business but an ADMIN's.
    const tokenNode = (await create('node-target', ['READ'])).apiToken.id;
    const asReader = await call(reader, 'query($id: ID!) { node(id: $id) { id } }', { id: tokenNode });
    expect(asReader.body.data).toEqual({ node: null });
    const asAdmin = await call(admin, 'query($id: ID!) { node(id: $id) { id ... on ApiToken { name } } }', {
      id: tokenNode,
    });
    expect(asAdmin.body.data).toEqual({ node: { id: tokenNode, name: 'node-target' } });
    expect((await create('made-by-env', ['READ'])).__typename).toBe('CreatedApiToken');
    const byAdmin = await call(admin, 'mutation { createApiToken(name: "by-admin", scopes: [READ]) { __typename } }');
    expect(byAdmin.body.data).toEqual({ createApiToken: { __typename: 'CreatedApiToken' } });
  });

  it('a revoked token is refused on the next request, and its open socket is closed with 4403', async () => {
    const created = await create('to-revoke', ['READ']);
    expect((await count(created.token)).status).toBe(200);

    let closed: { code: number; reason: string } | undefined;
    const client = connectClient(`${t.baseUrl}/graphql`, {
      connectionParams: { authorization: `Bearer ${created.token}` },
      on: {
        closed: (event) => {
          closed = event as { code: number; reason: string };
        },
      },
    });
    clients.push(client);
    const received: unknown[] = [];
    client.subscribe(
      { query: 'subscription { summaryChanged { total } }' },
      {
        next: (value) => void received.push(value),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await expect.poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 }).toBeGreaterThan(0);

    const revoked = await call(
      ENV_TOKEN,
      'mutation($id: ID!) { revokeApiToken(id: $id) { ... on ApiTokenPayload { apiToken { name revokedAt } } } }',
      { id: created.apiToken.id },
    );
    expect(
      (revoked.body.data as { revokeApiToken: { apiToken: { revokedAt: string } } }).revokeApiToken.apiToken.revokedAt,
    ).toBeTruthy();

    const next = await count(created.token);
    expect(next.status).toBe(401);
    expect(errorOf(next.body)).toMatchObject({ message: 'token revoked', extensions: { code: 'UNAUTHENTICATED' } });
    await expect.poll(() => closed?.code, { timeout: 5_000 }).toBe(4403);
    expect(closed?.reason).toBe('token revoked');
    // And a new socket with it is refused at connection_init.
    let refusedCode: number | undefined;
    const again = connectClient(`${t.baseUrl}/graphql`, {
      connectionParams: { authorization: `Bearer ${created.token}` },
      on: {
        closed: (event) => {
          refusedCode = (event as { code: number }).code;
        },
      },
    });
    clients.push(again);
    await expect.poll(() => refusedCode, { timeout: 5_000 }).toBe(4403);
  });

  it('an expired token is refused, and its socket is closed when it expires', async () => {
    const created = await create('short-lived', ['READ'], { expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await count(created.token)).status).toBe(200);
    let closed: { code: number; reason: string } | undefined;
    const client = connectClient(`${t.baseUrl}/graphql`, {
      connectionParams: { authorization: `Bearer ${created.token}` },
      on: {
        closed: (event) => {
          closed = event as { code: number; reason: string };
        },
      },
    });
    clients.push(client);
    await expect.poll(() => closed, { timeout: 5_000 }).toMatchObject({ code: 4403, reason: 'token expired' });
    const after = await count(created.token);
    expect(after.status).toBe(401);
    expect(errorOf(after.body)?.message).toBe('token expired');
  });

  it('records lastUsedAt without a write per request', async () => {
    const created = await create('used', ['READ']);
    t.queries.length = 0;
    for (let i = 0; i < 5; i++) expect((await count(created.token)).status).toBe(200);
    expect(t.queries.filter((sql) => /UPDATE "ApiToken"/.test(sql))).toEqual([]);
    // This process's uses show at once; the database has them within LAST_USED_FLUSH_MS.
    const listed = await call(ENV_TOKEN, '{ apiTokens { name lastUsedAt } }');
    const used = (listed.body.data as { apiTokens: { name: string; lastUsedAt: string | null }[] }).apiTokens.find(
      (token) => token.name === 'used',
    );
    expect(used?.lastUsedAt).toBeTruthy();
    expect(LAST_USED_FLUSH_MS).toBeLessThanOrEqual(60_000);
  });

  it('an invalid token shaped like one is refused like any wrong token', async () => {
    const created = await create('shape', ['READ']);
    const tampered = `${created.token.slice(0, -1)}${created.token.endsWith('A') ? 'B' : 'A'}`;
    const unknownId = `sct_${'0'.repeat(32)}${created.token.slice(36)}`;
    for (const token of [tampered, unknownId]) {
      const answer = await count(token);
      expect(answer.status).toBe(401);
      expect(errorOf(answer.body)?.message).toBe('invalid token');
    }
  });
});
