import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type App, type AppOptions, createApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database.js';
import { executeOperation, executeRaw } from './graphql.js';

/**
 * Statements the app sends on its own schedule (lease rounds, states loaded for services taken over,
 * history writes, the database watch, the notification outbox's claims and sweeps), which a test counting the statements of one request must
 * leave out. (A request never reads "LastKnownState": state comes from the cache.)
 */
const BACKGROUND =
  /"Lease"|"Replica"|"LastKnownState"|INSERT INTO "(StatusChange|CheckRollup)"|^SELECT 1$|"NotificationFlap"|^WITH due AS \(|^(BEGIN|COMMIT|ROLLBACK)$/;

export function requestStatements(queries: readonly string[]): string[] {
  return queries.filter((sql) => !BACKGROUND.test(sql.trim()));
}

export interface TestApp {
  app: App;
  database: TestDatabase;
  /** http://127.0.0.1:<port> when started with `listen: true`. */
  baseUrl: string;
  /** Every SQL statement sent since the last reset. */
  queries: string[];
  run<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables): Promise<TData>;
  raw(query: string, variables?: Record<string, unknown>): ReturnType<typeof executeRaw>;
  /** Stops the app; the database stays (see `dispose`). */
  stop(): Promise<void>;
  /** Stops the app and drops its database. */
  close(): Promise<void>;
}

export interface TestAppOptions extends Pick<AppOptions, 'now' | 'prober' | 'notify' | 'heartbeatPollMs'> {
  env?: Record<string, string>;
  /** Reuse this database (a restart) instead of creating a fresh one. */
  database?: TestDatabase;
  /** Also listen on a free port of 127.0.0.1 (for /metrics, /readyz, WebSockets). */
  listen?: boolean;
}

/**
 * The app built from the same factories as main.ts, on a fresh database (or a given one),
 * executed in-process through yoga.fetch. Checks run; the HTTP server does not listen.
 */
export async function startTestApp(kind: DatabaseKind, options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(kind));
  const loaded = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: database.dataDir,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    PORT: '0',
    NODE_ENV: 'test',
    ...options.env,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const config: Config = loaded.config;
  const queries: string[] = [];
  const app = await createApp({
    config,
    logger: createLogger(config.log.level),
    onQuery: (sql) => queries.push(sql),
    now: options.now,
    prober: options.prober,
    notify: options.notify,
    heartbeatPollMs: options.heartbeatPollMs,
  });
  let baseUrl = '';
  if (options.listen) {
    baseUrl = `http://127.0.0.1:${await app.listen()}`;
  } else {
    app.start();
  }
  const fetchFn = (url: string, init: RequestInit) => app.fetch(url, init);
  const url = 'http://localhost/graphql';
  return {
    app,
    database,
    baseUrl,
    queries,
    run: (document, variables) => executeOperation(fetchFn, url, document, variables),
    raw: (query, variables) => executeRaw(fetchFn, url, query, variables),
    stop: () => app.stop(),
    async close() {
      await app.stop();
      await database.dispose();
    },
  };
}
