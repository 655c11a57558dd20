import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { MigrationSql } from './migrations.js';

/** The migration runner's one session: the PGlite instance itself, or one pg.Client. */
export function pgliteSession(pglite: PGlite): MigrationSql {
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
    exec: async (script) => {
      await pglite.exec(script);
    },
  };
}

export function pgSession(client: pg.Client): MigrationSql {
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    exec: async (script) => {
      await client.query(script);
    },
  };
}
