import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface TargetStats {
  requests: number;
  /** Connections accepted so far, and open now. */
  connections: number;
  open: number;
  /** user + system CPU of the target process so far, ms. */
  cpuMs: number;
}

export interface Target {
  readonly port: number;
  readonly pid: number;
  /** Distinct URL per service, all served by the same origin. */
  url(i: number): string;
  stats(): Promise<TargetStats>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./target-server.ts', import.meta.url));

/** Forks bench/support/target-server.ts (its own process, its own CPU) and waits for its port. */
export async function startTarget(): Promise<Target> {
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`target server exited with ${code}`)));
    child.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'listening') resolve(m.port!);
    });
  });
  child.removeAllListeners('exit');
  return {
    port,
    pid: child.pid!,
    url: (i) => `http://127.0.0.1:${port}/ok?i=${i}`,
    stats() {
      return new Promise((resolve) => {
        const onMessage = (m: {
          type: string;
          requests: number;
          connections: number;
          open: number;
          cpu: NodeJS.CpuUsage;
        }) => {
          if (m.type !== 'stats') return;
          child.off('message', onMessage);
          resolve({
            requests: m.requests,
            connections: m.connections,
            open: m.open,
            cpuMs: (m.cpu.user + m.cpu.system) / 1000,
          });
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}
