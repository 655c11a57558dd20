import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RegisterServiceDocument,
  type RegisterServiceInput,
  type RegisterServiceMutation,
  ServiceByNameDocument,
  ServicesDocument,
} from '../generated/graphql.js';
import { executeOperation } from '../support/graphql.js';
import {
  type ServerProcess,
  spawnServer,
  startServer,
  startServerWithNpm,
  stopAllServers,
} from '../support/server-process.js';

const dataDirs: string[] = [];

afterAll(async () => {
  await stopAllServers();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'statuschecker-restart-'));
  dataDirs.push(dir);
  return dir;
}

/** Every field away from its default, so a field that is not stored shows up. */
function serviceInput(): RegisterServiceInput {
  return {
    name: `restart-${randomUUID().slice(0, 8)}`,
    // Nothing listens on the discard port: checks fail, which does not matter here.
    url: 'http://127.0.0.1:9/health',
    method: 'POST',
    headers: [{ name: 'x-e2e', value: 'restart' }],
    intervalSeconds: 300,
    timeoutMs: 2_000,
    expectedStatus: '200-299,418',
    bodyContains: 'ok',
    failureThreshold: 3,
    successThreshold: 2,
    degradedAboveMs: 1_500,
    labels: ['e2e', 'restart'],
  };
}

function registered(result: RegisterServiceMutation) {
  const payload = result.registerService;
  if (payload.__typename !== 'ServicePayload') throw new Error(`registerService failed: ${JSON.stringify(payload)}`);
  return payload.service;
}

/** The definition without its live state, which a restart may legitimately move on. */
function definition<T extends { state: unknown }>(service: T): Omit<T, 'state'> {
  const { state: _state, ...rest } = service;
  return rest;
}

/**
 * What `npm start` left behind after a SIGTERM: node logged a clean shutdown and is gone. The exit
 * status of npm itself is checked by the caller, softly, so the rest of the test still runs.
 */
async function expectCleanShutdown(server: ServerProcess): Promise<void> {
  const logs = server.logs();
  const listening = logs.find((r) => r.msg === 'listening');
  const requested = logs.findIndex((r) => r.msg === 'shutdown requested');
  expect(requested, `no "shutdown requested" line\n${server.output()}`).toBeGreaterThanOrEqual(0);
  const problems = logs.slice(requested).filter((r) => (r.level ?? 0) >= 40);
  expect(problems, `warnings or errors during shutdown\n${server.output()}`).toEqual([]);
  const pid = Number(listening?.pid);
  expect(await exitsWithin(pid, 3_000), `node (pid ${pid}) still running after npm exited`).toBe(true);
}

/** True once the process is gone or a zombie (it closes its pipes a moment before it is reaped). */
async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return true;
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('started the README way (npm start)', () => {
  it('keeps a registered service, same id and fields, across SIGTERM and a restart on the same DATA_DIR', async () => {
    const dataDir = await tempDataDir();
    const input = serviceInput();

    const first = await startServerWithNpm({ env: { DATA_DIR: dataDir } });
    const service = registered(await executeOperation(fetch, first.graphqlUrl, RegisterServiceDocument, { input }));
    expect(service).toMatchObject({ ...input, paused: false });

    await first.stop('SIGTERM');
    expect.soft(await first.exited, `npm start after SIGTERM\n${first.output()}`).toEqual({ code: 0, signal: null });
    await expectCleanShutdown(first);

    const second = await startServerWithNpm({ env: { DATA_DIR: dataDir } });
    expect(
      second.logs().some((r) => Array.isArray(r.applied) && r.applied.length > 0),
      'migrations ran again',
    ).toBe(false);
    const byName = await executeOperation(fetch, second.graphqlUrl, ServiceByNameDocument, { name: input.name });
    expect(byName.service, 'the service is gone after the restart').not.toBeNull();
    expect(definition(byName.service!)).toEqual(definition(service));

    const all = await executeOperation(fetch, second.graphqlUrl, ServicesDocument, { first: 10 });
    expect(all.services.totalCount).toBe(1);
    expect(all.services.edges.map((e) => e.node.id)).toEqual([service.id]);

    await second.stop('SIGTERM');
    expect.soft(await second.exited, `npm start after SIGTERM\n${second.output()}`).toEqual({ code: 0, signal: null });
    await expectCleanShutdown(second);
  }, 120_000); // two `npm start`s, each building the server and the dashboard first
});

describe('invalid configuration', () => {
  it('exits 1 and names every problem on stderr', async () => {
    const server = await spawnServer({ env: { PORT: 'abc', LOG_LEVEL: 'loud' } });
    const exit = await server.exited;

    expect(exit, server.output()).toEqual({ code: 1, signal: null });
    const stderr = server.stderr.join('\n');
    expect(stderr, server.output()).toMatch(/invalid configuration/i);
    const portLine = server.stderr.find((line) => /\bPORT\b/.test(line));
    const levelLine = server.stderr.find((line) => /\bLOG_LEVEL\b/.test(line));
    expect(portLine, `PORT not named\n${server.output()}`).toBeDefined();
    expect(levelLine, `LOG_LEVEL not named\n${server.output()}`).toBeDefined();
    expect(portLine, 'both problems on one line').not.toBe(levelLine);
    // Readable: a message per problem, not a stack trace or a JSON dump.
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toMatch(/^\s*[[{]/m);
    expect(server.logs().some((r) => r.msg === 'listening')).toBe(false);
  });
});

describe('probes on the running server', () => {
  it('answers /healthz and /readyz with 200', async () => {
    const server = await startServer();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await health.text()).trim()).toBe('ok');
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.text()).trim()).toBe('ready');

    expect(await server.stop('SIGTERM'), server.output()).toBe(0);
  });
});
