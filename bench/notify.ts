/**
 * npm run bench:notify [-- --services 1000 --interval 1 --window 40]
 *
 * 1,000 services flip DOWN at once, routed to one webhook and one email receiver (both real, in
 * their own process). Beside it in the same run, a baseline: the same flip with no channel. Prints
 * the time from the flip to the last delivery, SQL statements per delivery (all, and beyond the
 * baseline's), and the scheduler's lag meanwhile (p99 must stay ≤ 100 ms: sending never blocks checking).
 */
import { parseArgs } from 'node:util';
import type { App } from '../src/app.js';
import { registerServices, startBenchApp, tapSchedulerLag } from './support/checker-app.js';
import { type NotifyPeers, startNotifyPeers } from './support/notify-peers.js';
import {
  cpuMark,
  cpuSince,
  fmt,
  machineCoresSince,
  machineCpu,
  Samples,
  sleep,
  table,
  verdict,
} from './support/stats.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '1' },
    window: { type: 'string', default: '40' },
  },
});
const SERVICES = Number(values.services);
const INTERVAL_S = Number(values.interval);
const WINDOW_MS = Number(values.window) * 1000;

interface PhaseResult {
  name: string;
  transitionsMs: number;
  lastDeliveryMs: number;
  webhook: number;
  webhookRequests: number;
  mails: number;
  /** Deliveries the database records as SENT, per channel kind. */
  sent: { webhook: number; email: number };
  statements: number;
  lag: number[];
  lagMax: number;
  cpuShare: number;
  others: number;
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
  return Date.now();
}

async function sentByKind(app: App): Promise<{ webhook: number; email: number }> {
  const rows = await app.testing.prisma.$queryRawUnsafe<{ kind: string; n: number }[]>(
    `SELECT c."kind"::text AS kind, count(*)::int AS n FROM "NotificationDelivery" d
       JOIN "NotificationChannel" c ON c."id" = d."channelId" WHERE d."status" = 'SENT' GROUP BY c."kind"`,
  );
  const of = (kind: string) => rows.find((r) => r.kind === kind)?.n ?? 0;
  return { webhook: of('WEBHOOK'), email: of('EMAIL') };
}

const statements = async (app: App) => (await app.testing.metrics.dbStatements.get()).values[0]?.value ?? 0;

async function phase(name: string, peers: NotifyPeers, withChannels: boolean): Promise<PhaseResult> {
  await peers.setStatus(200);
  await peers.reset();
  const bench = await startBenchApp({});
  const { app } = bench;
  try {
    if (withChannels) {
      await app.testing.notifications.channels.create({
        name: 'bench webhook',
        kind: 'WEBHOOK',
        url: `http://127.0.0.1:${peers.ports.webhook}/hook`,
        secret: 'bench-signing-key',
        isDefault: true,
        rateLimitPerMinute: 100_000,
      });
      await app.testing.notifications.channels.create({
        name: 'bench email',
        kind: 'EMAIL',
        email: {
          smtpHost: '127.0.0.1',
          smtpPort: peers.ports.smtp,
          tls: 'none',
          from: 'bench@example.com',
          to: ['oncall@example.com'],
        },
        isDefault: true,
        rateLimitPerMinute: 100_000,
      });
    }
    await registerServices(app, 0, SERVICES, (i) => `http://127.0.0.1:${peers.ports.target}/flip?i=${i}`, INTERVAL_S);
    await waitFor('every service UP', 60_000, () => app.testing.cache.summary().up === SERVICES);
    await app.testing.history.flush();
    await sleep(3_000);

    const lag = new Samples(SERVICES * (WINDOW_MS / 1000 / INTERVAL_S) * 2);
    let recording = true;
    tapSchedulerLag(app, lag, () => recording);
    const s0 = await statements(app);
    const cpu = cpuMark();
    const machine = machineCpu();
    const flipped = Date.now();
    await peers.setStatus(503);
    const allDown = await waitFor('every service DOWN', 60_000, () => app.testing.cache.summary().down === SERVICES);
    await waitFor('every transition written', 60_000, () => app.testing.history.pending().transitions === 0);
    let last = allDown;
    if (withChannels) {
      await waitFor('every delivery', 300_000, async () => {
        const s = await peers.stats();
        return s.webhookDistinct >= SERVICES && s.mails >= SERVICES;
      });
      const s = await peers.stats();
      last = Math.max(s.lastWebhookAt, s.lastMailAt);
    }
    // Both phases measure the same window after the flip (longer only if delivery took longer).
    await sleep(Math.max(0, flipped + WINDOW_MS - Date.now()));
    recording = false;
    const spent = cpuSince(cpu);
    const others = machineCoresSince(machine);
    const peersNow = await peers.stats();
    const sent = await sentByKind(app);
    return {
      name,
      transitionsMs: allDown - flipped,
      lastDeliveryMs: last - flipped,
      webhook: peersNow.webhookDistinct,
      webhookRequests: peersNow.webhookRequests,
      mails: peersNow.mails,
      sent,
      statements: (await statements(app)) - s0,
      lag: lag.percentiles(50, 99),
      lagMax: lag.max(),
      cpuShare: spent.cpuMs / spent.wallMs,
      others,
    };
  } finally {
    await bench.stop();
  }
}

