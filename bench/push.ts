/**
 * `npm run bench:push [-- --rate 2000 --seconds 20 --services 500 --connections 32 --port 0]`:
 * heartbeat pushes per second into one real server process, and the latency each push sees.
 *
 * The server is `node dist/main.js` (built first when stale), embedded PGlite in a temporary
 * DATA_DIR, or PostgreSQL when DATABASE_URL is set; its scheduler, heartbeat deadlines and
 * history run as in production, LOG_LEVEL=info. `--services` HEARTBEAT services are registered
 * through the GraphQL API (setup, not measured), each push URL taken from registerService. The
 * load is open-loop: every 2 ms the generator (this process, keep-alive http.Agent with
 * `--connections` sockets) issues as many requests as the target rate owes by then, whatever the
 * answers, spread round-robin over the services (at 2,000/s and 500 services, 4 pushes/s each:
 * under the per-service limit of 5/s, so every push should be accepted). Latency is from issuing a
 * request to the end of its answer.
 *
 * Phases, one after the other, each after a 3 s warm-up at the same rate:
 *   1. baseline: the same load against GET /healthz of the same process (no database, no state);
 *   2. push: GET /push/{id}/{secret} (a success ping: secret check, judge, cache, history batch);
 *   3. baseline again (whether the machine changed in between).
 * Printed: achieved rate, p50/p99/max latency, non-200 answers, the server's CPU per request,
 * cores used by other processes; then the goal (2,000 pushes/s accepted, p99 ≤ 20 ms) and the
 * ratios push ÷ baseline. The server's own counter of accepted pushes is checked against the 200s.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type ServerProcess, startServer, stopAllServers } from '../test/support/server-process.js';
import { processCpuMs } from './support/replicas-proc.js';
import { fmt, machineCoresSince, machineCpu, Samples, sleep, table, verdict } from './support/stats.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    services: { type: 'string', default: '500' },
    connections: { type: 'string', default: '32' },
    port: { type: 'string', default: '0' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const SERVICES = Number(args.services);
const CONNECTIONS = Number(args.connections);
const WARM_UP_SECONDS = 3;
const TICK_MS = 2;
const GOAL = { rate: 2_000, p99Ms: 20 };

interface PhaseResult {
  name: string;
  sent: number;
  ok: number;
  statuses: Map<number | string, number>;
  seconds: number;
  latency: Samples;
  serverCpuMs: number;
  otherCores: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

/** One GET; resolves with its status (or the error's code) once the answer has been read. */
function get(url: URL): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { agent, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    req.end();
  });
}

