import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import { withTimeout } from '../timeouts.js';
import { lockDataDir } from './data-dir-lock.js';
import { pgliteSession, pgSession } from './migration-sessions.js';
import { type ApplyOptions, applyMigrations, type StartupHook } from './migrations.js';

export type { PrismaClient };

export interface DatabaseOptions {
  /** postgresql:// URL; when absent the embedded PGlite database in `dataDir` is used. */
  url?: string | undefined;
  dataDir: string;
  logger: Logger;
  /** Called with every SQL statement Prisma sends (tests count them to catch N+1). */
  onQuery?: (sql: string) => void;
  /** Called at each instant a start-up could be killed at (tests stop the process there). */
  onPhase?: StartupHook | undefined;
  /** A stop requested during start-up: checked between initdb and migrations. */
  signal?: AbortSignal | undefined;
  /** prisma/migrations unless given (tests add a migration of their own). */
  migrationsDir?: string | undefined;
  /** Embedded: the data directory a first start copies (dist/pgdata-template); null runs initdb. */
  pgdataTemplate?: string | null | undefined;
}

export interface Database {
  readonly kind: 'embedded' | 'postgresql';
  readonly prisma: PrismaClient;
  /** Applies pending migrations; returns the names applied now (empty when up to date). */
  migrate(): Promise<string[]>;
  /** True when a trivial statement succeeds within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;
const POOL_SIZE = 10;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options, options.url) : openEmbedded(options);
}

async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  await mkdir(options.dataDir, { recursive: true });
  const unlock = await lockDataDir(options.dataDir);
  // Each kind loads only its own driver: PGlite's and pg's modules cost start-up time.
  const [{ PGlite }, { PrismaPGlite }, { prepareEmbeddedDataDir }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
    import('./embedded-data-dir.js'),
  ]);
  let pglite: PGlite;
  try {
    const { pgdata } = await prepareEmbeddedDataDir(options.dataDir, options);
    pglite = new PGlite(pgdata);
    await pglite.waitReady;
  } catch (err) {
    await unlock();
    throw err;
  }
  const adapter = new PrismaPGlite(pglite) as unknown as SqlMigrationAwareDriverAdapterFactory;
  return wrap(
    'embedded',
    adapter,
    options,
    async () => {
      await pglite.close();
      await unlock();
    },
    () => applyMigrations(pgliteSession(pglite), migrationOptions(options)),
  );
}

async function openPostgres(options: DatabaseOptions, url: string): Promise<Database> {
  const log = options.logger.child({ component: 'db' });
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
  // An explicit pool: a connection timeout so nothing hangs on a dead server, and error listeners
  // so an idle client dropped by a database restart is logged instead of crashing the process.
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'));
  const adapter = new PrismaPg(pool, {
    onPoolError: (err) => log.warn({ err }, 'database pool error'),
    onConnectionError: (err) => log.warn({ err }, 'database connection error'),
  });
  // Migrations run on a connection of their own: BEGIN, the migration and COMMIT must share one
  // session, and it is closed afterwards.
  const migrate = async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    client.on('error', (err) => log.warn({ err }, 'migration connection failed'));
    await client.connect();
    try {
      return await applyMigrations(pgSession(client), migrationOptions(options));
    } finally {
      await client.end();
    }
  };
  return wrap('postgresql', adapter, options, () => pool.end(), migrate);
}

function migrationOptions(options: DatabaseOptions): ApplyOptions {
  return { dir: options.migrationsDir, onPhase: options.onPhase, signal: options.signal };
}

function wrap(
  kind: Database['kind'],
  adapter: SqlMigrationAwareDriverAdapterFactory,
  options: DatabaseOptions,
  closeDriver: () => Promise<void>,
  migrate: () => Promise<string[]>,
): Database {
  const prisma = new PrismaClient({
    adapter,
    log: options.onQuery ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    (prisma as unknown as { $on(e: 'query', cb: (event: { query: string }) => void): void }).$on('query', (event) =>
      onQuery(event.query),
    );
  }
  let closed = false;
  return {
    kind,
    prisma,
    migrate,
    async ping(timeoutMs = 2_000) {
      try {
        await withTimeout(prisma.$queryRawUnsafe('SELECT 1'), timeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}
