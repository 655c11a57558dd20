/**
 * npm run bench:metrics [-- --services 10000,100000 --scrapes 20]
 *
 * What a /metrics scrape costs at many services: the whole exposition written through the app's
 * own metrics (per-service families in service-series.ts, slices of 500 with a yield between), in
 * both METRICS_PER_SERVICE modes, beside the baseline of the same series in prom-client (how they
 * were kept before). Prints the longest the event loop was blocked during a scrape (p99 over the
 * scrapes: checks wait that long), the time to the last byte and the size.
 */
import { parseArgs } from 'node:util';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SERVICE_STATUSES } from '../src/checks/service-state.js';
import { createCheckMetrics } from '../src/metrics/check-metrics.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { CHECK_DURATION_BUCKETS, type ServiceMetricsDetail } from '../src/metrics/service-series.js';
import { fmt, Samples, table, verdict } from './support/stats.js';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '10000,100000' }, scrapes: { type: 'string', default: '20' } },
});
const COUNTS = values.services.split(',').map(Number);
const SCRAPES = Number(values.scrapes);
const OUTCOMES = ['success', 'success', 'success', 'http_status', 'timeout'];

interface Scrape {
  /** Longest stretch without the event loop turning, during one scrape. */
  blockedMs: number;
  totalMs: number;
  bytes: number;
}

/** Runs `render` while a tick counter watches how long the event loop goes without turning. */
async function measure(render: () => Promise<number>): Promise<Scrape> {
  let last = performance.now();
  let blocked = 0;
  let watching = true;
  const tick = () => {
    const now = performance.now();
    blocked = Math.max(blocked, now - last);
    last = now;
    if (watching) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  const bytes = await render();
  const totalMs = performance.now() - started;
  watching = false;
  blocked = Math.max(blocked, performance.now() - last);
  return { blockedMs: blocked, totalMs, bytes };
}

function ours(services: number, detail: ServiceMetricsDetail) {
  const metrics = createMetrics(new Registry(), { perService: detail });
  const sink = createCheckMetrics(metrics, { get: () => undefined } as never);
  for (let i = 0; i < services; i++) {
    const service = { id: `id-${i}`, name: `service-${String(i).padStart(6, '0')}`, paused: false } as never;
    sink.serviceDefined?.(service, undefined);
    sink.statusChanged?.({ service, transition: { current: 'UP' } } as never);
    for (const [k, outcome] of OUTCOMES.entries()) {
      sink.checkCompleted?.({
        service,
        result: {
          ok: outcome === 'success',
          degraded: false,
          latencyMs: 10 + k * 40,
          reason: outcome,
          certificateExpiresAt: null,
        },
      } as never);
    }
  }
  return async () => {
    let bytes = 0;
    await metrics.render((chunk) => {
      bytes += Buffer.byteLength(chunk);
    });
    return bytes;
  };
}

/** The same series kept in prom-client, as /metrics did before. */
function baseline(services: number) {
  const registry = new Registry();
  const registers = [registry];
  const up = new Gauge({ name: 'statuschecker_service_up', help: 'up', labelNames: ['service'], registers });
  const status = new Gauge({
    name: 'statuschecker_service_status',
    help: 'status',
    labelNames: ['service', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: 'statuschecker_check_duration_seconds',
    help: 'duration',
    labelNames: ['service'],
    buckets: [...CHECK_DURATION_BUCKETS],
    registers,
  });
  const checks = new Counter({
    name: 'statuschecker_checks_total',
    help: 'checks',
    labelNames: ['service', 'outcome'],
    registers,
  });
  for (let i = 0; i < services; i++) {
    const service = `service-${String(i).padStart(6, '0')}`;
    up.set({ service }, 1);
    for (const s of SERVICE_STATUSES) status.set({ service, status: s }, s === 'UP' ? 1 : 0);
    for (const [k, outcome] of OUTCOMES.entries()) {
      duration.observe({ service }, (10 + k * 40) / 1000);
      checks.inc({ service, outcome });
    }
  }
  return async () => Buffer.byteLength(await registry.metrics());
}

async function run(name: string, services: number, render: () => Promise<number>) {
  const blocked = new Samples(SCRAPES);
  const total = new Samples(SCRAPES);
  let bytes = 0;
  for (let i = 0; i < SCRAPES; i++) {
    const scrape = await measure(render);
    blocked.add(scrape.blockedMs);
    total.add(scrape.totalMs);
    bytes = scrape.bytes;
  }
  return { name, services, blocked: blocked.percentiles(50, 99), total: total.percentiles(50, 99), bytes };
}

const rows: Awaited<ReturnType<typeof run>>[] = [];
for (const services of COUNTS) {
  rows.push(await run('prom-client (before)', services, baseline(services)));
  rows.push(await run('full (default)', services, ours(services, 'full')));
  rows.push(await run('compact', services, ours(services, 'compact')));
}
console.log(`bench:metrics — ${SCRAPES} scrapes each, ${OUTCOMES.length} checks recorded per service\n`);
console.log(
  table([
    ['series kept by', 'services', 'event loop blocked p50 / p99 ms', 'scrape p50 / p99 ms', 'size MB'],
    ...rows.map((r) => [
      r.name,
      fmt.int(r.services),
      `${fmt.ms(r.blocked[0]!)} / ${fmt.ms(r.blocked[1]!)}`,
      `${fmt.ms(r.total[0]!)} / ${fmt.ms(r.total[1]!)}`,
      fmt.fixed(r.bytes / 1e6, 1),
    ]),
  ]),
);
const at = (name: string, services: number) => rows.find((r) => r.name === name && r.services === services);
for (const services of COUNTS) {
  const before = at('prom-client (before)', services)!;
  const full = at('full (default)', services)!;
  console.log(
    `\n${fmt.int(services)} services, full: blocked p99 ×${fmt.fixed(full.blocked[1]! / before.blocked[1]!, 3)} of prom-client's; ` +
      `target ≤ 50 ms at 10,000: ${services === 10_000 ? verdict(full.blocked[1]! <= 50) : '-'}`,
  );
  const compact = at('compact', services)!;
  if (services === 100_000) {
    console.log(
      `100,000 services, compact: scrape p99 ${fmt.ms(compact.total[1]!)} ms and ${fmt.fixed(compact.bytes / 1e6, 1)} MB; ` +
        `target < 500 ms and < 30 MB: ${verdict(compact.total[1]! < 500 && compact.bytes < 30e6)}`,
    );
  }
}
