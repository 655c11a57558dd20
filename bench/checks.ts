/**
 * bench:checks — what one checker process sustains, against a local target in its own process.
 *
 *   npm run bench:checks [-- --services 2000 --seconds 30 --step-seconds 10 --idle-services 10000
 *                           --phases keep-alive,bare,fresh,saturation,idle]
 *   npm run bench:checks -- --kind tcp|dns [--checks 20000 --concurrency 50]   (bench/kind-checks.ts)
 *
 * Phases, one after the other (never two at once: they would share the CPU):
 *   1. the checker (createApp, keep-alive probes), N services at intervalSeconds 1, S seconds;
 *   2. a bare node:http keep-alive loop issuing the same requests to the same URLs on the same schedule;
 *   3. the checker in fresh-connection mode (CHECK_KEEP_ALIVE=false), measured the same way;
 *   4. saturation: services added step by step (interval 1 s) until p99 lag exceeds 100 ms;
 *   5. heap per service with 10,000 services registered at a 1 h interval (checked once, then idle).
 * Figures are taken over a steady-state window that excludes the warm-up after registration.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runKindBench } from './kind-checks.js';
import { BARE_TICK_MS, startBareLoop } from './support/bare-loop.js';
import {
  checksCompleted,
  databaseDescription,
  registerServices,
  startBenchApp,
  tapSchedulerLag,
} from './support/checker-app.js';
import {
  cpuMark,
  cpuSince,
  fmt,
  machineCoresSince,
  machineCpu,
  requireGc,
  Samples,
  settledMemory,
  sleep,
  table,
  verdict,
} from './support/stats.js';
import { startTarget, type Target } from './support/target.js';

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '30' },
    'step-seconds': { type: 'string', default: '10' },
    'idle-services': { type: 'string', default: '10000' },
    phases: { type: 'string', default: 'keep-alive,bare,fresh,saturation,idle' },
    kind: { type: 'string' },
    checks: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
  },
});
const SERVICES = Number(args.services);
const SECONDS = Number(args.seconds);
const STEP_SECONDS = Number(args['step-seconds']);
const IDLE_SERVICES = Number(args['idle-services']);
const ALL_PHASES = ['keep-alive', 'bare', 'fresh', 'saturation', 'idle'];
const PHASES = new Set(args.phases.split(',').map((p) => p.trim()));
for (const phase of PHASES) {
  if (!ALL_PHASES.includes(phase)) {
    console.error(`unknown phase "${phase}"; phases: ${ALL_PHASES.join(',')}`);
    process.exit(2);
  }
}
const WARMUP_SECONDS = Math.min(5, Math.max(2, Math.round(SECONDS / 6)));
const STEP_WARMUP_SECONDS = Math.min(3, Math.max(1, Math.round(STEP_SECONDS / 3)));
const SATURATION_STEPS = [
  2_000, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000, 12_000, 14_000, 16_000, 20_000, 24_000, 32_000,
];
/** "Sustained": at least this share of the scheduled checks completed in the window. */
const SUSTAINED = 0.99;
const MAX_P99_LAG_MS = 100;

interface Measurement {
  label: string;
  services: number;
  checksPerSec: number;
  failedPerSec: number;
  cpuPerCheckMs: number;
  /** CPU ms per wall ms: 1.0 = one core busy. */
  cpuUtil: number;
  elu: number;
  lagP50: number;
  lagP99: number;
  lagMax: number;
  lagSamples: number;
  heapPerService: number;
  rssPerService: number;
  targetCpuPerRequestMs: number;
  /** Cores used by processes other than this one and the target during the window (a shared machine skews figures). */
  otherCores: number;
  /** New connections the target accepted per second, and connections open at the end of the window. */
  connectionsPerSec: number;
  openConnections: number;
  setupMs: number;
}

const log = (line: string) => console.log(line);

