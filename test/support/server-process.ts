import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { withTimeout } from '../../src/timeouts.js';

/**
 * The server as a real process, for the end-to-end tests and the benchmarks alike: started from
 * dist/ with a clean environment, its output collected and parsed, stopped and cleaned up.
 */

/** The repository root: `npm start` and `node dist/main.js` run from here, as the README says. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const START_TIMEOUT_MS = 30_000;
/** `npm start` builds first (tsc, then the dashboard with Vite) before the server starts. */
const NPM_START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const LOG_TIMEOUT_MS = 10_000;

/** What the child inherits from the test runner: enough to find node and npm, none of our settings. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/** One pino JSON line from the server's stdout. */
export type LogRecord = { level?: number; component?: string; msg?: string } & Record<string, unknown>;

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Settings for the server; PORT=0, HOST=127.0.0.1, LOG_LEVEL=info and a fresh DATA_DIR unless given. */
  env?: Record<string, string | undefined>;
  /** How long start* waits for the "listening" line (default 30 s). */
  startTimeoutMs?: number;
  /** Flags for node before `dist/main.js` (e.g. `--inspect=127.0.0.1:0`, `--cpu-prof`); not for npm. */
  nodeArgs?: string[];
}

/** A server process, listening or not: its output as it comes, and ways to end it. */
export interface ProcessHandle {
  readonly pid: number;
  /** The DATA_DIR it was given (a temporary one unless the test chose it). */
  readonly dataDir: string;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** stdout lines that are JSON log records, in order. */
  logs(): LogRecord[];
  /** Everything printed so far, for failure messages. */
  output(): string;
  /**
   * Resolves once the process has exited and its output is closed (for npm: node's too), and a
   * DATA_DIR of its own is removed.
   */
  readonly exited: Promise<ExitResult>;
  /** Resolves with the first log record matching, past or future; rejects on exit or timeout. */
  waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Sends the signal and resolves with the exit code (null when a signal ended it). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** SIGKILL to the whole process group, at once. */
  kill(): void;
}

/** A server that has logged "listening". */
export interface ServerProcess extends ProcessHandle {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The URL from the "listening" line: http://127.0.0.1:<port>/graphql */
  readonly graphqlUrl: string;
  readonly port: number;
}

type Launch = { command: string; args: string[] /** who receives stop()'s signal */; signalGroup: boolean };

const live = new Set<ProcessHandle>();
process.once('exit', () => {
  for (const handle of live) handle.kill();
});

/** `node dist/main.js`, as a process manager would run the build. Does not wait for "listening". */
export function spawnServer(options: SpawnOptions = {}): Promise<ProcessHandle> {
  const args = [...(options.nodeArgs ?? []), 'dist/main.js'];
  return launch({ command: process.execPath, args, signalGroup: false }, options);
}

/** `node dist/main.js`, resolved once it logs "listening"; fails with its output if it exits or times out. */
export async function startServer(options: SpawnOptions = {}): Promise<ServerProcess> {
  return waitUntilListening(await spawnServer(options), options.startTimeoutMs);
}

/**
 * Exactly the README way: `npm start` (prestart builds, then `node dist/main.js`), in its own process
 * group. stop() signals the whole group, as a terminal's Ctrl+C or systemd's default KillMode do, so
 * node receives the signal itself; npm forwards it too, but only to the `sh -c` it runs the script in.
 */
export async function startServerWithNpm(options: SpawnOptions = {}): Promise<ServerProcess> {
  const handle = await launch({ command: 'npm', args: ['start'], signalGroup: true }, options);
  return waitUntilListening(handle, options.startTimeoutMs ?? NPM_START_TIMEOUT_MS);
}

/** For afterAll: kills every server still running in this test file, even after a failed test. */
export async function stopAllServers(): Promise<void> {
  const handles = [...live];
  for (const handle of handles) handle.kill();
  const gone = handles.map((h) => withTimeout(h.exited, 5_000, 'no exit after SIGKILL').catch(() => undefined));
  await Promise.all(gone);
}

