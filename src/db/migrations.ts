import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** prisma/migrations, found from this file's place in src/ or dist/ (both sit two levels below the root). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));

export interface MigrationsOnDisk {
  baseDir: string;
  lockfile: { path: string; content: string };
  shadowDbInitScript: string;
  migrationDirectories: {
    path: string;
    migrationFile: { path: string; content: { tag: 'ok'; value: string } };
  }[];
}

/** Reads Prisma's standard layout: <dir>/<timestamp>_<name>/migration.sql plus migration_lock.toml. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationsOnDisk> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(path.join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lockContent = await readFile(path.join(dir, 'migration_lock.toml'), 'utf8');
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** One database session, as the migration runner needs it (a pg.Client, or the PGlite instance). */
export interface MigrationSql {
  /** One statement with $1… parameters; its rows. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (a migration.sql file; BEGIN, COMMIT). */
  exec(script: string): Promise<void>;
}

/** The instants a start-up can die at; tests stop a real process at each one to kill it there. */
export type StartupPhase =
  | { kind: 'initdb' }
  | { kind: 'initdb-done' }
  | { kind: 'migration-begin'; name: string }
  | { kind: 'migration-inside'; name: string }
  | { kind: 'migration-committed'; name: string }
  | { kind: 'migrated' };

export type StartupHook = (phase: StartupPhase) => Promise<void> | void;

export interface ApplyOptions {
  dir?: string;
  onPhase?: StartupHook | undefined;
  /** Checked between migrations: a stop requested during start-up does not wait for the rest. */
  signal?: AbortSignal | undefined;
}

/** The key Prisma's schema engine locks with, so this runner and `prisma migrate deploy` wait for each other. */
const MIGRATION_LOCK_KEY = 72707369;

/** The table exactly as Prisma creates it, so either tool can go on from the other's bookkeeping. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(
      `migration ${migration} failed and was rolled back, the database is as it was before it: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
    this.name = 'MigrationError';
  }
}

/** SHA-256 of migration.sql, hex: the checksum `prisma migrate deploy` records. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Applies pending migrations, each together with its `_prisma_migrations` row in one transaction:
 * a process killed at any instant leaves either the whole migration recorded or none of it, so the
 * next start simply applies it again (PostgreSQL, and PGlite with it, runs DDL in transactions).
 * The rows are those `prisma migrate deploy` writes. An unfinished row left by an earlier runner
 * (Prisma's, which runs a script statement by statement outside a transaction) is marked rolled
 * back and the migration re-applied in the same transaction: if the dead run left part of it
 * behind, that transaction fails, changes nothing and says which migration to repair.
 * Up to date costs one query; returns the names applied now.
 */
export async function applyMigrations(sql: MigrationSql, options: ApplyOptions = {}): Promise<string[]> {
  const { migrationDirectories } = await readMigrations(options.dir);
  const recorded = await finishedMigrations(sql);
  const pending = migrationDirectories.filter((m) => !recorded.has(m.path));
  const applied: string[] = [];
  for (const migration of pending) {
    options.signal?.throwIfAborted();
    const name = migration.path;
    const script = migration.migrationFile.content.value;
    await options.onPhase?.({ kind: 'migration-begin', name });
    await sql.exec('BEGIN');
    try {
      await sql.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await sql.exec(CREATE_MIGRATIONS_TABLE);
      const done = await sql.query(
        'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL',
        [name],
      );
      if (done.length > 0) {
        // Another replica applied it while this one waited for the lock.
        await sql.exec('ROLLBACK');
        continue;
      }
      await sql.query(
        'UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL',
        [name],
      );
      await sql.exec(script);
      await sql.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
        [randomUUID(), migrationChecksum(script), name],
      );
      await options.onPhase?.({ kind: 'migration-inside', name });
      await sql.exec('COMMIT');
    } catch (err) {
      await sql.exec('ROLLBACK').catch(() => undefined);
      throw new MigrationError(name, err);
    }
    applied.push(name);
    await options.onPhase?.({ kind: 'migration-committed', name });
  }
  await options.onPhase?.({ kind: 'migrated' });
  return applied;
}

/** Names of the migrations recorded as finished and not rolled back (none when the table is missing). */
async function finishedMigrations(sql: MigrationSql): Promise<Set<string>> {
  try {
    const rows = await sql.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    return new Set(rows.map((r) => r.migration_name));
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return new Set(); // undefined_table: a new database
    throw err;
  }
}
