/**
 * bench:replicas — aggregate checks/s with 1, 2 and 3 replicas on one PostgreSQL and one Redis, and
 * what each check costs the database.
 *
 *   npm run bench:replicas [-- --services 2000 --seconds 20 --replicas 1,2,3 --large-services auto|0|N
 *                             --warmup 4 --concurrency 512]
 *
 * PostgreSQL and Redis: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test; a
 * scratch database sc_bench_<random> is created next to it and dropped at the end) and
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379). For each replica count R: a fresh database
 * with N services at intervalSeconds 1 inserted into "Service", R real servers (`node dist/main.js`,
 * built once), wait until the leases are spread and a warm-up has passed, then measure a window.
 * If the largest replica count kept up with N, the series is repeated with a larger N so that the
 * point where aggregate throughput stops growing shows.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { eventually, WaitTimedOut } from '../test/support/wait.js';
import { type BenchDatabase, benchDatabase, postgresVersion, probeRedis } from './support/replicas-database.js';
import { lagP99Bound, leaseChurn, type ReplicaMetrics, scrapeReplica } from './support/replicas-metrics.js';
import { cpuDelta, cpuSnapshot, loadAverage, processesNamed } from './support/replicas-proc.js';
import { killAllReplicas, type Replica, startReplica } from './support/replicas-process.js';
import { printReport, type Step, sum } from './support/replicas-report.js';
import { fmt, machineCoresSince, machineCpu, sleep } from './support/stats.js';
import { startTarget, type Target } from './support/target.js';

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    replicas: { type: 'string', default: '1,2,3' },
    'large-services': { type: 'string', default: 'auto' },
    warmup: { type: 'string', default: '4' },
    concurrency: { type: 'string' },
  },
});
const SERVICES = Number(args.services);
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args.warmup);
const REPLICA_COUNTS = args.replicas.split(',').map(Number);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = args.concurrency ?? process.env.CHECK_CONCURRENCY;
/** Leases should be spread within this long after the replicas answer; if not, the output says so (a bug) and measures anyway. */
const SPREAD_TIMEOUT_MS = 30_000;
/** "Kept up": at least this share of the offered checks per second completed. */
const KEPT_UP = 0.97;
/** The larger N of the automatic second series stays below this (the /metrics scrape alone grows with N). */
const MAX_LARGE_SERVICES = 12_000;

if (
  ![SERVICES, SECONDS, WARMUP_SECONDS].every((n) => Number.isFinite(n) && n > 0) ||
  REPLICA_COUNTS.some((r) => !Number.isInteger(r) || r < 1)
) {
  console.error(
    'usage: npm run bench:replicas -- [--services N] [--seconds S] [--replicas 1,2,3] [--large-services auto|0|N] [--warmup S]',
  );
  process.exit(2);
}

const out = (line = '') => console.log(line);

async function main() {
  out(
    `bench:replicas — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadAverage()}`,
  );
  let redisPid: number;
  try {
    out(`PostgreSQL: ${await postgresVersion(DATABASE_URL)} at ${new URL(DATABASE_URL).host}`);
  } catch (err) {
    fail(`PostgreSQL is not reachable at ${redact(DATABASE_URL)} (set BENCH_DATABASE_URL): ${(err as Error).message}`);
  }
  try {
    const redis = await probeRedis(REDIS_URL);
    redisPid = redis.pid;
    out(`Redis: ${redis.version} at ${new URL(REDIS_URL).host} (pid ${redis.pid})`);
  } catch (err) {
    fail(`Redis is not reachable at ${redact(REDIS_URL)} (set BENCH_REDIS_URL): ${(err as Error).message}`);
  }
  build();

  const target = await startTarget();
  const db = benchDatabase(DATABASE_URL);
  out(`target: node:http keep-alive on 127.0.0.1:${target.port} (pid ${target.pid}); scratch database ${db.name}`);
  out(
    `each step: fresh database, N services at 1 s inserted into "Service", R × node dist/main.js ` +
      `(LOG_LEVEL=warn${CONCURRENCY ? `, CHECK_CONCURRENCY=${CONCURRENCY}` : ''}), leases spread + ${WARMUP_SECONDS} s warm-up, ${SECONDS} s window`,
  );
  out();
  const abort = () => {
    killAllReplicas();
    void db.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);

  const steps: Step[] = [];
  try {
    for (const r of REPLICA_COUNTS) steps.push(await runStep(r, SERVICES, target, db, redisPid!));
    const large = largerServices(steps);
    if (large) {
      out(`\n${large.reason}: the same series with ${fmt.int(large.services)} services\n`);
      for (const r of REPLICA_COUNTS) steps.push(await runStep(r, large.services, target, db, redisPid!));
    }
  } finally {
    killAllReplicas();
    await target.stop();
    await db.drop();
  }
  printReport(steps, out);
}

