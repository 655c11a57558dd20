import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database.js';
import { executeOperation, executeRaw } from './graphql.js';

export interface TestApp {
  app: App;
  database: TestDatabase;
  /** Every SQL statement sent since the last reset. */
  queries: string[];
  run<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables): Promise<TData>;
  raw(query: string, variables?: Record<string, unknown>): ReturnType<typeof executeRaw>;
  close(): Promise<void>;
}

/** The app built from the same factories as main.ts, on a fresh database, executed in-process. */
export async function startTestApp(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  const loaded = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: database.dataDir,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    PORT: '0',
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const config: Config = loaded.config;
  const queries: string[] = [];
  const app = await createApp({ config, logger: createLogger(config.log.level), onQuery: (sql) => queries.push(sql) });
  const fetchFn = (url: string, init: RequestInit) => app.yoga.fetch(url, init);
  const url = 'http://localhost/graphql';
  return {
    app,
    database,
    queries,
    run: (document, variables) => executeOperation(fetchFn, url, document, variables),
    raw: (query, variables) => executeRaw(fetchFn, url, query, variables),
    async close() {
      await app.stop();
      await database.dispose();
    },
  };
}
