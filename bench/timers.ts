/**
 * bench:timers — the scheduler's timer structure, chosen by measurement.
 *
 *   npm run bench:timers [-- --jobs 10000,50000 --seconds 10 --repeat 3]
 *
 * Compares, for each job count, at intervalSeconds 1 with a no-op check:
 *   heap:      the real createScheduler (src/schedule/scheduler.ts): a binary min-heap under one setTimeout;
 *   per-timer: one setTimeout per job, re-armed for its next due time after each check (below).
 * Both do the same work around each tick (an AbortController, a promise, a result callback, a
 * concurrency cap), so the difference is the timer structure. Each case runs in its own process
 * (fresh heap, fresh JIT) and reports CPU per tick, lag p50/p99 and heap per job after GC; each
 * case is repeated (alternating the variants) and the median of each figure is compared.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createScheduler } from '../src/schedule/scheduler.js';
import {
  cpuMark,
  cpuSince,
  fmt,
  machineCoresSince,
  machineCpu,
  median,
  requireGc,
  Samples,
  settledMemory,
  sleep,
  table,
} from './support/stats.js';

type Variant = 'heap' | 'per-timer';

interface CaseResult {
  variant: Variant;
  jobs: number;
  ticksPerSec: number;
  cpuPerTickUs: number;
  cpuUtil: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  heapPerJob: number;
  /** Cores used by other processes during the window. */
  otherCores: number;
}

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000,50000' },
    seconds: { type: 'string', default: '10' },
    repeat: { type: 'string', default: '3' },
    case: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Math.min(3, Math.max(1, Math.round(SECONDS / 4)));
const INTERVAL_MS = 1_000;
/** The product's default CHECK_CONCURRENCY. */
const CONCURRENCY = 512;
/** Sub-millisecond clock for due times and lag, given to both variants (the scheduler takes `now`). */
const now = () => performance.timeOrigin + performance.now();

interface Def {
  id: string;
  name: string;
}
interface Result {
  ok: boolean;
}
const RESULT: Result = { ok: true };
const noopCheck = (_def: Def, _signal: AbortSignal): Promise<Result> => Promise.resolve(RESULT);

interface Driver {
  readonly ticks: number;
  stop(): void;
}

/** The real scheduler, as the monitor drives it. */
function startHeap(defs: Def[], lag: Samples, recording: () => boolean): Driver {
  let ticks = 0;
  const scheduler = createScheduler<Def, Result>({
    concurrency: CONCURRENCY,
    check: noopCheck,
    onResult: () => {
      ticks++;
    },
    onLag: (ms) => {
      if (recording()) lag.add(ms);
    },
    now,
  });
  for (const def of defs) scheduler.upsert(def.id, def, INTERVAL_MS);
  scheduler.start();
  return {
    get ticks() {
      return ticks;
    },
    stop: () => void scheduler.stop(0),
  };
}

interface TimerJob {
  def: Def;
  intervalMs: number;
  dueAt: number;
  timer: NodeJS.Timeout | null;
  controller: AbortController | null;
}

/**
 * The alternative, minimal but equivalent: one pending setTimeout per job; when it fires the job
 * runs (or queues for a concurrency slot), and once its check settles it is re-armed for one
 * interval after it was due (fixed rate, like the scheduler). Jobs live in a Map by id, as they
 * would to be updated or removed.
 */
function startPerTimer(defs: Def[], lag: Samples, recording: () => boolean): Driver {
  let ticks = 0;
  let running = 0;
  const jobs = new Map<string, TimerJob>();
  const waiting: TimerJob[] = [];

  const arm = (job: TimerJob) => {
    // Whole milliseconds, as with Date.now(): Node keeps one timer list per distinct duration.
    job.timer = setTimeout(fire, Math.max(1, Math.ceil(job.dueAt - now())), job);
  };
  const fire = (job: TimerJob) => {
    job.timer = null;
    if (running >= CONCURRENCY) waiting.push(job);
    else launch(job);
  };
  const launch = (job: TimerJob) => {
    const t = now();
    if (recording()) lag.add(Math.max(0, t - job.dueAt));
    running++;
    const controller = new AbortController();
    job.controller = controller;
    noopCheck(job.def, controller.signal).then(
      () => finish(job, true),
      () => finish(job, false),
    );
  };
  const finish = (job: TimerJob, ok: boolean) => {
    running--;
    job.controller = null;
    if (ok) ticks++;
    job.dueAt = Math.max(job.dueAt + job.intervalMs, now());
    arm(job);
    while (running < CONCURRENCY && waiting.length > 0) launch(waiting.shift()!);
  };

  const t0 = now();
  for (const def of defs) {
    const job: TimerJob = {
      def,
      intervalMs: INTERVAL_MS,
      dueAt: t0 + Math.random() * INTERVAL_MS,
      timer: null,
      controller: null,
    };
    jobs.set(def.id, job);
    arm(job);
  }
  return {
    get ticks() {
      return ticks;
    },
    stop() {
      for (const job of jobs.values()) if (job.timer) clearTimeout(job.timer);
    },
  };
}

