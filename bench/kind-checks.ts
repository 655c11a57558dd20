/**
 * bench:checks --kind tcp|dns — CPU per check of one kind's prober beside a bare Node loop doing the
 * same network work (node:net connect and close; node:dns Resolver.resolve4), with the peers in a
 * child process. Both run the same number of checks at the same concurrency, one after the other.
 */
import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { createProber } from '../src/probe/kinds.js';
import { kindTarget } from '../test/support/kind-target.js';
import { cpuMark, cpuSince, fmt, table, verdict } from './support/stats.js';

export type BenchKind = 'tcp' | 'dns';

interface Run {
  checks: number;
  failures: number;
  cpuMs: number;
  wallMs: number;
}

async function loop(checks: number, concurrency: number, once: () => Promise<boolean>): Promise<Run> {
  let next = 0;
  let failures = 0;
  const mark = cpuMark();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < checks) {
        next += 1;
        if (!(await once())) failures += 1;
      }
    }),
  );
  const span = cpuSince(mark);
  return { checks, failures, cpuMs: span.cpuMs, wallMs: span.wallMs };
}

function bareTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function runKindBench(kind: BenchKind, checks: number, concurrency: number): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./support/kind-peers.ts', import.meta.url).pathname],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const { tcpPort, dnsPort } = JSON.parse(first) as { tcpPort: number; dnsPort: number };
  const prober = createProber({ userAgent: 'statuschecker-bench' });
  try {
    const target =
      kind === 'tcp'
        ? kindTarget('TCP', `tcp://127.0.0.1:${tcpPort}`)
        : kindTarget('DNS', `dns://127.0.0.1:${dnsPort}/ok.test`, { dns: { recordType: 'A' } });
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dnsPort}`]);
    const bareOnce =
      kind === 'tcp'
        ? () => bareTcp(tcpPort)
        : () =>
            resolver.resolve4('ok.test').then(
              (answers) => answers.length > 0,
              () => false,
            );
    const proberOnce = () => prober.probe(target).then((result) => result.ok);
    // Warm-up of both (JIT, sockets), not measured.
    await loop(Math.min(500, checks), concurrency, proberOnce);
    await loop(Math.min(500, checks), concurrency, bareOnce);
    const ours = await loop(checks, concurrency, proberOnce);
    const bare = await loop(checks, concurrency, bareOnce);
    const perCheck = (run: Run) => run.cpuMs / run.checks;
    const ratio = perCheck(ours) / perCheck(bare);
    const row = (name: string, run: Run) => [
      name,
      fmt.int(run.checks),
      fmt.int(run.failures),
      fmt.int((run.checks / run.wallMs) * 1000),
      fmt.us(perCheck(run)),
    ];
    console.log(
      `bench:checks --kind ${kind} — ${fmt.int(checks)} checks, ${concurrency} at once, node ${process.version}, peers in a child process`,
    );
    console.log(
      table([
        ['loop', 'checks', 'failed', 'checks/s', 'CPU µs/check'],
        row(`statuschecker ${kind} prober`, ours),
        row(kind === 'tcp' ? 'bare node:net connect' : 'bare node:dns resolve4', bare),
      ]),
    );
    console.log(`CPU per check, prober / bare: ${fmt.fixed(ratio, 2)} × (goal ≤ 2 ×: ${verdict(ratio <= 2)})`);
  } finally {
    await prober.close();
    child.stdin!.end();
  }
}