async function measureWindow(
  target: Target,
  samples: Samples,
  setRecording: (on: boolean) => void,
  seconds: number,
  completed: () => Promise<{ total: number; failed: number }>,
) {
  const c0 = await completed();
  const t0 = await target.stats();
  const mark = cpuMark();
  const machine = machineCpu();
  setRecording(true);
  await sleep(seconds * 1000);
  setRecording(false);
  const span = cpuSince(mark);
  const machineCores = machineCoresSince(machine);
  const c1 = await completed();
  const t1 = await target.stats();
  const checks = c1.total - c0.total;
  const [p50, p99] = samples.percentiles(50, 99);
  return {
    checks,
    checksPerSec: (checks / span.wallMs) * 1000,
    failedPerSec: ((c1.failed - c0.failed) / span.wallMs) * 1000,
    cpuPerCheckMs: span.cpuMs / checks,
    cpuUtil: span.cpuMs / span.wallMs,
    elu: span.elu,
    lagP50: p50!,
    lagP99: p99!,
    lagMax: samples.max(),
    lagSamples: samples.size,
    targetCpuPerRequestMs: (t1.cpuMs - t0.cpuMs) / Math.max(1, t1.requests - t0.requests),
    otherCores: Math.max(0, machineCores - span.cpuMs / span.wallMs - (t1.cpuMs - t0.cpuMs) / span.wallMs),
    connectionsPerSec: ((t1.connections - t0.connections) / span.wallMs) * 1000,
    openConnections: t1.open,
  };
}

async function measureChecker(target: Target, label: string, env: Record<string, string>): Promise<Measurement> {
  const bench = await startBenchApp(env);
  try {
    const samples = new Samples(SERVICES * SECONDS * 1.5);
    let recording = false;
    tapSchedulerLag(bench.app, samples, () => recording);
    const before = await settledMemory();
    const setupStart = performance.now();
    await registerServices(bench.app, 0, SERVICES, target.url, 1);
    const setupMs = performance.now() - setupStart;
    await sleep(WARMUP_SECONDS * 1000);
    const m = await measureWindow(
      target,
      samples,
      (on) => (recording = on),
      SECONDS - WARMUP_SECONDS,
      () => checksCompleted(bench.app),
    );
    const after = await settledMemory();
    const result: Measurement = {
      label,
      services: SERVICES,
      ...m,
      heapPerService: (after.heapUsed - before.heapUsed) / SERVICES,
      rssPerService: (after.rss - before.rss) / SERVICES,
      setupMs,
    };
    printMeasurement(result);
    return result;
  } finally {
    await bench.stop();
  }
}

async function measureBare(target: Target): Promise<Measurement> {
  const samples = new Samples(SERVICES * SECONDS * 1.5);
  let recording = false;
  const urls = Array.from({ length: SERVICES }, (_, i) => target.url(i));
  const before = await settledMemory();
  const loop = startBareLoop(urls, samples, () => recording);
  try {
    await sleep(WARMUP_SECONDS * 1000);
    const m = await measureWindow(
      target,
      samples,
      (on) => (recording = on),
      SECONDS - WARMUP_SECONDS,
      async () => ({
        total: loop.completed,
        failed: loop.failed,
      }),
    );
    const after = await settledMemory();
    const result: Measurement = {
      label: 'bare node:http keep-alive',
      services: SERVICES,
      ...m,
      heapPerService: (after.heapUsed - before.heapUsed) / SERVICES,
      rssPerService: (after.rss - before.rss) / SERVICES,
      setupMs: 0,
    };
    printMeasurement(result);
    return result;
  } finally {
    loop.stop();
  }
}

interface Step {
  services: number;
  checksPerSec: number;
  failedPerSec: number;
  cpuPerCheckMs: number;
  cpuUtil: number;
  elu: number;
  lagP50: number;
  lagP99: number;
  otherCores: number;
  connectionsPerSec: number;
  openConnections: number;
  pass: boolean;
}