/** Open-loop load at RATE for `seconds`: requests owed by the clock are issued whatever came back. */
async function load(
  name: string,
  urls: readonly URL[],
  seconds: number,
  server: ServerProcess,
  record: boolean,
): Promise<PhaseResult> {
  const latency = new Samples(RATE * seconds * 1.2);
  const statuses = new Map<number | string, number>();
  let sent = 0;
  let done = 0;
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const cpuBefore = processCpuMs(server.pid) ?? Number.NaN;
  const machineBefore = machineCpu();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const total = Math.round(RATE * seconds);
  while (sent < total) {
    const owed = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (sent < owed) {
      const url = urls[next++ % urls.length]!;
      const issued = performance.now();
      sent++;
      const p = get(url).then((status) => {
        latency.add(performance.now() - issued);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        done++;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await sleep(TICK_MS);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  const serverCpuMs = (processCpuMs(server.pid) ?? Number.NaN) - cpuBefore;
  const own = process.cpuUsage(ownBefore);
  const machineCores = machineCoresSince(machineBefore);
  const serverCores = serverCpuMs / 1000 / elapsed;
  const ownCores = (own.user + own.system) / 1e6 / elapsed;
  const result: PhaseResult = {
    name,
    sent,
    ok: statuses.get(200) ?? 0,
    statuses,
    seconds: elapsed,
    latency,
    serverCpuMs,
    otherCores: Math.max(0, machineCores - serverCores - ownCores),
  };
  if (done !== sent) throw new Error(`${name}: ${sent - done} requests never finished`);
  if (record) {
    const [p50, p99] = latency.percentiles(50, 99);
    console.log(
      `  ${name}: ${fmt.int(result.ok / elapsed)} ok/s, p50 ${fmt.ms(p50!)} ms, p99 ${fmt.ms(p99!)} ms, ` +
        `server ${fmt.fixed(serverCores, 2)} cores, load generator ${fmt.fixed(ownCores, 2)}, others ${fmt.fixed(result.otherCores, 2)}`,
    );
  }
  return result;
}

async function graphql<T>(server: ServerProcess, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** HEARTBEAT services registered through the API, with the push URLs registerService returned (on this port). */
async function registerHeartbeats(server: ServerProcess): Promise<URL[]> {
  const urls: URL[] = [];
  const mutation = `mutation($input: RegisterServiceInput!) {
    registerService(input: $input) { __typename ... on ServicePayload { pushUrl } ... on Error { message } }
  }`;
  const one = async (i: number) => {
    const { registerService: result } = await graphql<{
      registerService: { __typename: string; pushUrl?: string; message?: string };
    }>(server, mutation, {
      input: { name: `bench-push-${i}`, kind: 'HEARTBEAT', heartbeat: { periodSeconds: 3600, graceSeconds: 300 } },
    });
    if (!result.pushUrl) throw new Error(`registration ${i}: ${JSON.stringify(result)}`);
    urls.push(new URL(new URL(result.pushUrl).pathname, server.url));
  };
  for (let i = 0; i < SERVICES; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, SERVICES - i) }, (_, k) => one(i + k)));
  }
  return urls;
}

/** The server's own count of pushes by outcome, from /metrics. */
async function pushesCounted(server: ServerProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/^statuschecker_heartbeat_pushes_total\{outcome="([a-z_]+)"\} (\d+)/gm)) {
    counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

function row(result: PhaseResult): string[] {
  const [p50, p99] = result.latency.percentiles(50, 99);
  const other = [...result.statuses].filter(([status]) => status !== 200).map(([s, n]) => `${s}×${n}`);
  return [
    result.name,
    fmt.int(result.sent / result.seconds),
    fmt.int(result.ok / result.seconds),
    fmt.ms(p50!),
    fmt.ms(p99!),
    fmt.ms(result.latency.max()),
    other.length ? other.join(' ') : '0',
    fmt.us(result.serverCpuMs / Math.max(1, result.sent)),
    fmt.fixed(result.otherCores, 2),
  ];
}

const server = await startServer({
  env: {
    PORT: args.port,
    LOG_LEVEL: 'info',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  },
});
try {
  console.log(
    `bench:push — ${fmt.int(RATE)} requests/s for ${SECONDS} s per phase over ${CONNECTIONS} keep-alive connections, ` +
      `${SERVICES} heartbeats, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}, server pid ${server.pid} at ${server.url}\n`,
  );
  const pushUrls = await registerHeartbeats(server);
  const healthz = [new URL('/healthz', server.url)];
  const phases: PhaseResult[] = [];
  const countedBefore = await pushesCounted(server);
  let pushOk = 0;
  for (const [name, urls] of [
    ['baseline /healthz', healthz],
    ['push', pushUrls],
    ['baseline /healthz again', healthz],
  ] as const) {
    const warm = await load(`${name} (warm-up)`, urls, WARM_UP_SECONDS, server, false);
    if (name === 'push') pushOk += warm.ok;
    const result = await load(name, urls, SECONDS, server, true);
    if (name === 'push') pushOk += result.ok;
    phases.push(result);
  }
  const countedAfter = await pushesCounted(server);
  const accepted = (countedAfter.get('accepted') ?? 0) - (countedBefore.get('accepted') ?? 0);

  console.log(
    `\n${table([
      ['phase', 'sent/s', '200/s', 'p50 ms', 'p99 ms', 'max ms', 'non-200', 'server CPU µs/req', 'other cores'],
      ...phases.map(row),
    ])}`,
  );
  const [base, push, again] = phases as [PhaseResult, PhaseResult, PhaseResult];
  const [pushP50, pushP99] = push.latency.percentiles(50, 99) as [number, number];
  const baseline = (pick: (r: PhaseResult) => number) => Math.min(pick(base), pick(again));
  const baseP50 = baseline((r) => r.latency.percentiles(50)[0]!);
  const baseP99 = baseline((r) => r.latency.percentiles(99)[0]!);
  const baseCpu = baseline((r) => r.serverCpuMs / r.sent);
  const pushRate = push.ok / push.seconds;
  console.log(
    `\nthe server counted ${fmt.int(accepted)} pushes accepted; the load generator got ${fmt.int(pushOk)} 200s`,
  );
  console.log(
    `\n${table([
      ['', 'push', 'goal', '', 'baseline (better of the two)', 'push ÷ baseline'],
      [
        'accepted pushes/s',
        fmt.int(pushRate),
        `≥ ${fmt.int(GOAL.rate)}`,
        verdict(pushRate >= GOAL.rate * 0.99),
        fmt.int(Math.max(base.ok / base.seconds, again.ok / again.seconds)),
        '-',
      ],
      ['p50 ms', fmt.ms(pushP50), '-', '', fmt.ms(baseP50), fmt.fixed(pushP50 / baseP50, 2)],
      [
        'p99 ms',
        fmt.ms(pushP99),
        `≤ ${GOAL.p99Ms}`,
        verdict(pushP99 <= GOAL.p99Ms),
        fmt.ms(baseP99),
        fmt.fixed(pushP99 / baseP99, 2),
      ],
      [
        'server CPU µs/req',
        fmt.us(push.serverCpuMs / push.sent),
        '-',
        '',
        fmt.us(baseCpu),
        fmt.fixed(push.serverCpuMs / push.sent / baseCpu, 2),
      ],
    ])}`,
  );
  if (accepted !== pushOk)
    console.log(`WARNING: ${fmt.int(pushOk - accepted)} 200s the server did not count as accepted`);
  console.log(
    '\n(the rate is accepted pushes ÷ the phase wall time; "other cores": the machine\'s busy cores minus the server and this process, above ~0.1 the figures are skewed)',
  );
} finally {
  agent.destroy();
  await server.stop('SIGTERM');
  await stopAllServers();
}