function build() {
  const started = performance.now();
  const result = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (result.status !== 0) fail(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  out(`npm run build: ${fmt.fixed((performance.now() - started) / 1000)} s`);
}

async function runStep(
  replicaCount: number,
  services: number,
  target: Target,
  db: BenchDatabase,
  redisPid: number,
): Promise<Step> {
  const load = loadAverage();
  const label = `[${replicaCount} replica${replicaCount > 1 ? 's' : ''}, ${fmt.int(services)} services]`;
  const setupStart = performance.now();
  await db.reset(services, `http://127.0.0.1:${target.port}/ok?i=`);
  const foreignSubscribers = (await probeRedis(REDIS_URL)).foreignSubscribers;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL,
    ...(CONCURRENCY ? { CHECK_CONCURRENCY: CONCURRENCY } : {}),
  };
  const replicas = await Promise.all(
    Array.from({ length: replicaCount }, (_, i) => startReplica(`bench-${i + 1}`, env)),
  );
  let measured: Measured;
  let stopped: Awaited<ReturnType<Replica['stop']>>[];
  try {
    const setupMs = performance.now() - setupStart;
    const spreadMs = await waitForSpread(db, replicas, services);
    const spread = Number.isNaN(spreadMs)
      ? 'leases NOT spread'
      : `leases spread ${fmt.fixed(spreadMs / 1000)} s after start-up`;
    out(`${label} load ${load}; setup ${fmt.fixed(setupMs / 1000)} s; ${spread}; measuring ${SECONDS} s`);
    await sleep(WARMUP_SECONDS * 1000);
    measured = { ...(await measure(replicas, services, target, db, redisPid)), spreadMs };
  } finally {
    stopped = await Promise.all(replicas.map((r) => r.stop()));
  }
  return {
    ...measured,
    replicas: replicaCount,
    services,
    load,
    foreignSubscribers,
    stopMs: Math.max(...stopped.map((s) => s.ms)),
    exits: stopped.map((s) => s.signal ?? String(s.code)),
    problems: summariseProblems(replicas),
  };
}

/** Every replica holds about its share and every service is leased; resolves with how long that took, or NaN. */
async function waitForSpread(db: BenchDatabase, replicas: Replica[], services: number): Promise<number> {
  const started = performance.now();
  const least = Math.floor(services / replicas.length) - replicas.length - 1;
  let owners = new Map<string, number>();
  const spread = async () => {
    owners = await db.leaseOwners();
    const total = [...owners.values()].reduce((a, b) => a + b, 0);
    return total === services && replicas.every((r) => (owners.get(r.id) ?? 0) >= least) ? true : undefined;
  };
  try {
    await eventually(spread, SPREAD_TIMEOUT_MS, 'the leases to spread', { intervalMs: 250 });
    return performance.now() - started;
  } catch (err) {
    if (!(err instanceof WaitTimedOut)) throw err;
    out(
      `  LEASES NOT SPREAD after ${SPREAD_TIMEOUT_MS / 1000} s: ${JSON.stringify(Object.fromEntries(owners))} of ${services} (measuring anyway)`,
    );
    return Number.NaN;
  }
}

type Measured = Omit<Step, 'replicas' | 'services' | 'load' | 'foreignSubscribers' | 'stopMs' | 'exits' | 'problems'>;

