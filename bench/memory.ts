/**
 * `npm run bench:memory [-- --services 0,2000,10000 --settle-seconds 15]`: the process's memory after
 * a forced GC, with the real app (createApp, as main.ts builds it) checking N services at 1 s
 * against a local keep-alive target, on embedded PGlite or, with DATABASE_URL, PostgreSQL (a
 * scratch database). Each N runs in a process of its own (PGlite's WASM memory is never given
 * back, so one process would carry each run's into the next); run once per database kind. RSS, V8 heap used, external and array buffers, in MiB.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { databaseDescription, registerServices, startBenchApp } from './support/checker-app.js';
import { startTarget } from './support/target.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '0,2000,10000' },
    'settle-seconds': { type: 'string', default: '15' },
  },
});
const COUNTS = values.services.split(',').map(Number);
const SETTLE_MS = Number(values['settle-seconds']) * 1000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory does)');

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const rows: string[] = [];
if (COUNTS.length > 1) {
  for (const count of COUNTS) {
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        '--services',
        String(count),
        '--settle-seconds',
        String(SETTLE_MS / 1000),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const row = child.stdout.split('\n').find((l) => l.startsWith(`| ${count} |`));
    if (!row) throw new Error(`no figures for ${count} services:\n${child.stdout}`);
    console.log(row);
    rows.push(row);
  }
} else {
  const target = await startTarget();
  try {
    for (const count of COUNTS) {
      const bench = await startBenchApp({ CHECK_CONCURRENCY: '2000' });
      try {
        await registerServices(bench.app, 0, count, (i) => target.url(i), 1);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        gc();
        await new Promise((resolve) => setTimeout(resolve, 100));
        gc();
        const m = process.memoryUsage();
        const row = `| ${count} | ${mib(m.rss)} | ${mib(m.heapUsed)} | ${mib(m.external)} | ${mib(m.arrayBuffers)} |`;
        console.log(row);
        rows.push(row);
      } finally {
        await bench.stop();
      }
    }
  } finally {
    await target.stop();
  }
}
console.log(`\nbench:memory — ${databaseDescription()}, services at 1 s, after GC, MiB`);
console.log('| services | RSS | heap used | external | array buffers |');
console.log('| -------: | --: | --------: | -------: | ------------: |');
for (const row of rows) console.log(row);
