import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';

/**
 * The shared services of bench:replicas: a scratch PostgreSQL database (created, migrated, seeded,
 * read, dropped) next to BENCH_DATABASE_URL, and Redis at BENCH_REDIS_URL.
 */

const CONNECT_TIMEOUT_MS = 5_000;

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** "PostgreSQL 15.8 …", or throws with the reason it is unreachable. */
export async function postgresVersion(adminUrl: string): Promise<string> {
  return withClient(
    adminUrl,
    async (c) => (await c.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.split(' on ')[0]!,
  );
}

export interface RedisProbe {
  version: string;
  /** redis-server's pid (INFO server), to read its CPU from /proc. */
  pid: number;
  /** Subscribers already on the channels the replicas use: another deployment or test shares them. */
  foreignSubscribers: number;
  /** PUBLISH commands served so far (INFO commandstats), all clients. */
  publishes: number;
}

export const EVENT_CHANNELS = [
  'statuschecker:checkCompleted',
  'statuschecker:statusChanged',
  'statuschecker:serviceChanged',
  'statuschecker:checkRequested',
];

/** Connects once (no retries), or throws with the reason. */
export async function probeRedis(url: string): Promise<RedisProbe> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = await redis.info();
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const numsub = (await redis.call('PUBSUB', 'NUMSUB', ...EVENT_CHANNELS)) as (string | number)[];
    let foreignSubscribers = 0;
    for (let i = 1; i < numsub.length; i += 2) foreignSubscribers = Math.max(foreignSubscribers, Number(numsub[i]));
    const commandStats = await redis.info('commandstats');
    const publishes = Number(/^cmdstat_publish:calls=(\d+)/m.exec(commandStats)?.[1] ?? 0);
    return { version: field('redis_version') ?? '?', pid: Number(field('process_id')), foreignSubscribers, publishes };
  } finally {
    redis.disconnect();
  }
}

export interface DatabaseCounters {
  xactCommit: number;
  xactRollback: number;
  /** Rows inserted + updated + deleted. */
  rowsWritten: number;
  /** Backends connected to the bench database now. */
  backendPids: number[];
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops (if there) and creates the database, applies the migrations, inserts `services` services. */
  reset(services: number, urlPrefix: string): Promise<void>;
  /** Live lease count by owner. */
  leaseOwners(): Promise<Map<string, number>>;
  counters(): Promise<DatabaseCounters>;
  /** Rows inserted + updated + deleted so far, by table (pg_stat_user_tables of the bench database). */
  tableWrites(): Promise<Map<string, number>>;
  drop(): Promise<void>;
}

export function benchDatabase(adminUrl: string): BenchDatabase {
  const name = `sc_bench_${randomBytes(5).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = (sql: string) => withClient(adminUrl, (c) => c.query(sql));
  const drop = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined);

  return {
    name,
    url: url.toString(),
    async reset(services, urlPrefix) {
      await drop();
      await admin(`CREATE DATABASE ${name}`);
      const db = await openDatabase({ url: url.toString(), dataDir: '.', logger: createLogger('warn') });
      try {
        await db.migrate();
      } finally {
        await db.close();
      }
      // Straight into the table, before any replica starts: each loads them all at start-up.
      await withClient(url.toString(), (c) =>
        c.query(
          `INSERT INTO "Service" ("id", "name", "url", "intervalSeconds", "timeoutMs", "expectedStatus",
                                  "failureThreshold", "successThreshold", "labels", "updatedAt")
           SELECT gen_random_uuid()::text, 'bench-' || i, $1 || i, 1, 900, '200-299', 1, 1, '{}', now()
           FROM generate_series(0, $2::int - 1) AS i`,
          [urlPrefix, services],
        ),
      );
    },
    leaseOwners: () =>
      withClient(url.toString(), async (c) => {
        const { rows } = await c.query<{ owner: string; n: number }>(
          // A lease holds while its owner's heartbeat is fresh (the default LEASE_TTL_MS, 3 s).
          `SELECT l."owner", count(*)::int AS n FROM "Lease" l JOIN "Replica" r ON r."id" = l."owner"
           WHERE r."lastSeenAt" > now() - interval '3 seconds' GROUP BY l."owner"`,
        );
        return new Map(rows.map((r) => [r.owner, r.n]));
      }),
    counters: () =>
      withClient(adminUrl, async (c) => {
        const { rows } = await c.query<{ xact_commit: string; xact_rollback: string; written: string }>(
          `SELECT xact_commit, xact_rollback, tup_inserted + tup_updated + tup_deleted AS written
           FROM pg_stat_database WHERE datname = $1`,
          [name],
        );
        const pids = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [name]);
        const row = rows[0];
        return {
          xactCommit: Number(row?.xact_commit ?? Number.NaN),
          xactRollback: Number(row?.xact_rollback ?? Number.NaN),
          rowsWritten: Number(row?.written ?? Number.NaN),
          backendPids: pids.rows.map((r) => r.pid),
        };
      }),
    tableWrites: () =>
      withClient(url.toString(), async (c) => {
        const { rows } = await c.query<{ relname: string; n: string }>(
          `SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS n FROM pg_stat_user_tables`,
        );
        return new Map(rows.map((r) => [r.relname, Number(r.n)]));
      }),
    drop,
  };
}
