import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TEST_DATABASE_URL } from './services.js';

export type DatabaseKind = 'embedded' | 'postgresql';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export const DATABASE_KINDS: DatabaseKind[] = TEST_DATABASE_URL ? ['embedded', 'postgresql'] : ['embedded'];

export interface TestDatabase {
  /** DATABASE_URL for PostgreSQL; undefined for the embedded database. */
  url: string | undefined;
  /** DATA_DIR for the embedded database (a fresh temporary directory). */
  dataDir: string;
  dispose(): Promise<void>;
}

/** A fresh, empty database of the given kind: its own PostgreSQL database, or its own PGlite directory. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-test-'));
  if (kind === 'embedded') {
    return { url: undefined, dataDir, dispose: () => rm(dataDir, { recursive: true, force: true }) };
  }
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `sc_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async dispose() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
