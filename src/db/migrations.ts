import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { withSchemaEngine } from './schema-engine.js';

/** prisma/migrations, found from this file's place in src/ or dist/ (both sit two levels below the root). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));

const NO_FILTERS = { externalTables: [], externalEnums: [] };

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

/**
 * Applies pending migrations exactly as `prisma migrate deploy` would (same `_prisma_migrations`
 * bookkeeping), so either tool can be used on the same database. Returns the names applied now.
 */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  dir: string = MIGRATIONS_DIR,
): Promise<string[]> {
  const migrationsList = await readMigrations(dir);
  return withSchemaEngine(adapterFactory, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return result.appliedMigrationNames;
  });
}

/** The SQL that takes a database at `migrationsList` to the datamodel, or '' when nothing changes. */
export async function diffMigrationsToSchema(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schemaPath: string,
  dir: string = MIGRATIONS_DIR,
): Promise<string> {
  const migrationsList = await readMigrations(dir);
  const content = await readFile(schemaPath, 'utf8');
  return withSchemaEngine(adapterFactory, async (engine) => {
    if (migrationsList.migrationDirectories.length > 0) {
      await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    }
    const schema = { files: [{ path: schemaPath, content }] };
    const { stdout } = await engine.diff({
      from:
        migrationsList.migrationDirectories.length > 0
          ? { tag: 'schemaDatasource', ...schema, configDir: path.dirname(schemaPath) }
          : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', ...schema },
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    });
    return stdout ?? '';
  });
}
