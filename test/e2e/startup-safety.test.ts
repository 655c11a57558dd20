import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { MIGRATIONS_DIR, MigrationError, readMigrations } from '../../src/db/migrations.js';
import { usableTemplate } from '../../src/db/pgdata-template.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { REPO_ROOT, spawnServer, startServer, stopAllServers } from '../support/server-process.js';

/**
 * A start-up killed at each instant it can die at — initdb, inside each migration, after — then a
 * normal start: the instants are reached by a hook that stops the real process there (no sleeping),
 * and SIGKILL ends it exactly at that point.
 */

const CHILD = path.join(REPO_ROOT, 'test/support/startup-child.ts');
const dirs: string[] = [];
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopAllServers();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

interface Child {
  /** Resolves with the first line starting with one of the prefixes; rejects if it exits first. */
  line(...prefixes: string[]): Promise<string>;
  exited: Promise<number | null>;
  kill(): Promise<void>;
  output(): string;
}

function startChild(env: Record<string, string | undefined>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of waiters) w();
  };
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    notify();
  });
  createInterface({ input: child.stderr! }).on('line', (l) => {
    lines.push(`stderr: ${l}`);
  });
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      done = true;
      children.delete(child);
      notify();
      resolve(code);
    }),
  );
  return {
    line: (...prefixes) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => prefixes.some((p) => l.startsWith(p)));
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          } else if (done) {
            waiters.delete(check);
            reject(new Error(`child exited before ${prefixes.join(' | ')}\n${lines.join('\n')}`));
          }
        };
        waiters.add(check);
        check();
      }),
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    output: () => lines.join('\n'),
  };
}

/** Starts the database in a child, lets it run to `phase`, and SIGKILLs it there. */
async function killAt(env: Record<string, string | undefined>, phase: string): Promise<void> {
  const child = startChild({ ...env, PAUSE_AT: phase });
  const line = await child.line(`PAUSED ${phase}`, 'DONE');
  expect(line, `phase ${phase} never reached\n${child.output()}`).toBe(`PAUSED ${phase}`);
  await child.kill();
}

/** A normal start: migrations up to date, every row finished, and the database takes writes. */
async function expectUsable(database: TestDatabase, migrationsDir = MIGRATIONS_DIR) {
  const db = await openDatabase({
    url: database.url,
    dataDir: database.dataDir,
    logger: createLogger('silent'),
    migrationsDir,
  });
  try {
    const applied = await db.migrate();
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
    );
    const onDisk = (await readMigrations(migrationsDir)).migrationDirectories.map((m) => m.path);
    expect(rows.map((r) => r.migration_name)).toEqual(onDisk);
    const unfinished = await db.prisma.$queryRawUnsafe<unknown[]>(
      'SELECT 1 FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL',
    );
    expect(unfinished).toEqual([]);
    const name = `after-kill-${Math.random().toString(36).slice(2, 8)}`;
    await db.prisma.service.create({
      data: {
        name,
        url: 'http://127.0.0.1:9/',
        intervalSeconds: 60,
        timeoutMs: 1000,
        expectedStatus: '200',
        failureThreshold: 1,
        successThreshold: 1,
      },
    });
    return { applied, services: await db.prisma.service.findMany({ select: { name: true } }) };
  } finally {
    await db.close();
  }
}

function envOf(database: TestDatabase, migrationsDir?: string) {
  return { DATA_DIR: database.dataDir, DATABASE_URL: database.url, MIGRATIONS_DIR: migrationsDir };
}

/** prisma/migrations plus one more, as an upgrade brings: it alters a table that holds rows. */
async function migrationsWithUpgrade(): Promise<{ dir: string; name: string }> {
  const dir = await tempDir('statuschecker-migrations-');
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const name = '29990101000000_upgrade_test';
  await mkdir(path.join(dir, name));
  await writeFile(
    path.join(dir, name, 'migration.sql'),
    'ALTER TABLE "Service" ADD COLUMN "upgradeTest" TEXT;\nCREATE TABLE "UpgradeTest" ("id" INTEGER PRIMARY KEY);\nCREATE INDEX "UpgradeTest_idx" ON "Service" ("upgradeTest");\n',
  );
  return { dir, name };
}