async function measure(
  replicas: Replica[],
  services: number,
  target: Target,
  db: BenchDatabase,
  redisPid: number,
): Promise<Omit<Measured, 'spreadMs'>> {
  const ownPids = [...replicas.map((r) => r.pid), redisPid, target.pid];
  const m0 = await Promise.all(replicas.map((r) => scrapeReplica(r.url)));
  // A scrape holds the replica's event loop (MBs of per-service series): let the checks it delayed
  // run before the CPU, target and database window opens.
  await sleep(Math.max(1_000, 2 * Math.max(...m0.map((m) => m.scrapeMs))));
  const pg0 = processesNamed('postgres');
  const c0 = await db.counters();
  const w0 = await db.tableWrites();
  const t0 = await target.stats();
  const r0 = await probeRedis(REDIS_URL);
  const cpu0 = cpuSnapshot([...ownPids, ...pg0]);
  const bench0 = process.cpuUsage();
  const machine0 = machineCpu();
  const start = performance.now();

  await sleep(SECONDS * 1000);

  const pg1 = processesNamed('postgres');
  const cpu1 = cpuSnapshot([...ownPids, ...pg1]);
  const machineCores = machineCoresSince(machine0);
  const bench = process.cpuUsage(bench0);
  const wallS = (performance.now() - start) / 1000;
  const c1 = await db.counters();
  const w1 = await db.tableWrites();
  const t1 = await target.stats();
  const r1 = await probeRedis(REDIS_URL);
  const m1 = await Promise.all(replicas.map((r) => scrapeReplica(r.url)));

  const perSecond = (ms: number) => ms / wallS;
  const cpuOf = (pids: number[]) => cpuDelta(pick(cpu0, pids), pick(cpu1, pids));
  const replicaCpu = replicas.map((r) => perSecond(cpuOf([r.pid]).ms));
  const postgres = cpuOf([...new Set([...pg0, ...pg1])]);
  const backends = cpuOf([...new Set([...c0.backendPids, ...c1.backendPids])]);
  const redisCpu = perSecond(cpuOf([redisPid]).ms);
  const targetCpu = perSecond(cpuOf([target.pid]).ms);
  const benchCpu = (bench.user + bench.system) / 1000 / wallS;
  const rate = (i: number, f: (m: ReplicaMetrics) => number) =>
    ((f(m1[i]!) - f(m0[i]!)) / (m1[i]!.at - m0[i]!.at)) * 1000;
  const perReplicaChecks = replicas.map((_, i) => rate(i, (m) => m.checks));
  const checksPerSec = sum(perReplicaChecks);
  const statementsPerSec = sum(replicas.map((_, i) => rate(i, (m) => m.dbStatements)));
  const ours = sum(replicaCpu) + perSecond(postgres.ms) + redisCpu + targetCpu + benchCpu;
  const step = {
    checksPerSec,
    perReplicaChecks,
    failedPerSec: sum(replicas.map((_, i) => rate(i, (m) => m.failed))),
    targetPerSec: (t1.requests - t0.requests) / wallS,
    lagP99: replicas.map((_, i) => lagP99Bound(m0[i]!, m1[i]!)),
    replicaCpu,
    postgresCpu: perSecond(postgres.ms),
    postgresProcesses: `${postgres.counted} processes${postgres.appeared || postgres.vanished ? `, ${postgres.appeared} born / ${postgres.vanished} ended in the window` : ''}`,
    benchBackendsCpu: perSecond(backends.ms),
    redisCpu,
    targetCpu,
    benchCpu,
    machineCores,
    otherCores: Math.max(0, machineCores - ours / 1000),
    statementsPerCheck: statementsPerSec / checksPerSec,
    statementsPerSec,
    xactPerSec: (c1.xactCommit - c0.xactCommit) / wallS,
    rowsWrittenPerSec: (c1.rowsWritten - c0.rowsWritten) / wallS,
    tableRows: [...w1]
      .map(([table, n]): [string, number] => [table, (n - (w0.get(table) ?? 0)) / wallS])
      .filter(([, perSec]) => perSec > 0)
      .sort((a, b) => b[1] - a[1]),
    scrapeMs: Math.max(...m0.map((m) => m.scrapeMs), ...m1.map((m) => m.scrapeMs)),
    publishesPerSec: (r1.publishes - r0.publishes) / wallS,
    owned: m1.map((m) => m.owned),
    churn: sum(replicas.map((_, i) => leaseChurn(m0[i]!, m1[i]!))),
    fenced: sum(m1.map((m, i) => m.fencedWrites - m0[i]!.fencedWrites)),
    dropped: sum(m1.map((m, i) => m.historyDropped - m0[i]!.historyDropped)),
  };
  out(
    `  checks/s ${fmt.int(checksPerSec)} of ${fmt.int(services)} offered (${perReplicaChecks.map((c) => fmt.int(c)).join(' + ')}), ` +
      `target ${fmt.int(step.targetPerSec)} req/s; failed ${fmt.fixed(step.failedPerSec)}/s; owned ${step.owned.join('/')}; ` +
      `lease changes in window ${step.churn}; fenced rows ${step.fenced}`,
  );
  out(
    `  CPU ms/s: replicas ${replicaCpu.map((c) => fmt.int(c)).join(' / ')}, postgres ${fmt.int(step.postgresCpu)} ` +
      `(${step.postgresProcesses}; bench-db backends ${fmt.int(step.benchBackendsCpu)}), redis ${fmt.int(redisCpu)}, target ${fmt.int(targetCpu)}, ` +
      `this process ${fmt.int(benchCpu)}; machine ${fmt.fixed(machineCores, 2)} cores busy, ${fmt.fixed(step.otherCores, 2)} of them others'`,
  );
  out(
    `  database: ${fmt.fixed(statementsPerSec)} statements/s (${fmt.fixed(step.statementsPerCheck, 4)} per check), ` +
      `${fmt.fixed(step.xactPerSec)} xact/s, ${fmt.int(step.rowsWrittenPerSec)} rows written/s ` +
      `(${step.tableRows.map(([t, n]) => `"${t}" ${fmt.int(n)}`).join(', ')}); redis PUBLISH ${fmt.fixed(step.publishesPerSec)}/s; ` +
      `/metrics ${fmt.fixed(m1[0]!.bytes / 1e6)} MB, scrape up to ${fmt.int(step.scrapeMs)} ms`,
  );
  return step;
}