async function saturation(target: Target): Promise<Step[]> {
  const bench = await startBenchApp({ CHECK_KEEP_ALIVE: 'true' });
  const steps: Step[] = [];
  try {
    const samples = new Samples(SATURATION_STEPS.at(-1)! * STEP_SECONDS * 1.5);
    let recording = false;
    tapSchedulerLag(bench.app, samples, () => recording);
    let registered = 0;
    for (const services of SATURATION_STEPS) {
      await registerServices(bench.app, registered, services, target.url, 1);
      registered = services;
      await sleep(STEP_WARMUP_SECONDS * 1000);
      samples.reset();
      const m = await measureWindow(
        target,
        samples,
        (on) => (recording = on),
        STEP_SECONDS - STEP_WARMUP_SECONDS,
        () => checksCompleted(bench.app),
      );
      const pass = m.lagP99 <= MAX_P99_LAG_MS && m.checksPerSec - m.failedPerSec >= SUSTAINED * services;
      const step: Step = { services, ...m, pass };
      steps.push(step);
      log(
        `  saturation ${fmt.int(services).padStart(6)} services: ${fmt.int(m.checksPerSec).padStart(6)} checks/s, ` +
          `${fmt.int(m.failedPerSec)} failed/s, p50/p99 lag ${fmt.ms(m.lagP50)}/${fmt.ms(m.lagP99)} ms, ` +
          `CPU ${fmt.us(m.cpuPerCheckMs)} µs/check, CPU ${fmt.pct(m.cpuUtil)} of a core, ELU ${fmt.pct(m.elu)}, ` +
          `${fmt.int(m.openConnections)} connections open, other processes ${fmt.fixed(m.otherCores, 2)} cores -> ${pass ? 'sustained' : 'NOT sustained'}`,
      );
      if (!pass) break;
    }
  } finally {
    await bench.stop();
  }
  return steps;
}

async function idleHeap(target: Target) {
  const bench = await startBenchApp({ CHECK_KEEP_ALIVE: 'true' });
  try {
    const before = await settledMemory();
    const setupStart = performance.now();
    await registerServices(bench.app, 0, IDLE_SERVICES, target.url, 3_600);
    const setupMs = performance.now() - setupStart;
    // Each new service is checked once within a second of registration, then not for an hour.
    const deadline = Date.now() + 60_000;
    while ((await checksCompleted(bench.app)).total < IDLE_SERVICES && Date.now() < deadline) await sleep(200);
    const checked = (await checksCompleted(bench.app)).total;
    await bench.app.testing.history.flush();
    const after = await settledMemory();
    const result = {
      services: IDLE_SERVICES,
      checked,
      setupMs,
      heapPerService: (after.heapUsed - before.heapUsed) / IDLE_SERVICES,
      rssPerService: (after.rss - before.rss) / IDLE_SERVICES,
      heapUsed: after.heapUsed,
    };
    log(
      `  idle ${fmt.int(IDLE_SERVICES)} services (interval 3600 s, each checked once: ${fmt.int(checked)} checks): ` +
        `heap ${fmt.kib(result.heapPerService)} KiB/service, RSS ${fmt.kib(result.rssPerService)} KiB/service ` +
        `(heapUsed ${fmt.mib(after.heapUsed)} MiB; registered in ${fmt.fixed(setupMs / 1000)} s)`,
    );
    return result;
  } finally {
    await bench.stop();
  }
}

function printMeasurement(m: Measurement): void {
  log(
    `  ${m.label}: ${fmt.int(m.checksPerSec)} checks/s (${fmt.int(m.failedPerSec)} failed/s), ` +
      `CPU ${fmt.us(m.cpuPerCheckMs)} µs/check (${fmt.pct(m.cpuUtil)} of a core, ELU ${fmt.pct(m.elu)}), ` +
      `lag p50/p99/max ${fmt.ms(m.lagP50)}/${fmt.ms(m.lagP99)}/${fmt.ms(m.lagMax)} ms over ${fmt.int(m.lagSamples)} samples, ` +
      `heap ${fmt.int(m.heapPerService)} B/service, RSS ${fmt.kib(m.rssPerService)} KiB/service, ` +
      `target ${fmt.us(m.targetCpuPerRequestMs)} µs CPU/request, ${fmt.int(m.connectionsPerSec)} new connections/s (${fmt.int(m.openConnections)} open), ` +
      `other processes ${fmt.fixed(m.otherCores, 2)} cores` +
      (m.setupMs ? ` (registered in ${fmt.fixed(m.setupMs / 1000)} s)` : ''),
  );
}

