import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_CONFIG_FILE, createAuditLog, MAX_SUMMARY_LENGTH, recordAudit } from '../../src/audit/audit-log.js';
import { pruneAndCompact } from '../../src/history/retention.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(DATABASE_KINDS)('the audit log on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { env: { SCHEDULER_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('recordAudit inside a transaction is written with it, or not at all', async () => {
    const prisma = t.app.testing.prisma;
    await prisma.$transaction(async (tx) => {
      await recordAudit(tx, {
        actor: ACTOR_CONFIG_FILE,
        operation: 'config.CREATE',
        target: 'service "kept"',
        summary: 'created',
      });
    });
    await expect(
      prisma.$transaction(async (tx) => {
        await recordAudit(tx, {
          actor: ACTOR_CONFIG_FILE,
          operation: 'config.CREATE',
          target: 'service "lost"',
          summary: 'created',
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const targets = (await createAuditLog(prisma).page(100)).map((e) => e.target);
    expect(targets).toContain('service "kept"');
    expect(targets).not.toContain('service "lost"');
  });

  it('pages newest first, cuts long summaries, and is pruned with the history', async () => {
    const prisma = t.app.testing.prisma;
    const now = Date.now();
    const log = createAuditLog(prisma, () => new Date(now));
    await recordAudit(prisma, { actor: 'old', operation: 'x', summary: 'long ago', at: new Date(now - 100 * DAY) });
    const a = await log.record({
      actor: 'ci',
      operation: 'registerService',
      target: 'service "a"',
      summary: 'x'.repeat(5_000),
    });
    const b = await log.record({
      actor: 'ci',
      operation: 'updateService',
      target: 'service "a"',
      summary: 'changed url',
    });
    expect(a.summary).toHaveLength(MAX_SUMMARY_LENGTH);
    const first = await log.page(1);
    expect(first.map((e) => e.id)).toEqual([b.id]);
    expect((await log.page(1, first[0]!.id)).map((e) => e.id)).toEqual([a.id]);

    const pruned = await pruneAndCompact(prisma, new Date(now), 90);
    expect(pruned.auditEntriesDeleted).toBe(1);
    const actors = (await log.page(100)).map((e) => e.actor);
    expect(actors).not.toContain('old');
    expect(actors).toContain('ci');
  });
});

describe.each(DATABASE_KINDS)('the audit log through the API on %s', (kind) => {
  const ENV_TOKEN = 'environment-token-audit-aaaa';
  const SECRETS = ['hunter2-header-secret', 'pg-password-s3cret', 'webhook-hmac-key-zz'];
  let t: TestApp;
  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const { executeRaw } = await import('../support/graphql.js');
    return executeRaw(t.app.fetch, 'http://localhost/graphql', query, variables, { authorization: `Bearer ${token}` });
  };
  const data = async <T>(token: string, query: string, variables: Record<string, unknown> = {}) => {
    const { body } = await call(token, query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  };
  type Entry = { actor: string; operation: string; target: string | null; summary: string; at: string };
  const entries = async (token: string, first = 100, after?: string) =>
    (
      await data<{
        auditLog: {
          totalCount: number;
          edges: { cursor: string; node: Entry }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(
        token,
        'query($first: Int, $after: String) { auditLog(first: $first, after: $after) { totalCount edges { cursor node { at actor operation target summary } } pageInfo { hasNextPage endCursor } } }',
        { first, after },
      )
    ).auditLog;

  beforeAll(async () => {
    t = await startTestApp(kind, { env: { API_TOKENS: ENV_TOKEN, SCHEDULER_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('lists who did what, newest first, without a secret, and only to ADMIN', async () => {
    const created = await data<{ createApiToken: { token: string } }>(
      ENV_TOKEN,
      'mutation { createApiToken(name: "deploy-bot", scopes: [WRITE], labels: ["team:ops"]) { ... on CreatedApiToken { token } } }',
    );
    const bot = created.createApiToken.token;
    const registered = await data<{ registerService: { service: { id: string } } }>(
      bot,
      `mutation($headers: [HeaderInput!]) { registerService(input: { name: "billing", url: "postgres://app:${SECRETS[1]}@127.0.0.1:9/db", labels: ["team:ops"], headers: $headers }) { ... on ServicePayload { service { id } } } }`,
      { headers: [] },
    );
    const id = registered.registerService.service.id;
    await data(
      bot,
      'mutation($id: ID!) { updateService(id: $id, input: { intervalSeconds: 120, labels: ["team:ops", "tier:1"] }) { __typename } }',
      { id },
    );
    await data(bot, 'mutation($id: ID!) { pauseService(id: $id) { __typename } }', { id });
    await data(
      ENV_TOKEN,
      `mutation { registerService(input: { name: "api", url: "http://127.0.0.1:9/", headers: [{ name: "Authorization", value: "${SECRETS[0]}" }] }) { __typename } }`,
    );
    await data(
      ENV_TOKEN,
      `mutation { createNotificationChannel(input: { name: "hooks", kind: WEBHOOK, url: "http://127.0.0.1:9/hook", secret: "${SECRETS[2]}" }) { __typename } }`,
    );
    // Refused (a typed error): nothing changed, nothing recorded.
    const refused = await data<{ updateService: { __typename: string } }>(
      bot,
      'mutation($id: ID!) { updateService(id: $id, input: { intervalSeconds: 0 }) { __typename } }',
      { id },
    );
    expect(refused.updateService.__typename).toBe('ValidationError');

    const log = await entries(ENV_TOKEN);
    const lines = log.edges.map(({ node }) => `${node.actor} | ${node.operation} | ${node.target} | ${node.summary}`);
    expect(lines).toEqual([
      'environment token | createNotificationChannel | channel "hooks" | input: name, kind=WEBHOOK, url, secret, isDefault, groupWindowSeconds, rateLimitPerMinute',
      'environment token | registerService | service "api" | input: name, url, method, headers, intervalSeconds=30, timeoutMs, expectedStatus, failureThreshold, successThreshold',
      'deploy-bot | pauseService | service "billing" | id',
      'deploy-bot | updateService | service "billing" | id; input: intervalSeconds=120, labels=[team:ops, tier:1]',
      'deploy-bot | registerService | service "billing" | input: name, url, method, headers, intervalSeconds=30, timeoutMs, expectedStatus, failureThreshold, successThreshold, labels=[team:ops]',
      'environment token | createApiToken | api token "deploy-bot" | name; scopes=[WRITE]; labels=[team:ops]',
    ]);
    expect(log.totalCount).toBe(6);
    const everything = JSON.stringify(await t.app.testing.prisma.auditEntry.findMany());
    for (const secret of [...SECRETS, bot, bot.slice(36)]) expect(everything).not.toContain(secret);

    // Paged by cursor.
    const first = await entries(ENV_TOKEN, 4);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await entries(ENV_TOKEN, 4, first.pageInfo.endCursor!);
    expect([...first.edges, ...rest.edges].map((e) => e.node.operation)).toEqual(
      log.edges.map((e) => e.node.operation),
    );
    expect(rest.pageInfo.hasNextPage).toBe(false);

    // Only ADMIN reads it.
    const denied = await call(bot, '{ auditLog { totalCount } }');
    expect(denied.status).toBe(403);
  });
});