describe.each(DATABASE_KINDS)('start-up killed at every instant, on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('starts normally after each kill: initdb, inside every migration, after the last', async () => {
    database = await createTestDatabase(kind);
    const migrations = (await readMigrations()).migrationDirectories.map((m) => m.path);
    const phases = [
      ...(kind === 'embedded' ? ['initdb', 'initdb-done'] : []),
      ...migrations.flatMap((name) => [`migration-begin:${name}`, `migration-inside:${name}`]),
      `migration-committed:${migrations.at(-1)}`,
      'migrated',
    ];
    // Each start goes on from what the one killed before it left, up to the next instant.
    for (const phase of phases) await killAt({ ...envOf(database), NO_TEMPLATE: '1' }, phase);
    if (kind === 'embedded') {
      const entries = await readdir(database.dataDir);
      expect(entries).not.toContain('pgdata.partial');
    }
    const { services } = await expectUsable(database);
    expect(services).toHaveLength(1);
  }, 180_000);

  it.runIf(kind === 'embedded')(
    'a first start from the build’s template, killed while copying it or after',
    async () => {
      expect(await usableTemplate(), 'no dist/pgdata-template: the e2e setup builds it').toBeDefined();
      database = await createTestDatabase(kind);
      for (const phase of ['initdb', 'initdb-done', 'migrated']) await killAt(envOf(database), phase);
      expect(await readdir(database.dataDir)).not.toContain('pgdata.partial');
      const { applied, services } = await expectUsable(database);
      expect(applied).toEqual([]); // the template had them all
      expect(services).toHaveLength(1);
    },
    120_000,
  );

  it('an upgrade killed inside its migration keeps every row, and the next start applies it', async () => {
    database = await createTestDatabase(kind);
    const before = await expectUsable(database); // a database in use, one service in it
    const upgrade = await migrationsWithUpgrade();
    await killAt(envOf(database, upgrade.dir), `migration-inside:${upgrade.name}`);
    const after = await expectUsable(database, upgrade.dir);
    expect(after.applied).toEqual([upgrade.name]);
    expect(after.services.map((s) => s.name)).toEqual(expect.arrayContaining(before.services.map((s) => s.name)));
    expect(after.services).toHaveLength(2);
  }, 120_000);

  it("re-applies a migration left unfinished by Prisma's engine, or refuses whole when it was half done", async () => {
    database = await createTestDatabase(kind);
    await expectUsable(database);
    const upgrade = await migrationsWithUpgrade();
    const open = () =>
      openDatabase({
        url: database!.url,
        dataDir: database!.dataDir,
        logger: createLogger('silent'),
        migrationsDir: upgrade.dir,
      });
    const leaveUnfinished = (db: Awaited<ReturnType<typeof open>>) =>
      db.prisma.$executeRawUnsafe(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES (gen_random_uuid()::text, 'x', '${upgrade.name}', now())`,
      );

    // Half done: the first statement ran, then the process died (what P3009 refused before).
    let db = await open();
    try {
      await leaveUnfinished(db);
      await db.prisma.$executeRawUnsafe('ALTER TABLE "Service" ADD COLUMN "upgradeTest" TEXT');
      const failed = await db.migrate().catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(MigrationError);
      expect((failed as MigrationError).migration).toBe(upgrade.name);
      // Rolled back whole: no table of the migration, the dead run's row untouched.
      const tables = await db.prisma.$queryRawUnsafe<unknown[]>(`SELECT to_regclass('"UpgradeTest"')::text AS t`);
      expect(tables).toEqual([{ t: null }]);
      // Repaired by hand (the column dropped), the next start goes on.
      await db.prisma.$executeRawUnsafe('ALTER TABLE "Service" DROP COLUMN "upgradeTest"');
      expect(await db.migrate()).toEqual([upgrade.name]);
    } finally {
      await db.close();
    }

    // Killed before its first statement: simply applied again.
    await database.dispose();
    database = await createTestDatabase(kind);
    await expectUsable(database);
    db = await open();
    try {
      await leaveUnfinished(db);
      expect(await db.migrate()).toEqual([upgrade.name]);
      const rows = await db.prisma.$queryRawUnsafe<{ finished: boolean; rolled_back: boolean }[]>(
        `SELECT finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations WHERE migration_name = '${upgrade.name}' ORDER BY started_at`,
      );
      expect(rows).toEqual([
        { finished: false, rolled_back: true },
        { finished: true, rolled_back: false },
      ]);
    } finally {
      await db.close();
    }
  }, 120_000);
});

describe('the DATA_DIR lock', () => {
  it('two processes racing for one DATA_DIR: exactly one wins, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const dataDir = await tempDir('statuschecker-lock-');
      const racers = [startChild({ MODE: 'lock', DATA_DIR: dataDir }), startChild({ MODE: 'lock', DATA_DIR: dataDir })];
      const results = await Promise.all(racers.map((r) => r.line('LOCKED', 'REFUSED')));
      await Promise.all(racers.map((r) => r.kill()));
      expect(
        results.filter((r) => r === 'LOCKED'),
        results.join('\n'),
      ).toHaveLength(1);
      expect(results.find((r) => r.startsWith('REFUSED'))).toMatch(/in use by another statuschecker process/);
    }
  }, 120_000);

  it('an empty pid file is not stale; a dead process’s is taken over', async () => {
    const { lockDataDir } = await import('../../src/db/data-dir-lock.js');
    const dataDir = await tempDir('statuschecker-lock-');
    await writeFile(path.join(dataDir, 'statuschecker.pid'), '');
    await expect(lockDataDir(dataDir)).rejects.toThrow(/in use by another statuschecker process/);

    // A pid that cannot be running: above the kernel's pid_max.
    await writeFile(path.join(dataDir, 'statuschecker.pid'), '99999999');
    const unlock = await lockDataDir(dataDir);
    expect(await readFile(path.join(dataDir, 'statuschecker.pid'), 'utf8')).toBe(String(process.pid));
    await unlock();
    expect(await readdir(dataDir)).toEqual([]);
  });
});

describe('a signal during start-up', () => {
  it('SIGINT before listening exits 0 cleanly, and the next start is normal', async () => {
    const dataDir = await tempDir('statuschecker-sigint-');
    const server = await spawnServer({ env: { DATA_DIR: dataDir } });
    // The first thing the server logs is during its start-up, long before it listens on a fresh DATA_DIR.
    await server.waitForLog(() => true);
    process.kill(server.pid, 'SIGINT');
    const exit = await server.exited;
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    const messages = server.logs().map((r) => r.msg);
    expect(messages, server.output()).toContain('start-up stopped before listening: nothing left half done');
    expect(messages).not.toContain('listening');
    expect(server.logs().filter((r) => (r.level ?? 0) >= 50)).toEqual([]);

    const again = await startServer({ env: { DATA_DIR: dataDir } });
    expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
    expect(await again.stop('SIGTERM')).toBe(0);
  }, 120_000);
});