async function runCase(variant: Variant, jobs: number): Promise<CaseResult> {
  requireGc();
  const lag = new Samples(jobs * SECONDS * 1.5);
  let recording = false;
  // Definitions exist whatever the timer structure: made before the baseline, not counted per job.
  const defs: Def[] = Array.from({ length: jobs }, (_, i) => ({ id: `job-${i}`, name: `bench-${i}` }));
  const before = await settledMemory();
  const driver = (variant === 'heap' ? startHeap : startPerTimer)(defs, lag, () => recording);
  await sleep(WARMUP_SECONDS * 1000);
  const ticks0 = driver.ticks;
  const mark = cpuMark();
  const machine = machineCpu();
  recording = true;
  await sleep((SECONDS - WARMUP_SECONDS) * 1000);
  recording = false;
  const span = cpuSince(mark);
  const machineCores = machineCoresSince(machine);
  const ticks = driver.ticks - ticks0;
  const after = await settledMemory();
  driver.stop();
  const [p50, p99] = lag.percentiles(50, 99);
  return {
    variant,
    jobs,
    ticksPerSec: (ticks / span.wallMs) * 1000,
    cpuPerTickUs: (span.cpuMs * 1000) / ticks,
    cpuUtil: span.cpuMs / span.wallMs,
    lagP50: p50!,
    lagP99: p99!,
    lagMax: lag.max(),
    heapPerJob: (after.heapUsed - before.heapUsed) / jobs,
    otherCores: Math.max(0, machineCores - span.cpuMs / span.wallMs),
  };
}

