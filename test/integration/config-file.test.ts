import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { toYaml } from '../support/config-document.js';
import { DATABASE_KINDS } from '../support/database.js';

const until = async <T>(read: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.each(DATABASE_KINDS)('CONFIG_FILE on %s', (kind) => {
  let t: TestApp;
  let dir: string;
  let file: string;
  const service = (name: string) => t.app.testing.registry.findByName(name);
  const write = async (value: unknown | string) => {
    // As editors do: a new file renamed over the old one.
    const temp = `${file}.tmp`;
    await writeFile(temp, typeof value === 'string' ? value : toYaml(value));
    await rename(temp, file);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-config-file-'));
    file = path.join(dir, 'statuschecker.yaml');
    await writeFile(
      file,
      toYaml({
        services: [{ name: 'from-file', url: 'http://127.0.0.1:9/a', intervalSeconds: 60, labels: ['${TEAM}'] }],
      }),
    );
    t = await startTestApp(kind, { env: { SCHEDULER_ENABLED: 'false', CONFIG_FILE: file, TEAM: 'team:web' } });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("applies the file at start-up, marked as the file's, its ${VAR} expanded", async () => {
    const row = await until(async () => (await service('from-file')) ?? undefined, 5_000, 'service from the file');
    expect(row).toMatchObject({ intervalSeconds: 60, labels: ['team:web'], managedBy: 'config file' });
    const audit = await t.app.testing.prisma.auditEntry.findFirst({ where: { target: 'service "from-file"' } });
    expect(audit).toMatchObject({ actor: 'config file', operation: 'config.CREATE' });
  });

  it('applies an edit within 2 s, pruning what the file no longer names; a broken edit keeps the running config', async () => {
    await until(async () => (await service('from-file')) ?? undefined, 5_000, 'service from the file');
    // Made through the API: not the file's, so the file's prune leaves it alone.
    await t.app.testing.registry.register({ name: 'from-api', url: 'http://127.0.0.1:9/api' });
    const edited = Date.now();
    await write({ services: [{ name: 'second', url: 'http://127.0.0.1:9/b', intervalSeconds: 120 }] });
    await until(
      async () => ((await service('second')) && !(await service('from-file')) ? true : undefined),
      2_000,
      'the edit',
    );
    expect(Date.now() - edited).toBeLessThan(2_000);
    expect(await service('from-api')).not.toBeNull();

    await write('services:\n  - name: second\n    url: http://127.0.0.1:9/b\n    intervalSeconds: soon\n');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await service('second'))?.intervalSeconds).toBe(120);

    await write({ services: [{ name: 'second', url: 'http://127.0.0.1:9/b', intervalSeconds: 300 }] });
    await until(async () => ((await service('second'))?.intervalSeconds === 300 ? true : undefined), 2_000, 'the fix');

    // The file's services are refused to the API (CONFIG_FILE_MODE is strict by default).
    const managed = (await service('second'))!;
    await expect(t.app.testing.registry.unregister(managed.id)).rejects.toThrow(
      'service "second" is managed by the config file (CONFIG_FILE): change it there, or set CONFIG_FILE_MODE=merge',
    );
    await expect(t.app.testing.registry.setPaused(managed.id, true)).rejects.toThrow(/managed by the config file/);
    expect(await service('second')).toMatchObject({ paused: false });
    await t.app.testing.registry.unregister((await service('from-api'))!.id);
  });

  it("refuses API changes to the file's channels, windows and pages, and keeps them", async () => {
    await write({
      notificationChannels: [{ name: 'file-hook', kind: 'WEBHOOK', url: 'http://127.0.0.1:9/hook' }],
      services: [{ name: 'second', url: 'http://127.0.0.1:9/b', intervalSeconds: 300 }],
      maintenanceWindows: [
        { name: 'file-window', startsAt: '2027-01-01T00:00:00Z', endsAt: '2027-01-01T01:00:00Z', services: ['second'] },
      ],
      statusPages: [{ slug: 'file-page', title: 'From the file', services: ['second'] }],
    });
    const prisma = t.app.testing.prisma;
    const rows = await until(
      async () => {
        const [channel, window, page] = await Promise.all([
          prisma.notificationChannel.findUnique({ where: { name: 'file-hook' } }),
          prisma.maintenanceWindow.findUnique({ where: { name: 'file-window' } }),
          prisma.statusPage.findUnique({ where: { slug: 'file-page' } }),
        ]);
        return channel && window && page ? { channel, window, page } : undefined;
      },
      5_000,
      'the objects of the file',
    );
    expect([rows.channel.managedBy, rows.window.managedBy, rows.page.managedBy]).toEqual([
      'config file',
      'config file',
      'config file',
    ]);
    const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
    const refused = async (mutation: string, type: string, id: string) => {
      const { body } = await t.raw(
        `mutation ($id: ID!) { ${mutation}(id: $id) { __typename ... on Error { message } } }`,
        { id: globalId(type, id) },
      );
      expect(body.errors).toBeUndefined();
      return (body.data as Record<string, { __typename: string; message: string }>)[mutation];
    };
    expect(await refused('deleteNotificationChannel', 'NotificationChannel', rows.channel.id)).toEqual({
      __typename: 'ConflictError',
      message:
        'notification channel "file-hook" is managed by the config file (CONFIG_FILE): change it there, or set CONFIG_FILE_MODE=merge',
    });
    expect(await refused('deleteMaintenanceWindow', 'MaintenanceWindow', rows.window.id)).toMatchObject({
      __typename: 'ConflictError',
      message: expect.stringContaining('maintenance window "file-window" is managed by the config file'),
    });
    expect(await refused('deleteStatusPage', 'StatusPage', rows.page.id)).toMatchObject({
      __typename: 'ConflictError',
      message: expect.stringContaining('status page "file-page" is managed by the config file'),
    });
    const { body } = await t.raw(
      'mutation ($id: ID!, $input: MaintenanceWindowInput!) { updateMaintenanceWindow(id: $id, input: $input) { __typename } }',
      {
        id: globalId('MaintenanceWindow', rows.window.id),
        input: { name: 'renamed', startsAt: '2027-01-01T00:00:00Z', endsAt: '2027-01-01T02:00:00Z' },
      },
    );
    expect(body.data).toEqual({ updateMaintenanceWindow: { __typename: 'ConflictError' } });
    expect(await prisma.maintenanceWindow.findUnique({ where: { id: rows.window.id } })).toMatchObject({
      name: 'file-window',
    });
    expect(await prisma.notificationChannel.count({ where: { name: 'file-hook' } })).toBe(1);
    expect(await prisma.statusPage.count({ where: { slug: 'file-page' } })).toBe(1);
  });

  it("gives a heartbeat of the file its push URL by rotation, and the file's next apply keeps that secret", async () => {
    const heartbeat = { name: 'file-backup', heartbeat: { cron: '0 2 * * *', graceSeconds: 600 } };
    await write({ services: [{ name: 'second', url: 'http://127.0.0.1:9/b', intervalSeconds: 300 }, heartbeat] });
    const row = await until(async () => (await service('file-backup')) ?? undefined, 2_000, 'the heartbeat');
    expect(row).toMatchObject({ kind: 'HEARTBEAT', managedBy: 'config file', url: `/push/${row.id}` });
    // Its other fields are the file's (refused to the API); its secret is not in the file.
    await expect(t.app.testing.registry.setPaused(row.id, true)).rejects.toThrow(/managed by the config file/);
    const { pushToken } = await t.app.testing.registry.rotatePushToken(row.id);
    const hash = (await service('file-backup'))!.pushTokenHash;
    expect(hash).toEqual(expect.any(String));

    await write({
      services: [
        { name: 'second', url: 'http://127.0.0.1:9/b', intervalSeconds: 300 },
        { ...heartbeat, heartbeat: { cron: '0 3 * * *', graceSeconds: 600 } },
      ],
    });
    await until(
      async () =>
        ((await service('file-backup'))?.kindOptions as { heartbeat?: { cron?: string } } | null)?.heartbeat?.cron ===
        '0 3 * * *'
          ? true
          : undefined,
      2_000,
      'the changed schedule',
    );
    expect((await service('file-backup'))!.pushTokenHash).toBe(hash);
    expect(pushToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // And pruned like any other service of the file.
    await write({ services: [{ name: 'second', url: 'http://127.0.0.1:9/b', intervalSeconds: 300 }] });
    await until(async () => ((await service('file-backup')) ? undefined : true), 2_000, 'the heartbeat pruned');
  });
});