const peers = await startNotifyPeers();
try {
  console.log(
    `bench:notify — ${SERVICES} services at ${INTERVAL_S} s, flipped DOWN at once; database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`,
  );
  const baseline = await phase('baseline: no channel', peers, false);
  const notify = await phase('webhook + email', peers, true);
  const deliveries = notify.webhook + notify.mails;
  console.log(
    table([
      [
        'phase',
        'all DOWN after ms',
        'last delivery after ms',
        'webhooks (requests)',
        'mails',
        'SQL statements',
        'lag p50 / p99 / max ms',
        'CPU share',
        'machine cores',
      ],
      ...[baseline, notify].map((r) => [
        r.name,
        fmt.int(r.transitionsMs),
        r === baseline ? '-' : fmt.int(r.lastDeliveryMs),
        r === baseline ? '-' : `${fmt.int(r.webhook)} (${fmt.int(r.webhookRequests)})`,
        r === baseline ? '-' : fmt.int(r.mails),
        fmt.int(r.statements),
        `${fmt.ms(r.lag[0]!)} / ${fmt.ms(r.lag[1]!)} / ${fmt.ms(r.lagMax)}`,
        fmt.pct(r.cpuShare),
        fmt.fixed(r.others, 2),
      ]),
    ]),
  );
  console.log(
    `\n${fmt.int(deliveries)} deliveries; ${fmt.fixed(notify.statements / deliveries, 2)} SQL statements per delivery in all, ` +
      `${fmt.fixed((notify.statements - baseline.statements) / deliveries, 2)} beyond the baseline's; ` +
      `scheduler lag p99 ${fmt.ms(notify.lag[1]!)} ms (baseline ${fmt.ms(baseline.lag[1]!)} ms, ×${fmt.fixed(notify.lag[1]! / baseline.lag[1]!, 2)}).`,
  );
  console.log(`target: scheduler lag p99 ≤ 100 ms while sending: ${verdict(notify.lag[1]! <= 100)}`);
  // Exactly once: every delivery the database recorded as SENT arrived, under its own id, once.
  // (More than one per service is right: a check that timed out while the services were being
  // registered makes its own DOWN and UP before the flip.)
  const once =
    notify.webhook === notify.sent.webhook &&
    notify.webhookRequests === notify.webhook &&
    notify.mails === notify.sent.email;
  console.log(
    `every delivery exactly once at the receivers: ${verdict(once)} ` +
      `(webhook: ${fmt.int(notify.sent.webhook)} sent, ${fmt.int(notify.webhook)} distinct ids, ${fmt.int(notify.webhookRequests)} requests; ` +
      `email: ${fmt.int(notify.sent.email)} sent, ${fmt.int(notify.mails)} received)`,
  );
} finally {
  await peers.stop();
}