function runInChild(variant: Variant, jobs: number): Promise<CaseResult> {
  const script = fileURLToPath(import.meta.url);
  const child = fork(script, ['--case', `${variant}:${jobs}`, '--seconds', String(SECONDS)], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: CaseResult) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${variant} ${jobs}: child exited with ${code}`)));
  });
}

/** Which variant has the lower figure (a: heap, b: per-timer); a tie within 5%. */
function winner(a: number, b: number, ratio: number): string {
  const r = `(${fmt.fixed(ratio, 2)}×)`;
  if (Math.abs(a - b) <= 0.05 * Math.max(Math.abs(a), Math.abs(b))) return `tie ${r}`;
  return `${a < b ? 'heap' : 'per-timer'} ${r}`;
}

async function main(): Promise<void> {
  if (args.case) {
    const [variant, jobs] = args.case.split(':') as [Variant, string];
    const result = await runCase(variant, Number(jobs));
    process.send!(result);
    process.exit(0);
  }
  requireGc();
  const counts = args.jobs.split(',').map(Number);
  const repeat = Math.max(1, Number(args.repeat));
  console.log(
    `bench:timers — heap scheduler vs one setTimeout per job; interval 1 s, no-op check, ${SECONDS} s per case ` +
      `(${WARMUP_SECONDS} s warm-up excluded), each case ${repeat}× (median shown)`,
  );
  console.log(
    `  node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '  each run in its own process; lag = start - due on a sub-ms clock; heap per job = heapUsed delta after GC ÷ jobs;',
  );
  console.log('  "others" = cores used by other processes during the window (above ~0.1 the machine was shared)');
  const runs: CaseResult[] = [];
  for (const jobs of counts) {
    for (let r = 0; r < repeat; r++) {
      const order: Variant[] = r % 2 === 0 ? ['heap', 'per-timer'] : ['per-timer', 'heap'];
      for (const variant of order) {
        const x = await runInChild(variant, jobs);
        runs.push(x);
        console.log(
          `  ${variant.padEnd(9)} ${fmt.int(jobs).padStart(6)} jobs, run ${r + 1}: ${fmt.int(x.ticksPerSec)} ticks/s, CPU ${fmt.fixed(x.cpuPerTickUs, 2)} µs/tick ` +
            `(${fmt.pct(x.cpuUtil)} of a core), lag p50/p99/max ${fmt.ms(x.lagP50)}/${fmt.ms(x.lagP99)}/${fmt.ms(x.lagMax)} ms, ` +
            `heap ${fmt.int(x.heapPerJob)} B/job, others ${fmt.fixed(x.otherCores, 2)} cores`,
        );
      }
    }
  }
  const results: (CaseResult & { cpuMin: number; cpuMax: number })[] = [];
  for (const jobs of counts) {
    for (const variant of ['heap', 'per-timer'] as const) {
      const mine = runs.filter((x) => x.variant === variant && x.jobs === jobs);
      const m = (pick: (x: CaseResult) => number) => median(mine.map(pick));
      results.push({
        variant,
        jobs,
        ticksPerSec: m((x) => x.ticksPerSec),
        cpuPerTickUs: m((x) => x.cpuPerTickUs),
        cpuUtil: m((x) => x.cpuUtil),
        lagP50: m((x) => x.lagP50),
        lagP99: m((x) => x.lagP99),
        lagMax: m((x) => x.lagMax),
        heapPerJob: m((x) => x.heapPerJob),
        otherCores: m((x) => x.otherCores),
        cpuMin: Math.min(...mine.map((x) => x.cpuPerTickUs)),
        cpuMax: Math.max(...mine.map((x) => x.cpuPerTickUs)),
      });
    }
  }
  console.log('');
  console.log(`Medians of ${repeat} runs`);
  console.log(
    table([
      [
        'structure',
        'jobs',
        'ticks/s',
        'CPU µs/tick',
        '(min-max)',
        'CPU/core',
        'lag p50 ms',
        'lag p99 ms',
        'lag max ms',
        'heap B/job',
        'others',
      ],
      ...results.map((r) => [
        r.variant,
        fmt.int(r.jobs),
        fmt.int(r.ticksPerSec),
        fmt.fixed(r.cpuPerTickUs, 2),
        `${fmt.fixed(r.cpuMin, 2)}-${fmt.fixed(r.cpuMax, 2)}`,
        fmt.pct(r.cpuUtil),
        fmt.ms(r.lagP50),
        fmt.ms(r.lagP99),
        fmt.ms(r.lagMax),
        fmt.int(r.heapPerJob),
        fmt.fixed(r.otherCores, 2),
      ]),
    ]),
  );
  console.log('');
  const verdictRows: string[][] = [['jobs', 'CPU per tick', 'lag p99', 'heap per job']];
  let heapWins = 0;
  let timerWins = 0;
  for (const jobs of counts) {
    const h = results.find((r) => r.variant === 'heap' && r.jobs === jobs)!;
    const t = results.find((r) => r.variant === 'per-timer' && r.jobs === jobs)!;
    const row = [
      winner(h.cpuPerTickUs, t.cpuPerTickUs, h.cpuPerTickUs / t.cpuPerTickUs),
      winner(h.lagP99, t.lagP99, h.lagP99 / t.lagP99),
      winner(h.heapPerJob, t.heapPerJob, h.heapPerJob / t.heapPerJob),
    ];
    for (const w of row) {
      if (w.startsWith('heap')) heapWins++;
      if (w.startsWith('per-timer')) timerWins++;
    }
    verdictRows.push([fmt.int(jobs), ...row]);
  }
  console.log('Winner by median (lower is better; "tie" when within 5%; ratio = heap ÷ per-timer)');
  console.log(table(verdictRows, [0, 1, 2, 3]));
  console.log('');
  console.log(
    heapWins === timerWins
      ? `overall: no clear winner (${heapWins} comparisons each)`
      : `overall: ${heapWins > timerWins ? 'the heap under one timer' : 'one timer per job'} wins ${Math.max(heapWins, timerWins)} of ${heapWins + timerWins} decided comparisons ` +
          `(${heapWins} heap, ${timerWins} per-timer, ${counts.length * 3 - heapWins - timerWins} ties)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