function summariseProblems(replicas: Replica[]): string[] {
  const counts = new Map<string, number>();
  for (const r of replicas) {
    for (const p of r.problems) {
      const key = `${p.level >= 50 ? 'error' : 'warn'}: ${p.msg}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(([msg, n]) => `${n} × ${msg}`);
}

/** A second series when the largest replica count kept up with N (the limit of the aggregate was not reached). */
function largerServices(done: Step[]): { services: number; reason: string } | null {
  const setting = args['large-services'];
  if (setting === '0') return null;
  if (setting !== 'auto') return { services: Number(setting), reason: '--large-services' };
  const top = done.at(-1)!;
  const one = done.find((s) => s.replicas === 1) ?? done[0]!;
  if (top.checksPerSec < KEPT_UP * top.services) return null;
  // Enough for one replica's event loop to fall behind: what one core of it would sustain, and more.
  const perCore = one.checksPerSec / Math.max(0.05, one.replicaCpu[0]! / 1000);
  const services = Math.min(MAX_LARGE_SERVICES, Math.max(2 * SERVICES, Math.ceil((1.2 * perCore) / 1000) * 1000));
  return {
    services,
    reason: `${top.replicas} replica(s) kept up with ${fmt.int(top.services)} checks/s, so the limit was not reached (one replica: ~${fmt.int(perCore)} checks per CPU-second)`,
  };
}

const pick = (snapshot: Map<number, number>, pids: number[]) =>
  new Map(pids.filter((p) => snapshot.has(p)).map((p) => [p, snapshot.get(p)!]));
const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

function fail(message: string): never {
  console.error(`bench:replicas: ${message}`);
  process.exit(1);
}

await main().catch((err: unknown) => {
  killAllReplicas();
  console.error('bench:replicas failed:', err);
  process.exit(1);
});
