import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { MIGRATIONS_DIR, readMigrations } from './migrations.js';
import { withSchemaEngine } from './schema-engine.js';

// Development tooling only (npm run db:migration): the server never loads the schema engine.

const NO_FILTERS = { externalTables: [], externalEnums: [] };

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