async function launch(how: Launch, options: SpawnOptions): Promise<ProcessHandle> {
  const given = options.env ?? {};
  const ownDataDir = given.DATA_DIR === undefined;
  const dataDir = given.DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'statuschecker-process-')));
  const env: Record<string, string> = {};
  for (const key of INHERITED) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  Object.assign(env, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: dataDir });
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const child = spawn(how.command, how.args, {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = createHandle(child, how, dataDir, async () => {
    live.delete(handle);
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
  });
  live.add(handle);
  return handle;
}

/** Lines as they come, pino records parsed, and a signal to whoever waits for one. */
function collectOutput(child: ChildProcess) {
  const output = {
    stdout: [] as string[],
    stderr: [] as string[],
    records: [] as LogRecord[],
    listeners: new Set<() => void>(),
  };
  const notify = () => {
    for (const listener of output.listeners) listener();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    output.stdout.push(line);
    const record = parseRecord(line);
    if (record) output.records.push(record);
    notify();
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    output.stderr.push(line);
    notify();
  });
  return { ...output, notify };
}

/** `afterExit` runs before `exited` resolves, so a test that awaited the exit finds everything tidied. */
function createHandle(
  child: ChildProcess,
  how: Launch,
  dataDir: string,
  afterExit: () => Promise<void>,
): ProcessHandle {
  const { stdout, stderr, records, listeners, notify } = collectOutput(child);
  let exit: ExitResult | undefined;
  let spawnError: Error | undefined;

  // 'close' comes after 'exit' once every holder of the pipes is gone: for npm, node included.
  const exited = new Promise<ExitResult>((resolve) => {
    const settle = (result: ExitResult) => {
      if (exit) return;
      exit = result;
      notify();
      const done = exit;
      afterExit().then(
        () => resolve(done),
        () => resolve(done),
      );
    };
    child.once('error', (err) => {
      spawnError = err;
      settle({ code: null, signal: null });
    });
    child.once('close', (code, signal) => settle({ code, signal }));
  });

  const output = () =>
    [
      `$ ${how.command} ${how.args.join(' ')} (pid ${child.pid ?? '-'}, DATA_DIR=${dataDir})`,
      ...(spawnError ? [`spawn failed: ${spawnError.message}`] : []),
      '--- stdout ---',
      ...stdout,
      '--- stderr ---',
      ...stderr,
      exit ? `--- exited: code ${exit.code}, signal ${exit.signal} ---` : '--- still running ---',
    ].join('\n');

  const signal = (name: NodeJS.Signals, group: boolean) => {
    if (child.pid === undefined || exit) return;
    try {
      process.kill(group ? -child.pid : child.pid, name);
    } catch {
      // Already gone.
    }
  };
  // Even after npm exits, node may live on in its group: always SIGKILL the whole group.
  const kill = () => signal('SIGKILL', true);

  return {
    pid: child.pid ?? -1,
    dataDir,
    stdout,
    stderr,
    logs: () => [...records],
    output,
    exited,
    waitForLog(predicate, timeoutMs = LOG_TIMEOUT_MS) {
      return new Promise<LogRecord>((resolve, reject) => {
        let seen = 0;
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        const check = () => {
          for (; seen < records.length; seen++) {
            const record = records[seen]!;
            if (predicate(record)) return finish(() => resolve(record));
          }
          if (exit) finish(() => reject(new Error(`the server exited before the expected log line\n${output()}`)));
        };
        const timer = setTimeout(() => {
          finish(() => reject(new Error(`no matching log line within ${timeoutMs} ms\n${output()}`)));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    async stop(name = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) {
      signal(name, how.signalGroup);
      try {
        return (await withTimeout(exited, timeoutMs, `still running ${timeoutMs} ms after ${name}`)).code;
      } catch (err) {
        kill();
        throw new Error(`${(err as Error).message}: killed it\n${output()}`, { cause: err });
      }
    },
    kill,
  };
}

async function waitUntilListening(handle: ProcessHandle, timeoutMs = START_TIMEOUT_MS): Promise<ServerProcess> {
  let record: LogRecord;
  try {
    record = await handle.waitForLog(
      (r) => r.component === 'app' && r.msg === 'listening' && typeof r.url === 'string',
      timeoutMs,
    );
  } catch (err) {
    handle.kill();
    throw new Error(`the server did not start: ${(err as Error).message}`, { cause: err });
  }
  const graphqlUrl = record.url as string;
  const parsed = new URL(graphqlUrl);
  return { ...handle, url: parsed.origin, graphqlUrl, port: Number(parsed.port) };
}

function parseRecord(line: string): LogRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}
