import { access, cp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StartupHook } from './migrations.js';
import { usableTemplate } from './pgdata-template.js';

/** The PostgreSQL data directory inside DATA_DIR (beside the pid file). */
export const PGDATA = 'pgdata';
/** Where a fresh one is built; it becomes PGDATA by one rename, so PGDATA is never half made. */
const PARTIAL = 'pgdata.partial';

export interface EmbeddedDataDir {
  /** The directory PGlite opens. */
  pgdata: string;
  /** True when it was made now (first start). */
  created: boolean;
}

/**
 * Finds or makes the PGlite data directory. A fresh one is initialised under a temporary name and
 * renamed into place when whole: PGlite takes any directory holding PG_VERSION for a database,
 * and initdb writes that file long before it finishes, so a first start killed midway would
 * otherwise leave a directory every later start opens and fails on. A leftover partial directory
 * is the trace of such a kill and is started over. The directory is copied from the template made
 * at build time when there is one (dist/pgdata-template), and made by initdb otherwise. Data directories of earlier versions, with the
 * database at the top of DATA_DIR, are used where they are.
 */
export async function prepareEmbeddedDataDir(
  dataDir: string,
  options: {
    onPhase?: StartupHook | undefined;
    signal?: AbortSignal | undefined;
    migrationsDir?: string | undefined;
    pgdataTemplate?: string | null | undefined;
  } = {},
): Promise<EmbeddedDataDir> {
  if (await exists(path.join(dataDir, 'PG_VERSION'))) return { pgdata: dataDir, created: false };
  const pgdata = path.join(dataDir, PGDATA);
  if (await exists(path.join(pgdata, 'PG_VERSION'))) return { pgdata, created: false };

  const partial = path.join(dataDir, PARTIAL);
  await rm(partial, { recursive: true, force: true });
  options.signal?.throwIfAborted();
  await options.onPhase?.({ kind: 'initdb' });
  const template =
    options.pgdataTemplate === null ? undefined : await usableTemplate(options.pgdataTemplate, options.migrationsDir);
  if (template) {
    await cp(template, partial, { recursive: true });
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const init = new PGlite(partial);
    await init.waitReady;
    await init.close();
  }
  await options.onPhase?.({ kind: 'initdb-done' });
  await rename(partial, pgdata);
  return { pgdata, created: true };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
