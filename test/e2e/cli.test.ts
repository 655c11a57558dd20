import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerService, serviceStatus } from '../support/dashboard.js';
import { REPO_ROOT, type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { closedPort, startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const TOKEN = 'cli-test-token-0123456789abcdef';
const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a user runs it (`statuschecker` is its bin), with a clean environment. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the statuschecker CLI against a real server', () => {
  let server: ServerProcess;
  let target: Target;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const asUser = () => ({ STATUSCHECKER_URL: server.url, STATUSCHECKER_TOKEN: TOKEN });

  beforeAll(async () => {
    target = await startTarget();
    server = await startServer({ env: { API_TOKENS: TOKEN } });
    target.respondWith('/cli/api', 200);
    target.respondWith('/cli/db', 503);
    for (const name of ['api', 'db']) {
      await registerService(
        server.graphqlUrl,
        { name, url: target.url(`/cli/${name}`), intervalSeconds: 1, timeoutMs: 500 },
        auth,
      );
    }
    await eventually(
      async () => ((await serviceStatus(server.graphqlUrl, 'db', auth)) === 'DOWN' ? true : undefined),
      15_000,
    );
    await eventually(
      async () => ((await serviceStatus(server.graphqlUrl, 'api', auth)) === 'UP' ? true : undefined),
      15_000,
    );
  }, 120_000);
  afterAll(async () => {
    await stopAllServers();
    await target?.close();
  });

  it('status: a table with the broken service first, exit 1 while one is DOWN, 0 when none is', async () => {
    const down = await cli(['status'], asUser());
    expect(down.code, down.stderr).toBe(1);
    const lines = down.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+KIND\s+FOR\s+LATENCY\s+MESSAGE$/);
    expect(lines[1]).toMatch(/^db\s+DOWN\s+HTTP\s+.*expected 200-299, got 503/);
    expect(lines[2]).toMatch(/^api\s+UP\s+HTTP\s+/);
    expect(down.stdout).toContain('2 services, 1 down');

    const json = await cli(['status', '--json', '--url', `${server.url}/graphql`, '--token', TOKEN]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { failing: string[]; services: { name: string }[] };
    expect(parsed.failing).toEqual(['db']);
    expect(parsed.services.map((s) => s.name).sort()).toEqual(['api', 'db']);

    target.respondWith('/cli/db', 200);
    await eventually(
      async () => ((await serviceStatus(server.graphqlUrl, 'db', auth)) === 'UP' ? true : undefined),
      15_000,
    );
    const up = await cli(['status'], asUser());
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('2 services, 0 down');
  });

  it('says what is wrong, with its own exit codes: token refused 3, nobody listening 3, bad usage 64', async () => {
    const refused = await cli(['status'], { STATUSCHECKER_URL: server.url, STATUSCHECKER_TOKEN: 'wrong-token' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^statuschecker: invalid token/);
    const missing = await cli(['status', '--url', server.url]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('STATUSCHECKER_TOKEN');
    const nobody = await cli(['status', '--url', `http://127.0.0.1:${await closedPort()}`]);
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/cannot reach .*ECONNREFUSED/);
    expect((await cli(['stauts'])).code).toBe(64);
    expect((await cli(['status', '--url', 'ftp://x'])).code).toBe(64);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('watch');
    // The token is never echoed back.
    expect(refused.stderr + refused.stdout).not.toContain('wrong-token');
  });

  it('watch: prints each transition as it happens, as text or one JSON object per line', async () => {
    const watchers: ChildProcess[] = [];
    const start = (args: string[]) => {
      const child = spawn(process.execPath, [CLI, 'watch', ...args], {
        env: { PATH: process.env.PATH ?? '', ...asUser() },
      });
      watchers.push(child);
      const output = { stdout: '', stderr: '' };
      child.stdout!.on('data', (d) => (output.stdout += d));
      child.stderr!.on('data', (d) => (output.stderr += d));
      return { child, output };
    };
    try {
      const text = start([]);
      const json = start(['--json']);
      for (const w of [text, json]) {
        await eventually(() => (w.output.stderr.includes('watching') ? true : undefined), 15_000, 'watch to start');
      }
      target.respondWith('/cli/api', 503);
      await eventually(
        () => (/ api {2}UP → DOWN {2}expected 200-299, got 503/.test(text.output.stdout) ? true : undefined),
        15_000,
      );
      await eventually(() => (json.output.stdout.includes('\n') ? true : undefined), 15_000);
      const event = JSON.parse(json.output.stdout.split('\n')[0]!) as Record<string, unknown>;
      expect(event).toMatchObject({ service: { name: 'api' }, previous: 'UP', current: 'DOWN' });
      const exited = new Promise<number | null>((resolve) => text.child.on('close', resolve));
      text.child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      for (const w of watchers) w.kill('SIGKILL');
      target.respondWith('/cli/api', 200);
    }
  });

  it('export, plan and apply: a config document round trip, with plan exit codes and errors by line', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'statuschecker-cli-'));
    try {
      const exported = await cli(['export'], asUser());
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(/services:/);
      const file = path.join(dir, 'statuschecker.yaml');
      await writeFile(file, exported.stdout);

      const same = await cli(['plan', '-f', file, '--detailed-exitcode'], asUser());
      expect(same.code, same.stderr).toBe(0);
      expect(same.stdout).toMatch(/0 to create, 0 to update, 0 to delete, 2 unchanged/);

      const withNew = exported.stdout.replace(
        'services:\n',
        `services:\n  - name: from-cli\n    url: ${target.url('/cli/api')}\n`,
      );
      await writeFile(file, withNew);
      const planned = await cli(['plan', '-f', file, '--detailed-exitcode'], asUser());
      expect(planned.code, planned.stderr).toBe(2);
      expect(planned.stdout).toMatch(/^CREATE\s+SERVICE\s+from-cli$/m);
      expect((await cli(['plan', '-f', file], asUser())).code).toBe(0);
      const applied = await cli(['apply', '-f', file], asUser());
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toMatch(/1 to create, 0 to update, 0 to delete, 2 unchanged: applied/);
      await eventually(
        async () => ((await serviceStatus(server.graphqlUrl, 'from-cli', auth)) === 'UP' ? true : undefined),
        15_000,
      );

      const broken = path.join(dir, 'broken.yaml');
      await writeFile(broken, 'services:\n  - name: bad\n    url: ftp://x\n');
      const invalid = await cli(['plan', '-f', broken], asUser());
      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toMatch(/broken\.yaml:\d+: services\[0\]\.url: /);
      expect((await cli(['plan', '-f', path.join(dir, 'missing.yaml')], asUser())).code).toBe(64);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
