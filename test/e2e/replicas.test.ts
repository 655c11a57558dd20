import type { Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterServiceDocument, ServicesDocument, StatusChangedDocument } from '../generated/graphql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { executeOperation } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { connectClient, type Subscription, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const SERVICES = 300;
const LEASE_TTL_MS = 3_000;
const INTERVAL_MS = 1_000;
const WINDOW_MS = 30_000;
/**
 * Checks of one service closer together than this count as "twice within one interval". A few
 * are tolerated (at most 1 in 1,000 gaps): when leases are rebalanced a handover can move a
 * service's phase. In steady state there are none.
 */
const DOUBLE_CHECK_GAP_MS = 500;

const path = (i: number) => `/svc/${i}`;

describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('three replicas on one PostgreSQL and one Redis', () => {
  let target: Target;
  let database: TestDatabase;
  let direct: pg.Client;
  const replicas: Record<'a' | 'b' | 'c', ServerProcess> = {} as never;
  let clientOnA: Client;
  let changesOnA: Subscription<{
    statusChanged: { service: { id: string; name: string }; current: string; previous: string; at: string };
  }>;
  /** GraphQL ids of the services, by index. */
  const ids: string[] = [];
  /** Database ids (what the Lease table holds), by index. */
  const rawIds: string[] = [];

  beforeAll(async () => {
    target = await startTarget();
    for (let i = 0; i < SERVICES; i++) target.respondWith(path(i), 200);
    database = await createTestDatabase('postgresql');
    direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
    const env = (id: string) => ({
      DATABASE_URL: database.url!,
      REDIS_URL: TEST_REDIS_URL!,
      REPLICA_ID: id,
      LEASE_TTL_MS: String(LEASE_TTL_MS),
    });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => startServer({ env: env(id) })));
    Object.assign(replicas, { a, b, c });
    clientOnA = connectClient(a!.graphqlUrl);
    changesOnA = subscribe(clientOnA, StatusChangedDocument, {});

    for (let start = 0; start < SERVICES; start += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, SERVICES - start) }, async (_, k) => {
          const i = start + k;
          const { registerService } = await executeOperation(fetch, replicas.a.graphqlUrl, RegisterServiceDocument, {
            input: {
              name: `svc-${String(i).padStart(3, '0')}`,
              url: target.url(path(i)),
              intervalSeconds: 1,
              timeoutMs: 500,
            },
          });
          if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
          ids[i] = registerService.service.id;
          rawIds[i] = Buffer.from(registerService.service.id, 'base64')
            .toString('utf8')
            .replace(/^Service:/, '');
        }),
      );
    }
    // Every service checked, and the leases spread over the three replicas.
    await eventually(
      () => (Array.from({ length: SERVICES }, (_, i) => target.hits(path(i))).every((n) => n > 0) ? true : undefined),
      15_000,
      'every service checked',
    );
    await eventually(
      async () => {
        const owners = await leaseOwners();
        return ['a', 'b', 'c'].every((r) => (owners.get(r) ?? 0) >= SERVICES / 3 - 2) ? true : undefined;
      },
      20_000,
      'leases spread over the replicas',
    );
  });
  afterAll(async () => {
    changesOnA?.dispose();
    await clientOnA?.dispose();
    await stopAllServers();
    await direct?.end();
    await database?.dispose();
    await target?.close();
  });

  const leaseOwners = async () => {
    const { rows } = await direct.query<{ owner: string; n: number }>(
      `SELECT owner, count(*)::int AS n FROM "Lease" GROUP BY owner`,
    );
    return new Map(rows.map((r) => [r.owner, r.n]));
  };
  const servicesOf = async (owner: string) =>
    (await direct.query<{ serviceId: string }>(`SELECT "serviceId" FROM "Lease" WHERE owner = $1`, [owner])).rows
      .map((r) => rawIds.indexOf(r.serviceId))
      // Only the 300 services of the fixture (svc-new, registered later, has no index).
      .filter((i) => i >= 0);

  it('checks every service about once per interval: never twice within one, never a gap of two', {
    timeout: WINDOW_MS + 15_000,
  }, async () => {
    const from = Date.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const to = Date.now();
    let gaps = 0;
    let doubles = 0;
    let longest = 0;
    for (let i = 0; i < SERVICES; i++) {
      const times = target.hitTimes(path(i)).filter((t) => t >= from && t <= to);
      expect(times.length, `checks of ${path(i)} in ${WINDOW_MS} ms`).toBeGreaterThanOrEqual(
        WINDOW_MS / INTERVAL_MS - 3,
      );
      for (let k = 1; k < times.length; k++) {
        const gap = times[k]! - times[k - 1]!;
        gaps++;
        if (gap < DOUBLE_CHECK_GAP_MS) doubles++;
        longest = Math.max(longest, gap);
      }
      longest = Math.max(longest, times[0]! - from, to - times.at(-1)!);
    }
    expect(doubles, `checks closer than ${DOUBLE_CHECK_GAP_MS} ms out of ${gaps} gaps`).toBeLessThanOrEqual(
      Math.floor(gaps / 1_000),
    );
    expect(longest).toBeLessThanOrEqual(2 * INTERVAL_MS);
    console.log(
      `${SERVICES} services at 1 s on 3 replicas, ${WINDOW_MS / 1000} s: ${gaps} gaps, ${doubles} double checks, longest gap ${longest} ms`,
    );
  });

  it('delivers to a subscriber on replica A every change detected on B and C, and A answers their state', async () => {
    const owners = { b: await servicesOf('b'), c: await servicesOf('c') };
    const broken = [...owners.b.slice(0, 10), ...owners.c.slice(0, 10)];
    expect(broken).toHaveLength(20);
    for (const i of broken) target.respondWith(path(i), 503);
    for (const i of broken) {
      await changesOnA.next((e) => e.statusChanged.service.id === ids[i] && e.statusChanged.current === 'DOWN', 10_000);
    }
    const { services } = await executeOperation(fetch, replicas.a.graphqlUrl, ServicesDocument, {
      first: 100,
      filter: { status: ['DOWN'] },
    });
    expect(services.edges.map((e) => e.node.id).sort()).toEqual(broken.map((i) => ids[i]).sort());
    for (const edge of services.edges) expect(edge.node.state).toMatchObject({ status: 'DOWN', httpStatus: 503 });
    for (const i of broken) target.respondWith(path(i), 200);
  });

  it('checks a service registered on A within 1 s', async () => {
    target.respondWith('/svc/new', 200);
    const registered = Date.now();
    const { registerService } = await executeOperation(fetch, replicas.a.graphqlUrl, RegisterServiceDocument, {
      input: { name: 'svc-new', url: target.url('/svc/new'), intervalSeconds: 1, timeoutMs: 500 },
    });
    expect(registerService.__typename).toBe('ServicePayload');
    await eventually(() => (target.hits('/svc/new') > 0 ? true : undefined), 2_000, 'the first check');
    const firstCheckAfterMs = target.hitTimes('/svc/new')[0]! - registered;
    expect(firstCheckAfterMs).toBeLessThan(1_000);
    console.log(`registered on A, first check after ${firstCheckAfterMs} ms`);
  });

  it('hands the services of a replica killed with SIGKILL to the others within lease TTL + one interval', {
    timeout: 30_000,
  }, async () => {
    const orphans = await servicesOf('c');
    expect(orphans.length).toBeGreaterThan(0);
    const killed = Date.now();
    replicas.c.kill();
    await replicas.c.exited;
    const resumedAfter = await eventually(
      () => {
        const next = orphans.map((i) => target.hitTimes(path(i)).find((t) => t > killed + 50));
        return next.every((t) => t !== undefined) ? Math.max(...(next as number[])) - killed : undefined;
      },
      15_000,
      'every orphaned service checked again',
    ).catch(async (err: unknown) => {
      // Say what the cluster looked like, so that a failure here can be understood afterwards.
      const waiting = orphans.filter((i) => !target.hitTimes(path(i)).some((t) => t > killed + 50));
      const { rows } = await direct.query(`SELECT "serviceId", owner FROM "Lease" WHERE "serviceId" = ANY($1)`, [
        waiting.map((i) => rawIds[i]),
      ]);
      const leaseLogs = [replicas.a, replicas.b].map((r) =>
        r
          .logs()
          .filter((l) => l.component === 'leases' || (l.level ?? 0) >= 40)
          .slice(-10),
      );
      throw new Error(
        `${String(err)}; not checked again: ${waiting.map(path).join(', ')}; their leases: ${JSON.stringify(rows)}; logs of A and B: ${JSON.stringify(leaseLogs)}`,
      );
    });
    expect(resumedAfter).toBeLessThanOrEqual(LEASE_TTL_MS + INTERVAL_MS + 1_000);
    const owners = await leaseOwners();
    expect(owners.has('c')).toBe(false);
    console.log(
      `SIGKILL of a replica holding ${orphans.length} services: all checked again ${resumedAfter} ms later (lease TTL ${LEASE_TTL_MS} ms)`,
    );
  });

  it('rejects the late results of a replica stopped past its lease (SIGSTOP, SIGCONT): no duplicate transitions', {
    timeout: 60_000,
  }, async () => {
    const stopped = await servicesOf('b');
    const victims = stopped.slice(0, 10);
    expect(victims).toHaveLength(10);
    // Stop B in the middle of a check of one of them, so that it certainly has a late result when
    // it wakes: the check's deadline passes while it sleeps, and fires before any lease round ends.
    const hitsBefore = victims.map((i) => target.hits(path(i)));
    for (const i of victims) target.hang(path(i));
    await eventually(
      () => (victims.some((i, k) => target.hits(path(i)) > hitsBefore[k]!) ? true : undefined),
      5_000,
      'B to start a check that will not be answered',
    );
    const since = new Date();
    process.kill(replicas.b.pid, 'SIGSTOP');
    // While B sleeps, its services break; A takes them over and records the transitions.
    for (const i of victims) target.respondWith(path(i), 500);
    await eventually(
      async () => {
        const owners = await leaseOwners();
        return owners.has('b') ? undefined : true;
      },
      15_000,
      'B to lose every lease',
    );
    for (const i of victims) {
      await changesOnA.next(
        (e) =>
          e.statusChanged.service.id === ids[i] &&
          e.statusChanged.current === 'DOWN' &&
          Date.parse(e.statusChanged.at) >= since.getTime(),
        10_000,
      );
    }
    const logsBefore = replicas.b.logs().length;
    process.kill(replicas.b.pid, 'SIGCONT');
    // B wakes up with overdue timers and in-flight checks of services that are no longer its own.
    await replicas.b
      .waitForLog((r) => r.component === 'leases' && typeof r.msg === 'string' && /acquired/.test(r.msg), 15_000)
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const { rows } = await direct.query<{ serviceId: string; previous: string; current: string; n: number }>(
      `SELECT "serviceId", previous, current, count(*)::int AS n FROM "StatusChange" WHERE at >= $1 GROUP BY 1, 2, 3`,
      [since],
    );
    for (const i of victims) {
      const changes = rows.filter((r) => r.serviceId === rawIds[i]);
      expect(changes, `transitions of ${path(i)}`).toEqual([
        { serviceId: rawIds[i], previous: 'UP', current: 'DOWN', n: 1 },
      ]);
    }
    // B recorded nothing for them after it woke up.
    const lateTransitions = replicas.b
      .logs()
      .slice(logsBefore)
      .filter((r) => r.msg === 'status changed' && victims.some((i) => rawIds[i] === r.serviceId));
    expect(lateTransitions).toEqual([]);
    // It did produce late results (its overdue checks ran as it woke), and dropped them.
    const discarded = /^statuschecker_discarded_results_total (\d+)/m.exec(
      await (await fetch(`${replicas.b.url}/metrics`)).text(),
    );
    expect(Number(discarded?.[1])).toBeGreaterThan(0);
    // And B is back in the cluster, checking a share of the services again.
    await eventually(
      async () => (((await leaseOwners()).get('b') ?? 0) > 0 ? true : undefined),
      15_000,
      'B to claim services again',
    );
  });
});
