import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { readMigrations } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('apply to an empty database, record _prisma_migrations, and are a no-op the second time', async () => {
    database = await createTestDatabase(kind);
    const migrations = (await readMigrations()).migrationDirectories;
    const onDisk = migrations.map((m) => m.path);
    expect(onDisk.length).toBeGreaterThan(0);

    // initdb, not the build's template (which has the migrations applied already).
    const db = await openDatabase({
      url: database.url,
      dataDir: database.dataDir,
      logger: createLogger('silent'),
      pgdataTemplate: null,
    });
    try {
      expect(await db.migrate()).toEqual(onDisk);
      expect(await db.migrate()).toEqual([]);
      const recorded = await db.prisma.$queryRawUnsafe<
        { migration_name: string; finished_at: Date | null; checksum: string }[]
      >('SELECT migration_name, finished_at, checksum FROM _prisma_migrations ORDER BY migration_name');
      expect(recorded.map((r) => r.migration_name)).toEqual(onDisk);
      // The same checksum `prisma migrate deploy` writes (SHA-256 of migration.sql), so both tools agree.
      const checksums = migrations.map((m) => createHash('sha256').update(m.migrationFile.content.value).digest('hex'));
      expect(recorded.map((r) => r.checksum)).toEqual(checksums);
      for (const row of recorded) expect(row.finished_at).not.toBeNull();
      expect(await db.prisma.service.count()).toBe(0);
    } finally {
      await db.close();
    }
    // PGlite's initdb plus every migration through the WASM engine: seconds alone, much longer on a loaded machine.
  }, 120_000);

  it.runIf(kind === 'postgresql')(
    'leave no migration lock behind: a second process migrates while the first runs',
    async () => {
      database = await createTestDatabase(kind);
      const open = () =>
        openDatabase({ url: database!.url, dataDir: database!.dataDir, logger: createLogger('silent') });
      const first = await open();
      const second = await open();
      try {
        await first.migrate();
        await first.prisma.service.count(); // the first process keeps using its pool
        // The engine waits up to 10 s for its advisory lock; a lock left held would fail this.
        const started = Date.now();
        expect(await second.migrate()).toEqual([]);
        expect(Date.now() - started).toBeLessThan(5_000);
        // The migration sessions end as their pools close (a moment after); a lock left held stays.
        const advisoryLocks = async () =>
          Number(
            (
              await first.prisma.$queryRawUnsafe<{ n: bigint }[]>(
                `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
              )
            )[0]!.n,
          );
        await expect.poll(advisoryLocks, { timeout: 3_000 }).toBe(0);
      } finally {
        await first.close();
        await second.close();
      }
    },
  );
});
