/**
 * `npm run bench:startup [-- --rounds 3 --no-postgres --no-npm]`: how long from starting the server to
 * its first `/readyz` 200, with 0 services, as a user would see it:
 *   - `node dist/main.js` on an empty DATA_DIR (first start) and on the same one again (later);
 *   - the same on PostgreSQL (a scratch database next to BENCH_DATABASE_URL, default
 *     postgresql://postgres@127.0.0.1:5432/test): a fresh database, then the migrated one;
 *   - `npm start` on an existing DATA_DIR (what npm and its prestart add when dist/ is current).
 * Each is a real process; the time runs from spawn to the 200. Medians and minimums of the rounds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type ProcessHandle, spawnServer, startServerWithNpm, stopAllServers } from '../test/support/server-process.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'no-postgres': { type: 'boolean', default: false },
    'no-npm': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const GOALS: Record<string, number> = { first: 2_000, later: 1_000 };

/** Milliseconds from spawning `start()` to the first /readyz 200; the server is stopped afterwards. */
async function timeToReady(start: () => Promise<ProcessHandle>): Promise<number> {
  const began = performance.now();
  const handle = await start();
  const listening = await handle.waitForLog((r) => r.msg === 'listening' && typeof r.url === 'string', 60_000);
  const origin = new URL(listening.url as string).origin;
  for (;;) {
    const res = await fetch(`${origin}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const took = performance.now() - began;
  const code = await handle.stop('SIGTERM');
  if (code !== 0) throw new Error(`exit ${code} after SIGTERM\n${handle.output()}`);
  return took;
}

const results = new Map<string, number[]>();
const record = (name: string, ms: number) => {
  results.set(name, [...(results.get(name) ?? []), ms]);
  console.log(`  ${name}: ${ms.toFixed(0)} ms`);
};

for (let round = 1; round <= ROUNDS; round++) {
  console.log(`round ${round}/${ROUNDS}`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-bench-startup-'));
  try {
    record('embedded first', await timeToReady(() => spawnServer({ env: { DATA_DIR: dataDir } })));
    record('embedded later', await timeToReady(() => spawnServer({ env: { DATA_DIR: dataDir } })));
    if (!values['no-npm']) {
      record('embedded later, npm start', await timeToReady(() => startServerWithNpm({ env: { DATA_DIR: dataDir } })));
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  if (!values['no-postgres']) {
    const url = new URL(DATABASE_URL);
    url.pathname = `/sc_bench_startup_${randomBytes(5).toString('hex')}`;
    const name = url.pathname.slice(1);
    await admin(`CREATE DATABASE ${name}`);
    try {
      record('postgresql first', await timeToReady(() => spawnServer({ env: { DATABASE_URL: url.toString() } })));
      record('postgresql later', await timeToReady(() => spawnServer({ env: { DATABASE_URL: url.toString() } })));
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }
}
await stopAllServers();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(`\nbench:startup — ${ROUNDS} rounds, 0 services, ${os.cpus().length} cores, Node ${process.version}`);
console.log('| start | median ms | min ms | max ms | goal |');
console.log('| ----- | --------: | -----: | -----: | ---- |');
for (const [name, xs] of results) {
  const kind = name.includes('first') ? 'first' : 'later';
  const goal = GOALS[kind]!;
  const verdict = name.includes('npm') ? '' : `≤ ${goal} ms ${median(xs) <= goal ? 'PASS' : 'MISS'}`;
  console.log(
    `| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${verdict} |`,
  );
}
