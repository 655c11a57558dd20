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
});
