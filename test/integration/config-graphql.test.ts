import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplyConfigDocument, ExportConfigDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CONFIG_ENV, lineOf, realisticConfig, SECRET_VALUES, toYaml } from '../support/config-document.js';
import { DATABASE_KINDS } from '../support/database.js';
import { executeOperation, executeRaw } from '../support/graphql.js';

const TOKEN = 'config-graphql-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

describe.each(DATABASE_KINDS)('config as code over GraphQL on %s', (kind) => {
  let t: TestApp;
  const url = () => `${t.baseUrl}/graphql`;
  const run = <TData, TVariables>(
    document: Parameters<typeof executeOperation<TData, TVariables>>[2],
    variables: TVariables,
  ) => executeOperation(fetch, url(), document, variables, AUTH);

  beforeAll(async () => {
    t = await startTestApp(kind, {
      listen: true,
      env: { SCHEDULER_ENABLED: 'false', API_TOKENS: TOKEN, PUBLIC_READ: 'true', ...CONFIG_ENV },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('plans (dry run by default), applies, and exports what it applied without secrets', async () => {
    const document = toYaml(realisticConfig(10));
    const { applyConfig: plan } = await run(ApplyConfigDocument, { document });
    expect(plan).toMatchObject({ __typename: 'ConfigPlan', applied: false });
    if (plan.__typename !== 'ConfigPlan') return;
    expect(plan.changes).toHaveLength(16);
    expect(plan.changes.every((change) => change.action === 'CREATE')).toBe(true);
    expect(plan.changes.find((change) => change.name === 'public')).toEqual({
      action: 'CREATE',
      kind: 'STATUS_PAGE',
      name: 'public',
      fields: [],
    });
    expect(plan.changes.find((change) => change.name === 'sunday-db-upgrades')?.kind).toBe('MAINTENANCE_WINDOW');
    expect(await t.app.testing.prisma.service.count()).toBe(0);

    const { applyConfig: applied } = await run(ApplyConfigDocument, { document, dryRun: false });
    expect(applied).toMatchObject({ __typename: 'ConfigPlan', applied: true });
    expect(await t.app.testing.prisma.service.count()).toBe(10);

    const { exportConfig } = await run(ExportConfigDocument, {});
    for (const secret of SECRET_VALUES) expect(exportConfig).not.toContain(secret);
    const { applyConfig: again } = await run(ApplyConfigDocument, { document: exportConfig, prune: true });
    if (again.__typename !== 'ConfigPlan') throw new Error(again.message);
    expect(new Set(again.changes.map((change) => change.action))).toEqual(new Set(['UNCHANGED']));
    const { exportConfig: json } = await run(ExportConfigDocument, { format: 'JSON' });
    expect(JSON.parse(json).services).toHaveLength(10);
  });

  it('answers a broken document with ConfigErrors, each with its path and line', async () => {
    const config = realisticConfig(4);
    (config.services[1] as Record<string, unknown>).timeoutMs = 99_999_999;
    (config.services[2] as Record<string, unknown>).colour = 'blue';
    const document = toYaml(config);
    const { applyConfig } = await run(ApplyConfigDocument, { document, dryRun: false });
    expect(applyConfig.__typename).toBe('ConfigErrors');
    if (applyConfig.__typename !== 'ConfigErrors') return;
    expect(applyConfig.message).toMatch(/^the document has 2 problems; nothing was applied/);
    expect(applyConfig.errors).toEqual([
      {
        path: 'services[1].timeoutMs',
        line: lineOf(document, 'timeoutMs: 99999999'),
        message: expect.stringMatching(/from 100 to 60000/),
      },
      {
        path: 'services[2].colour',
        line: lineOf(document, 'colour: blue'),
        message: expect.stringMatching(/is not a field here/),
      },
    ]);
  });

  it('needs a token for the export even with PUBLIC_READ, and for applying', async () => {
    const exported = await executeRaw(fetch, url(), print(ExportConfigDocument), {});
    expect(exported.status).toBe(401);
    expect(exported.body.errors?.[0]?.message).toMatch(/read Query.exportConfig/);
    const applied = await executeRaw(fetch, url(), print(ApplyConfigDocument), { document: '{}' });
    expect(applied.status).toBe(401);
  });
});
