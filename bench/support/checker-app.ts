import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import '../../src/v8-flags.js'; // as main.ts: the same V8 settings as the server
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { Samples } from './stats.js';

export interface BenchApp {
  app: App;
  /** "embedded PGlite (in-process)" or "PostgreSQL (…)" */
  database: string;
  stop(): Promise<void>;
}

export const usingPostgres = () => Boolean(process.env.DATABASE_URL);

export function databaseDescription(): string {
  if (!usingPostgres())
    return 'embedded PGlite in a temporary DATA_DIR (runs in-process: its CPU and heap are part of the checker figures)';
  const url = new URL(process.env.DATABASE_URL!);
  return `PostgreSQL at ${url.host} (DATABASE_URL; a scratch database per phase; the server's CPU is not counted)`;
}

/**
 * The real app (createApp, as main.ts builds it) on a fresh database: a temporary PGlite
 * directory, or a scratch database created next to DATABASE_URL and dropped afterwards.
 * The HTTP server listens on a free port of 127.0.0.1; the scheduler and history run.
 */
export async function startBenchApp(env: Record<string, string>): Promise<BenchApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-bench-'));
  const scratch = usingPostgres() ? await createScratchDatabase(process.env.DATABASE_URL!) : undefined;
  const loaded = loadConfig({
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(process.env.CHECK_CONCURRENCY ? { CHECK_CONCURRENCY: process.env.CHECK_CONCURRENCY } : {}),
    DATA_DIR: dataDir,
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    HOST: '127.0.0.1',
    PORT: '0',
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const app = await createApp({ config: loaded.config, logger: createLogger(loaded.config.log.level) });
  await app.listen();
  return {
    app,
    database: databaseDescription(),
    async stop() {
      await app.stop();
      await scratch?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Registers services `from`..`to-1` through the registry (the path a GraphQL mutation takes), a few at a time. */
export async function registerServices(
  app: App,
  from: number,
  to: number,
  url: (i: number) => string,
  intervalSeconds: number,
): Promise<void> {
  let next = from;
  const worker = async () => {
    for (let i = next++; i < to; i = next++) {
      await app.testing.registry.register({
        name: `bench-${i}`,
        url: url(i),
        intervalSeconds,
        timeoutMs: Math.min(5_000, intervalSeconds * 1000 - 100),
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/**
 * Records every schedule lag sample into `samples` while `recording()` is true. The app wires the
 * scheduler's onLag to `metrics.schedulerLag.observe(seconds)` and looks the method up on each
 * call, so wrapping it on this instance sees exactly what the histogram sees; product code is
 * untouched and the histogram still gets every observation.
 */
export function tapSchedulerLag(app: App, samples: Samples, recording: () => boolean): void {
  const histogram = app.testing.metrics.schedulerLag;
  const observe = histogram.observe.bind(histogram) as (value: number) => void;
  (histogram as unknown as { observe(value: number): void }).observe = (value: number) => {
    if (recording()) samples.add(value * 1000);
    observe(value);
  };
}

/** Checks completed so far, from the app's own statuschecker_checks_total counts. */
export async function checksCompleted(app: App): Promise<{ total: number; failed: number }> {
  let total = 0;
  let failed = 0;
  for (const [outcome, value] of app.testing.metrics.services.outcomeTotals()) {
    total += value;
    if (outcome !== 'success' && outcome !== 'degraded') failed += value;
  }
  return { total, failed };
}

async function createScratchDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `statuschecker_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      // The app's pool has been ended; give its connections a moment to go before forcing the rest.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
