import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteSession } from './migration-sessions.js';
import { applyMigrations, MIGRATIONS_DIR, migrationChecksum, readMigrations } from './migrations.js';

/**
 * A PGlite data directory made at build time (`npm run build`: initdb plus the migrations), which a
 * first start copies instead of running initdb in-process: about 5 s and a second WASM instance's
 * memory saved. dist/pgdata-template, found from src/ or dist/ alike (both two levels below the root).
 */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../dist/pgdata-template/', import.meta.url));
const STAMP = 'template.json';
const PGDATA = 'pgdata';

interface Stamp {
  pglite: string;
  migrations: string;
}

/**
 * The template's pgdata when it was made by this PGlite version with these migrations or the first
 * of them (the runner applies the rest); undefined when absent or stale (a migration edited since).
 */
export async function usableTemplate(
  dir: string | undefined = TEMPLATE_DIR,
  migrationsDir = MIGRATIONS_DIR,
): Promise<string | undefined> {
  const stamp = await readStamp(dir ?? TEMPLATE_DIR);
  if (!stamp || stamp.pglite !== (await pgliteVersion())) return undefined;
  const current = await migrationsKey(migrationsDir);
  if (stamp.migrations !== current && !current.startsWith(`${stamp.migrations},`)) return undefined;
  return path.join(dir ?? TEMPLATE_DIR, PGDATA);
}

/** Makes the template unless the one there is current; true when it was made now. */
export async function buildTemplate(dir: string = TEMPLATE_DIR, migrationsDir = MIGRATIONS_DIR): Promise<boolean> {
  const wanted: Stamp = { pglite: await pgliteVersion(), migrations: await migrationsKey(migrationsDir) };
  const stamp = await readStamp(dir);
  if (stamp?.pglite === wanted.pglite && stamp.migrations === wanted.migrations) return false;
  const partial = `${dir.replace(/\/$/, '')}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = new PGlite(path.join(partial, PGDATA));
  try {
    await pglite.waitReady;
    await applyMigrations(pgliteSession(pglite), { dir: migrationsDir });
    // A clean shutdown's checkpoint: the copy starts without replaying any WAL.
    await pglite.exec('CHECKPOINT');
  } finally {
    await pglite.close();
  }
  await writeFile(path.join(partial, STAMP), `${JSON.stringify(wanted)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return true;
}

async function readStamp(dir: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, STAMP), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

let version: Promise<string> | undefined;
function pgliteVersion(): Promise<string> {
  version ??= (async () => {
    // The package exports no package.json: found from its entry point, dist/ one level below.
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const pkg = JSON.parse(await readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'));
    return String(pkg.version);
  })();
  return version;
}

async function migrationsKey(dir: string): Promise<string> {
  const { migrationDirectories } = await readMigrations(dir);
  return migrationDirectories.map((m) => `${m.path}:${migrationChecksum(m.migrationFile.content.value)}`).join(',');
}
