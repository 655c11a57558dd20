import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** `node dist/main.js` runs from the repository root, as the README says. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INHERITED = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const KEPT_LINES = 200;

/** One `node dist/main.js` replica of bench:replicas (LOG_LEVEL=warn: it prints only trouble). */
export interface Replica {
  readonly id: string;
  readonly pid: number;
  readonly url: string;
  /** Warnings and errors it printed (pino level >= 40), and the last lines of its output. */
  readonly problems: { level: number; msg: string }[];
  readonly tail: string[];
  /** SIGTERM, then SIGKILL after 15 s; resolves with how it ended and how long it took. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  kill(): void;
}

const live = new Set<Replica>();
process.once('exit', () => {
  for (const replica of live) replica.kill();
});

/** Kills every replica still running (an aborted run). */
export function killAllReplicas(): void {
  for (const replica of live) replica.kill();
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the replica and resolves once /healthz answers; fails with its output otherwise. */
export async function startReplica(id: string, settings: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-bench-replica-'));
  const env: Record<string, string> = {};
  for (const key of INHERITED) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  Object.assign(env, { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', DATA_DIR: dataDir, REPLICA_ID: id }, settings);

  const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const problems: { level: number; msg: string }[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > KEPT_LINES) tail.shift();
    if (!line.startsWith('{')) return;
    try {
      const record = JSON.parse(line) as { level?: number; msg?: string };
      if ((record.level ?? 0) >= 40) problems.push({ level: record.level!, msg: record.msg ?? '' });
    } catch {
      // Not a log record.
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  }).finally(() => rm(dataDir, { recursive: true, force: true }));
  let gone = false;
  void exited.then(() => {
    gone = true;
    live.delete(replica);
  });

  const replica: Replica = {
    id,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    problems,
    tail,
    kill: () => {
      if (!gone) child.kill('SIGKILL');
    },
    async stop() {
      const started = performance.now();
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: performance.now() - started };
    },
  };
  live.add(replica);

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`replica ${id} exited during start-up:\n${tail.join('\n')}`);
    try {
      const response = await fetch(`${replica.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return replica;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      replica.kill();
      throw new Error(`replica ${id} did not answer /healthz within ${START_TIMEOUT_MS} ms:\n${tail.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
