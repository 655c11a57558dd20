import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckServiceNowDocument,
  RegisterServiceDocument,
  UnregisterServiceDocument,
  UpdateServiceDocument,
} from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { startTarget, type Target } from '../support/target-fixture.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/** The value of one series in a Prometheus text exposition, or undefined when absent. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  let t: TestApp;
  let target: Target;
  let exposition: () => Promise<string>;
  beforeAll(async () => {
    target = await startTarget();
    t = await startTestApp('embedded', { env: { SCHEDULER_ENABLED: 'false' }, listen: true });
    exposition = async () => {
      const response = await fetch(`${t.baseUrl}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  const register = async (name: string, path: string) => {
    const { registerService } = await t.run(RegisterServiceDocument, { input: { name, url: target.url(path) } });
    if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
    return registerService.service.id;
  };

  it('exposes every service series with the right values', async () => {
    target.respondWith('/switch/metrics', 200);
    const api = await register('api', '/switch/metrics');
    const db = await register('db', '/status/503');
    for (let i = 0; i < 3; i++) await t.run(CheckServiceNowDocument, { id: api });
    target.respondWith('/switch/metrics', 500);
    await t.run(CheckServiceNowDocument, { id: api });
    await t.run(CheckServiceNowDocument, { id: db });

    const text = await exposition();
    expect(sample(text, 'statuschecker_service_up', { service: 'api' })).toBe(0);
    expect(sample(text, 'statuschecker_service_up', { service: 'db' })).toBe(0);
    for (const [status, value] of [
      ['UNKNOWN', 0],
      ['UP', 0],
      ['DEGRADED', 0],
      ['DOWN', 1],
      ['PAUSED', 0],
    ] as const) {
      expect(sample(text, 'statuschecker_service_status', { service: 'api', status }), status).toBe(value);
    }
    expect(sample(text, 'statuschecker_checks_total', { service: 'api', outcome: 'success' })).toBe(3);
    expect(sample(text, 'statuschecker_checks_total', { service: 'api', outcome: 'http_status' })).toBe(1);
    expect(sample(text, 'statuschecker_checks_total', { service: 'db', outcome: 'http_status' })).toBe(1);
    expect(sample(text, 'statuschecker_check_duration_seconds_count', { service: 'api' })).toBe(4);
    expect(sample(text, 'statuschecker_check_duration_seconds_bucket', { service: 'api', le: '+Inf' })).toBe(4);
    // UNKNOWN -> UP, UP -> DOWN for api; UNKNOWN -> DOWN for db.
    expect(sample(text, 'statuschecker_status_changes_total', { status: 'DOWN' })).toBe(2);
    expect(sample(text, 'statuschecker_status_changes_total', { status: 'UP' })).toBe(1);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // 2 registrations and 5 checks so far, all answered without errors.
    expect(sample(text, 'statuschecker_graphql_operations_total', { type: 'mutation', outcome: 'ok' })).toBe(7);
    expect(sample(text, 'statuschecker_graphql_duration_seconds_count', { type: 'mutation' })).toBe(7);
    expect(text).toContain('# TYPE statuschecker_scheduler_lag_seconds histogram');

    target.respondWith('/switch/metrics', 200);
    await t.run(CheckServiceNowDocument, { id: api });
    expect(sample(await exposition(), 'statuschecker_service_up', { service: 'api' })).toBe(1);
  });

  it('drops the series of a removed service and follows a rename', async () => {
    const id = await register('short-lived', '/ok');
    await t.run(CheckServiceNowDocument, { id });
    expect(
      sample(await exposition(), 'statuschecker_checks_total', { service: 'short-lived', outcome: 'success' }),
    ).toBe(1);

    await t.run(UpdateServiceDocument, { id, input: { name: 'renamed' } });
    await t.run(CheckServiceNowDocument, { id });
    let text = await exposition();
    expect(text).not.toContain('service="short-lived"');
    expect(sample(text, 'statuschecker_checks_total', { service: 'renamed', outcome: 'success' })).toBe(1);

    await t.run(UnregisterServiceDocument, { id });
    text = await exposition();
    expect(text).not.toContain('service="renamed"');
    expect(sample(text, 'statuschecker_service_up', { service: 'api' })).toBe(1);
  });

  it.skipIf(!hasPromtool)('passes `promtool check metrics`', async () => {
    const text = await exposition();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(result.stderr + result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('Prometheus metrics with METRICS_PER_SERVICE=compact', () => {
  let t: TestApp;
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
    t = await startTestApp('embedded', {
      env: { SCHEDULER_ENABLED: 'false', METRICS_PER_SERVICE: 'compact' },
      listen: true,
    });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it('keeps up, the current status and certificate expiry per service, and sums latency and outcomes', async () => {
    const ids: string[] = [];
    for (const [name, path] of [
      ['compact-ok', '/ok'],
      ['compact "quoted" \\ name', '/status/503'],
    ] as const) {
      const { registerService } = await t.run(RegisterServiceDocument, { input: { name, url: target.url(path) } });
      if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
      ids.push(registerService.service.id);
    }
    for (const id of ids) await t.run(CheckServiceNowDocument, { id });
    await t.run(CheckServiceNowDocument, { id: ids[0]! });
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();

    expect(sample(text, 'statuschecker_service_up', { service: 'compact-ok' })).toBe(1);
    expect(sample(text, 'statuschecker_service_status', { service: 'compact-ok', status: 'UP' })).toBe(1);
    expect(sample(text, 'statuschecker_service_status', { service: 'compact-ok', status: 'DOWN' })).toBeUndefined();
    // The name's quote and backslash are escaped as the text format wants.
    expect(text).toContain('statuschecker_service_status{service="compact \\"quoted\\" \\\\ name",status="DOWN"} 1');
    expect(sample(text, 'statuschecker_checks_total', { outcome: 'success' })).toBe(2);
    expect(sample(text, 'statuschecker_checks_total', { outcome: 'http_status' })).toBe(1);
    expect(sample(text, 'statuschecker_check_duration_seconds_count')).toBe(3);
    expect(text).not.toMatch(/statuschecker_check_duration_seconds_bucket\{service=/);
    expect(text).not.toMatch(/statuschecker_checks_total\{service=/);
    if (hasPromtool) {
      const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(result.stderr + result.stdout).toBe('');
    }
  });
});
