import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ConfigChange } from '../../src/config-file/config-as-code.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CONFIG_ENV, lineOf, realisticConfig, SECRET_VALUES, toYaml } from '../support/config-document.js';
import { DATABASE_KINDS } from '../support/database.js';

const actions = (changes: ConfigChange[]) => {
  const counts: Record<string, number> = {};
  for (const change of changes) counts[change.action] = (counts[change.action] ?? 0) + 1;
  return counts;
};
const notUnchanged = (changes: ConfigChange[]) => changes.filter((change) => change.action !== 'UNCHANGED');

describe.each(DATABASE_KINDS)('config as code on %s', (kind) => {
  let t: TestApp;
  const config = () => t.app.testing.configAsCode;
  const apply = async (text: string, dryRun: boolean, prune = false, format: 'YAML' | 'JSON' = 'YAML') => {
    const result = await config().applyConfig(text, format, dryRun, prune);
    if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems, null, 2)}`);
    return result.plan;
  };
  const counts = async () => ({
    services: await t.app.testing.prisma.service.count(),
    channels: await t.app.testing.prisma.notificationChannel.count(),
    windows: await t.app.testing.prisma.maintenanceWindow.count(),
    pages: await t.app.testing.prisma.statusPage.count(),
  });

  beforeAll(async () => {
    t = await startTestApp(kind, { env: { SCHEDULER_ENABLED: 'false', ...CONFIG_ENV } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('plans, applies, plans again, edits, prunes; export → apply → export is identical and secrets stay out', async () => {
    const document = realisticConfig(50);
    const text = toYaml(document);

    const fromEmpty = await apply(text, true);
    expect(fromEmpty.applied).toBe(false);
    expect(actions(fromEmpty.changes)).toEqual({ CREATE: 56 });
    expect(fromEmpty.changes[0]).toEqual({
      action: 'CREATE',
      kind: 'NOTIFICATION_CHANNEL',
      name: 'oncall-email',
      fields: [],
    });
    expect(await counts()).toEqual({ services: 0, channels: 0, windows: 0, pages: 0 });

    const applied = await apply(text, false);
    expect(applied.applied).toBe(true);
    expect(actions(applied.changes)).toEqual({ CREATE: 56 });
    expect(await counts()).toEqual({ services: 50, channels: 3, windows: 2, pages: 1 });
    const pg = await t.app.testing.registry.findByName('svc-0005');
    expect(pg?.url).toBe(`postgres://monitor:${CONFIG_ENV.PG_PASSWORD}@127.0.0.1:5432/app5`);
    expect((await t.app.testing.registry.findByName('svc-0009'))?.paused).toBe(true);
    // svc-0004 depends on a service written after it, in the order given.
    const idOf = async (name: string) => (await t.app.testing.registry.findByName(name))!.id;
    expect((await t.app.testing.registry.findByName('svc-0004'))?.dependencies.map((d) => d.dependsOnId)).toEqual([
      await idOf('svc-0005'),
      await idOf('svc-0002'),
    ]);
    const sunday = await t.app.testing.prisma.maintenanceWindow.findUnique({
      where: { name: 'sunday-db-upgrades' },
      include: { services: true },
    });
    expect(sunday).toMatchObject({ recurrence: 'FREQ=WEEKLY;BYDAY=SU', timezone: 'Europe/Paris' });
    expect(sunday?.services.map((s) => s.serviceId).sort()).toEqual(
      [await idOf('svc-0000'), await idOf('svc-0001')].sort(),
    );

    const again = await apply(text, true);
    expect(actions(again.changes)).toEqual({ UNCHANGED: 56 });

    // The export: stable, no defaults, secrets as the references they were applied from.
    const exported = await config().exportConfig();
    for (const secret of SECRET_VALUES) expect(exported).not.toContain(secret);
    expect(exported).toContain('secret: ${HOOK_SECRET}');
    expect(exported).toContain('url: ${SLACK_URL}');
    expect(exported).toContain('postgres://monitor:${PG_PASSWORD}@127.0.0.1:5432/app5');
    expect(exported).not.toMatch(/failureThreshold: 1\b|method: GET|expectedStatus: 200-299|paused: false/);
    const parsed = parse(exported) as ReturnType<typeof realisticConfig>;
    expect(Object.keys(parsed)).toEqual(['notificationChannels', 'services', 'maintenanceWindows', 'statusPages']);
    expect(parsed.services.map((s) => s.name)).toEqual(document.services.map((s) => s.name));
    expect(parsed.services[3]).toEqual({
      name: 'svc-0003',
      url: 'dns://127.0.0.1:53/example.test',
      dns: { recordType: 'MX' },
      labels: ['infra'],
    });
    expect(parsed.services[4]).toMatchObject({ dependsOn: ['svc-0005', 'svc-0002'] });
    expect(parsed.maintenanceWindows).toEqual(document.maintenanceWindows);
    expect(parsed.services[1]).toMatchObject({
      assertions: [
        { source: 'JSON', path: '$.status', operator: 'EQUALS', value: 'ok' },
        { source: 'CERTIFICATE_DAYS', operator: 'GREATER_THAN', value: '14', degrade: true },
      ],
    });
    expect(actions((await apply(exported, true)).changes)).toEqual({ UNCHANGED: 56 });
    await apply(exported, false);
    expect(await config().exportConfig()).toBe(exported);
    const json = await config().exportConfig('JSON');
    expect(JSON.parse(json)).toEqual(parsed);
    expect(actions((await apply(json, true, true, 'JSON')).changes)).toEqual({ UNCHANGED: 56 });

    // Three fields edited and one service removed: exactly that (the removal only with prune).
    const edited = structuredClone(document);
    edited.services[0]!.intervalSeconds = 120;
    edited.services[12]!.labels = ['team:payments', 'public', 'tier:1'];
    edited.notificationChannels[1]!.groupWindowSeconds = 60;
    edited.services.splice(20, 1);
    const editedText = toYaml(edited);
    const withoutPrune = await apply(editedText, true);
    expect(notUnchanged(withoutPrune.changes)).toEqual([
      { action: 'UPDATE', kind: 'NOTIFICATION_CHANNEL', name: 'team-slack', fields: ['groupWindowSeconds'] },
      { action: 'UPDATE', kind: 'SERVICE', name: 'svc-0000', fields: ['intervalSeconds'] },
      { action: 'UPDATE', kind: 'SERVICE', name: 'svc-0012', fields: ['labels'] },
    ]);
    expect(withoutPrune.changes).toHaveLength(55);
    const withPrune = await apply(editedText, true, true);
    expect(notUnchanged(withPrune.changes)).toEqual(
      [
        ...notUnchanged(withoutPrune.changes).slice(0, 2),
        { action: 'DELETE', kind: 'SERVICE', name: 'svc-0020', fields: [] },
        ...notUnchanged(withoutPrune.changes).slice(2),
      ].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : 0)),
    );
    const since = new Date();
    await apply(editedText, false, true);
    expect(await counts()).toEqual({ services: 49, channels: 3, windows: 2, pages: 1 });
    const audit = await t.app.testing.prisma.auditEntry.findMany({
      where: { at: { gte: since } },
      orderBy: { id: 'asc' },
    });
    expect(audit.map(({ actor, operation, target, summary }) => ({ actor, operation, target, summary }))).toEqual([
      {
        actor: 'anonymous',
        operation: 'config.UPDATE',
        target: 'notification channel "team-slack"',
        summary: 'changed groupWindowSeconds',
      },
      {
        actor: 'anonymous',
        operation: 'config.UPDATE',
        target: 'service "svc-0000"',
        summary: 'changed intervalSeconds',
      },
      { actor: 'anonymous', operation: 'config.UPDATE', target: 'service "svc-0012"', summary: 'changed labels' },
      {
        actor: 'anonymous',
        operation: 'config.DELETE',
        target: 'service "svc-0020"',
        summary: 'deleted: not in the config (prune)',
      },
    ]);
    expect((await t.app.testing.registry.findByName('svc-0000'))?.intervalSeconds).toBe(120);
    expect(await t.app.testing.registry.findByName('svc-0020')).toBeNull();
    expect(actions((await apply(editedText, true, true)).changes)).toEqual({ UNCHANGED: 55 });
  });

  it('changes dependencies and windows by name, and prunes a window', async () => {
    const document = realisticConfig(8);
    const names = document.services.map((s) => s.name as string);
    await apply(toYaml(document), false, true);
    const edited = structuredClone(document);
    edited.services[4]!.dependsOn = ['svc-0002'];
    edited.maintenanceWindows[0]!.endsAt = '2027-03-02T00:30:00.000Z';
    edited.maintenanceWindows.splice(1, 1);
    const plan = await apply(toYaml(edited), false, true);
    expect(notUnchanged(plan.changes)).toEqual([
      { action: 'UPDATE', kind: 'SERVICE', name: 'svc-0004', fields: ['dependsOn'] },
      { action: 'UPDATE', kind: 'MAINTENANCE_WINDOW', name: 'network-change', fields: ['endsAt'] },
      { action: 'DELETE', kind: 'MAINTENANCE_WINDOW', name: 'sunday-db-upgrades', fields: [] },
    ]);
    const parent = await t.app.testing.registry.findByName('svc-0002');
    expect((await t.app.testing.registry.findByName('svc-0004'))?.dependencies).toEqual([{ dependsOnId: parent!.id }]);
    expect(await t.app.testing.prisma.maintenanceWindow.findMany({ select: { name: true, endsAt: true } })).toEqual([
      { name: 'network-change', endsAt: new Date('2027-03-02T00:30:00.000Z') },
    ]);
    expect(actions((await apply(await config().exportConfig(), true, true)).changes)).toEqual({
      UNCHANGED: names.length + 3 + 1 + 1,
    });
  });

  it('names dependency cycles, unknown parents and bad windows with their paths', async () => {
    const document = realisticConfig(8);
    document.services[5]!.dependsOn = ['svc-0004'];
    document.services[1]!.dependsOn = ['svc-nowhere'];
    document.maintenanceWindows[0]!.startsAt = 'next tuesday';
    document.maintenanceWindows[1]!.services = ['svc-0000', 'svc-gone'];
    document.maintenanceWindows[1]!.timezone = 'Mars/Olympus';
    const text = toYaml(document);
    const result = await config().applyConfig(text, 'YAML', true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problems = result.problems.map(({ path, message }) => ({ path, message }));
    expect(problems).toEqual([
      { path: 'services[1].dependsOn[0]', message: 'no service named "svc-nowhere" (in the document or stored)' },
      { path: 'services[4].dependsOn', message: 'would make a cycle: svc-0004 -> svc-0005 -> svc-0004' },
      { path: 'services[5].dependsOn', message: 'would make a cycle: svc-0005 -> svc-0004 -> svc-0005' },
      {
        path: 'maintenanceWindows[0].startsAt',
        message:
          'must be an ISO 8601 date-time with its offset, e.g. 2026-12-06T02:00:00Z (the recurrence follows timezone)',
      },
      { path: 'maintenanceWindows[1].timezone', message: 'not an IANA time zone: "Mars/Olympus"' },
      { path: 'maintenanceWindows[1].services[1]', message: 'no service named "svc-gone" (in the document or stored)' },
    ]);
    expect(result.problems.every((problem) => problem.line !== null)).toBe(true);
  });

  it('reports every problem of a document at once, with its path and line, and applies nothing', async () => {
    const before = await config().exportConfig();
    const document = realisticConfig(12);
    (document.services[3] as Record<string, unknown>).url = 'ftp://127.0.0.1/files';
    (document.services[7] as Record<string, unknown>).intervalSeconds = 'often';
    (document.services[10] as Record<string, unknown>).notificationChannels = ['pager'];
    (document.notificationChannels[1] as Record<string, unknown>).kind = 'FAX';
    (document.statusPages[0] as Record<string, unknown>).services = ['svc-0000', 'svc-9999'];
    document.services.push({ name: 'svc-new', url: 'http://127.0.0.1:9/new' });
    const text = toYaml(document);
    const result = await config().applyConfig(text, 'YAML', false, true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const servicesStart = lineOf(text, 'services:');
    expect(result.problems.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'notificationChannels[1].kind', line: lineOf(text, 'kind: FAX') },
      { path: 'services[3].url', line: lineOf(text, 'url: ftp://') },
      { path: 'services[7].intervalSeconds', line: lineOf(text, 'intervalSeconds: often') },
      { path: 'services[10].notificationChannels[0]', line: lineOf(text, '- pager', servicesStart) },
      { path: 'statusPages[0].services[1]', line: lineOf(text, '- svc-9999') },
    ]);
    expect(result.problems[1]!.message).toMatch(/must use http, https, .*not ftp/);
    expect(result.problems[2]!.message).toBe('must be a whole number');
    expect(await config().exportConfig()).toBe(before);
  });

  it('gives JSON syntax errors and YAML syntax errors a line', async () => {
    const json = await config().applyConfig('{\n  "services": [\n    { "name": "a", }\n  ]\n}', 'JSON');
    expect(json).toMatchObject({ ok: false, problems: [{ line: 3 }] });
    const yaml = await config().applyConfig('services:\n  - name: a\n    url: [unclosed\n', 'YAML');
    expect(yaml.ok).toBe(false);
    if (!yaml.ok) expect(yaml.problems[0]!.line).toBeGreaterThanOrEqual(3);
    const missing = await config().applyConfig('services:\n  - name: a\n    url: ${NOT_SET_ANYWHERE}\n', 'YAML');
    expect(missing).toMatchObject({
      ok: false,
      problems: [{ path: 'services[0].url', line: 3, message: 'environment variable NOT_SET_ANYWHERE is not set' }],
    });
  });
});
