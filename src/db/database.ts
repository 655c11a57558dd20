import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import { withTimeout } from '../timeouts.js';
import { lockDataDir } from './data-dir-lock.js';
import { applyMigrations } from './migrations.js';

export type { PrismaClient };

export interface DatabaseOptions {
  /** postgresql:// URL; when absent the embedded PGlite database in `dataDir` is used. */
  url?: string | undefined;
  dataDir: string;
  logger: Logger;
  /** Called with every SQL statement Prisma sends (tests count them to catch N+1). */
  onQuery?: (sql: string) => void;
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
  let pglite: PGlite;
  try {
    pglite = new PGlite(options.dataDir);
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
    () => applyMigrations(adapter),
  );
}

async function openPostgres(options: DatabaseOptions, url: string): Promise<Database> {
  const log = options.logger.child({ component: 'db' });
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
  // The schema engine holds a session-level advisory lock while it migrates. Through the shared
  // pool, the unlock can run on another connection and leave the lock held for ever (the next
  // process to start would time out waiting). A pool of one connection, closed afterwards, keeps
  // lock and unlock on one session and ends that session when done.
  const migrate = async () => {
    const migrationPool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    migrationPool.on('error', (err) => log.warn({ err }, 'migration connection failed'));
    try {
      return await applyMigrations(new PrismaPg(migrationPool));
    } finally {
      await migrationPool.end();
    }
  };
  return wrap('postgresql', adapter, options, () => pool.end(), migrate);
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