async function main(): Promise<void> {
  requireGc();
  const started = performance.now();
  const target = await startTarget();
  log(
    `bench:checks — ${fmt.int(SERVICES)} services at intervalSeconds 1, ${SECONDS} s per phase (${WARMUP_SECONDS} s warm-up excluded)`,
  );
  log(
    `  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), ${os.platform()} ${os.release()}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  log(`  database: ${databaseDescription()}`);
  log(
    `  target: node:http keep-alive server in its own process (pid ${target.pid}) at http://127.0.0.1:${target.port}/ok?i=<n>`,
  );
  log(
    `  CHECK_CONCURRENCY=${process.env.CHECK_CONCURRENCY ?? '512 (default)'}, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'warn'}`,
  );
  log(
    `  lag: exact per-check samples (startedAt - dueAt, what statuschecker_scheduler_lag_seconds observes); CPU: this process's user+sys`,
  );
  log(
    `  "others": cores used by other processes during each window (from /proc/stat); above ~0.1 the machine was shared and figures are skewed` +
      (process.env.DATABASE_URL ? ' (with DATABASE_URL on this machine, the PostgreSQL server is among them)' : ''),
  );
  log('');

  try {
    const keepAlive = PHASES.has('keep-alive')
      ? await measureChecker(target, 'checker keep-alive', { CHECK_KEEP_ALIVE: 'true' })
      : undefined;
    const bare = PHASES.has('bare') ? await measureBare(target) : undefined;
    const fresh = PHASES.has('fresh')
      ? await measureChecker(target, 'checker fresh', { CHECK_KEEP_ALIVE: 'false' })
      : undefined;
    const steps = PHASES.has('saturation') ? await saturation(target) : [];
    const idle = PHASES.has('idle') ? await idleHeap(target) : undefined;

    const rows = [keepAlive, bare, fresh].filter((m) => m !== undefined);
    if (rows.length) {
      log('');
      log(
        `Results (${fmt.int(SERVICES)} services, interval 1 s, ${SECONDS - WARMUP_SECONDS} s steady-state window; bare-loop lag includes up to ${BARE_TICK_MS} ms tick quantisation)`,
      );
      log(
        table([
          [
            'phase',
            'checks/s',
            'failed/s',
            'CPU µs/check',
            'vs bare',
            'CPU/core',
            'ELU',
            'lag p50 ms',
            'lag p99 ms',
            'lag max ms',
            'heap B/svc',
            'RSS KiB/svc',
            'others',
          ],
          ...rows.map((m) => [
            m.label,
            fmt.int(m.checksPerSec),
            fmt.int(m.failedPerSec),
            fmt.us(m.cpuPerCheckMs),
            bare ? `${fmt.fixed(m.cpuPerCheckMs / bare.cpuPerCheckMs, 2)}×` : '-',
            fmt.pct(m.cpuUtil),
            fmt.pct(m.elu),
            fmt.ms(m.lagP50),
            fmt.ms(m.lagP99),
            fmt.ms(m.lagMax),
            fmt.int(m.heapPerService),
            fmt.kib(m.rssPerService),
            fmt.fixed(m.otherCores, 2),
          ]),
        ]),
      );
    }
    if (steps.length) {
      log('');
      log(
        `Saturation (keep-alive, interval 1 s, ${STEP_SECONDS - STEP_WARMUP_SECONDS} s window per step; sustained = p99 lag <= ${MAX_P99_LAG_MS} ms and >= ${SUSTAINED * 100}% of scheduled checks succeed)`,
      );
      log(
        table([
          [
            'services',
            'checks/s',
            'failed/s',
            'CPU µs/check',
            'CPU/core',
            'ELU',
            'lag p50 ms',
            'lag p99 ms',
            'others',
            'sustained',
          ],
          ...steps.map((s) => [
            fmt.int(s.services),
            fmt.int(s.checksPerSec),
            fmt.int(s.failedPerSec),
            fmt.us(s.cpuPerCheckMs),
            fmt.pct(s.cpuUtil),
            fmt.pct(s.elu),
            fmt.ms(s.lagP50),
            fmt.ms(s.lagP99),
            fmt.fixed(s.otherCores, 2),
            s.pass ? 'yes' : 'no',
          ]),
        ]),
      );
    }

    const notRun = (phase: string) => [`not run (--phases without ${phase})`, 'n/a'];
    const targets: string[][] = [['target', 'measured', 'verdict']];
    if (keepAlive) {
      const meets2k =
        keepAlive.checksPerSec - keepAlive.failedPerSec >= SUSTAINED * SERVICES && keepAlive.lagP99 <= MAX_P99_LAG_MS;
      targets.push([
        '2,000 checks/s sustained, p99 lag <= 100 ms',
        `${fmt.int(keepAlive.checksPerSec)} checks/s of ${fmt.int(SERVICES)} scheduled, p99 ${fmt.ms(keepAlive.lagP99)} ms`,
        SERVICES >= 2_000 ? verdict(meets2k) : 'n/a (--services < 2000)',
      ]);
    } else targets.push(['2,000 checks/s sustained, p99 lag <= 100 ms', ...notRun('keep-alive')]);
    if (keepAlive && bare) {
      const ratio = keepAlive.cpuPerCheckMs / bare.cpuPerCheckMs;
      targets.push([
        'CPU per check <= 2 × bare keep-alive loop',
        `${fmt.fixed(ratio, 2)}× (${fmt.us(keepAlive.cpuPerCheckMs)} vs ${fmt.us(bare.cpuPerCheckMs)} µs)`,
        verdict(ratio <= 2),
      ]);
    } else targets.push(['CPU per check <= 2 × bare keep-alive loop', ...notRun('keep-alive and bare')]);
    if (steps.length) {
      const sustained = steps.filter((s) => s.pass).at(-1);
      const last = steps.at(-1)!;
      targets.push([
        'saturation >= 5,000 checks/s (p99 lag <= 100 ms)',
        `${sustained ? fmt.int(sustained.checksPerSec) : `< ${fmt.int(steps[0]!.services)}`} checks/s` +
          (last.pass
            ? ` (every step up to ${fmt.int(last.services)} passed)`
            : ` (${fmt.int(last.services)} services failed)`),
        verdict((sustained?.checksPerSec ?? 0) >= 5_000),
      ]);
    } else targets.push(['saturation >= 5,000 checks/s (p99 lag <= 100 ms)', ...notRun('saturation')]);
    if (idle) {
      targets.push([
        `heap <= 10 KiB per service at ${fmt.int(IDLE_SERVICES)} services`,
        `${fmt.kib(idle.heapPerService)} KiB`,
        IDLE_SERVICES >= 10_000 ? verdict(idle.heapPerService <= 10 * 1024) : 'n/a (--idle-services < 10000)',
      ]);
    } else targets.push(['heap <= 10 KiB per service at 10,000 services', ...notRun('idle')]);
    if (fresh && bare)
      targets.push([
        '(info) fresh-connection mode vs bare keep-alive',
        `${fmt.fixed(fresh.cpuPerCheckMs / bare.cpuPerCheckMs, 2)}× CPU per check`,
        '-',
      ]);
    log('');
    log('Targets (from the issue)');
    log(table(targets, [0, 1, 2]));
    log('');
    log(
      `total ${fmt.fixed((performance.now() - started) / 1000, 0)} s; load average now ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await target.stop();
  }
}

const run =
  args.kind === undefined
    ? main
    : () => {
        if (args.kind !== 'tcp' && args.kind !== 'dns') {
          console.error(`unknown --kind "${args.kind}"; kinds: tcp, dns`);
          process.exit(2);
        }
        return runKindBench(args.kind, Number(args.checks), Number(args.concurrency));
      };
run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
