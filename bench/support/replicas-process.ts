import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { type ProcessHandle, spawnServer, stopAllServers } from '../../test/support/server-process.js';
import { eventually } from '../../test/support/wait.js';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * One `node dist/main.js` replica of bench:replicas (LOG_LEVEL=warn: it prints only trouble), on
 * the process harness the end-to-end tests use.
 */
export interface Replica {
  readonly id: string;
  readonly pid: number;
  readonly url: string;
  /** Warnings and errors it printed (pino level >= 40). */
  readonly problems: { level: number; msg: string }[];
  /** SIGTERM, then SIGKILL after 15 s; resolves with how it ended and how long it took. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  kill(): void;
}

/** Kills every replica still running (an aborted run). */
export function killAllReplicas(): void {
  void stopAllServers();
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
  const handle = await spawnServer({ env: { PORT: String(port), LOG_LEVEL: 'warn', REPLICA_ID: id, ...settings } });
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void handle.exited.then(() => (gone = true));
  try {
    await eventually(async () => gone || (await healthy(url)), START_TIMEOUT_MS, `replica ${id} to answer /healthz`, {
      intervalMs: 100,
    });
    if (gone) throw new Error('it exited during start-up');
  } catch (err) {
    handle.kill();
    throw new Error(`replica ${id} did not start: ${(err as Error).message}\n${handle.output()}`, { cause: err });
  }
  return replicaOf(id, url, handle);
}

async function healthy(url: string): Promise<true | undefined> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return response.ok ? true : undefined;
  } catch {
    return undefined; // not listening yet
  }
}

function replicaOf(id: string, url: string, handle: ProcessHandle): Replica {
  return {
    id,
    pid: handle.pid,
    url,
    get problems() {
      return handle
        .logs()
        .filter((record) => (record.level ?? 0) >= 40)
        .map((record) => ({ level: record.level!, msg: record.msg ?? '' }));
    },
    kill: () => handle.kill(),
    async stop() {
      const started = performance.now();
      await handle.stop('SIGTERM', STOP_TIMEOUT_MS).catch(() => undefined); // past the timeout: SIGKILL
      return { ...(await handle.exited), ms: performance.now() - started };
    },
  };
}
