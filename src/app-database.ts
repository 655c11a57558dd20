import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import type { Logger } from './logger.js';

export interface MigratedDatabase {
  db: Database;
  /** Where every Prisma statement is reported from now on (the app's metrics, a test's counter). */
  onQuery(listener: (sql: string) => void): void;
}

/**
 * Opens the database and brings its schema up to date; a failed migration, or a stop requested
 * meanwhile, closes it again. A module of its own, light to import, so that main.ts can start it
 * before the rest of the app has loaded.
 */
export async function openMigratedDatabase(
  config: Config,
  logger: Logger,
  signal?: AbortSignal | undefined,
): Promise<MigratedDatabase> {
  let listener: ((sql: string) => void) | undefined;
  const db = await openDatabase({
    url: config.database.url,
    dataDir: config.database.dataDir,
    logger,
    signal,
    onQuery: (sql) => listener?.(sql),
  });
  try {
    const applied = await db.migrate();
    logger
      .child({ component: 'app' })
      .info({ database: db.kind, applied }, applied.length ? 'migrations applied' : 'database schema up to date');
    signal?.throwIfAborted();
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    db,
    onQuery: (next) => {
      listener = next;
    },
  };
}
