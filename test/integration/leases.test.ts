import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialState } from '../../src/checks/service-state.js';
import { createLeaseOwnership } from '../../src/cluster/leases.js';
import type { Ownership } from '../../src/cluster/ownership.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { insertTransitions, upsertRollups, upsertStates } from '../../src/history/history-sql.js';
import { addCheck, emptyRollup } from '../../src/history/rollup-buffer.js';
import { createLogger } from '../../src/logger.js';
import { uuidv7 } from '../../src/uuidv7.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_DATABASE_URL } from '../support/services.js';
import { eventually } from '../support/wait.js';

const logger = createLogger('silent');

describe.runIf(TEST_DATABASE_URL)('leases on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Database;
  const services: string[] = [];
  const replicas: Ownership[] = [];
  const acquired = new Map<string, Set<string>>();

  beforeAll(async () => {
    database = await createTestDatabase('postgresql');
    db = await openDatabase({ url: database.url, dataDir: database.dataDir, logger });
    await db.migrate();
    for (let i = 0; i < 10; i++) {
      const row = await db.prisma.service.create({
        data: {
          name: `leased-${i}`,
          url: 'http://example.com/',
          intervalSeconds: 1,
          timeoutMs: 500,
          expectedStatus: '200-299',
          failureThreshold: 1,
          successThreshold: 1,
          labels: [],
        },
      });
      services.push(row.id);
    }
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await db?.close();
    await database?.dispose();
  });

  const replica = (id: string, ttlMs = 2_000, periodMs = 200) => {
    const held = new Set<string>();
    acquired.set(id, held);
    const ownership = createLeaseOwnership({
      prisma: db.prisma,
      replicaId: id,
      ttlMs,
      periodMs,
      events: {
        acquired: (ids) => {
          for (const s of ids) held.add(s);
        },
        lost: (ids) => {
          for (const s of ids) held.delete(s);
        },
      },
      logger,
    });
    replicas.push(ownership);
    return ownership;
  };
  const owners = async () => {
    const rows = await db.prisma.lease.findMany({ select: { serviceId: true, owner: true, token: true } });
    return new Map(rows.map((r) => [r.serviceId, r]));
  };

  it('shares the services between two replicas, each one owned once', async () => {
    const one = replica('one');
    const two = replica('two');
    one.start();
    two.start();
    await eventually(() => (one.owned === 5 && two.owned === 5 ? true : undefined), 10_000, 'a fair share each');
    const leases = await owners();
    expect(leases.size).toBe(10);
    for (const id of services) {
      expect(one.owns(id) !== two.owns(id)).toBe(true);
      expect(leases.get(id)!.owner).toBe(one.owns(id) ? 'one' : 'two');
      expect(one.fenceOf(id) ?? two.fenceOf(id)).toBe(leases.get(id)!.token);
    }
    expect([...acquired.get('one')!].sort()).toEqual(services.filter((id) => one.owns(id)).sort());
  });

  it('fences out the history of a replica whose lease was taken over', async () => {
    const [one, two] = replicas as [Ownership, Ownership];
    const serviceId = services.find((id) => one.owns(id))!;
    const staleToken = one.fenceOf(serviceId)!;
    const state = { ...initialState(false, new Date()), status: 'DOWN' as const, lastCheckedAt: new Date() };
    const rollup = emptyRollup(serviceId, Date.now() - (Date.now() % 60_000), staleToken);
    addCheck(rollup, false, false, 12);

    // Written while the token is the lease's.
    const first = {
      id: uuidv7(),
      serviceId,
      previous: 'UP',
      current: 'DOWN',
      at: Date.now(),
      message: 'm',
      fence: staleToken,
    };
    expect(await insertTransitions(db.prisma, [first])).toBe(0);
    expect(await db.prisma.statusChange.count({ where: { id: first.id } })).toBe(1);

    // Replica one goes away and two claims the service under a new token. (The e2e test of three
    // replicas does the real thing with SIGSTOP; here one's writes arrive afterwards on purpose.)
    await one.stop();
    await eventually(() => (two.owns(serviceId) ? true : undefined), 10_000, 'the takeover');
    expect(two.fenceOf(serviceId)).not.toBe(staleToken);

    // Everything one still had under its old token is refused, and counted.
    const late = { ...first, id: uuidv7(), previous: 'DOWN', current: 'UP' };
    expect(await insertTransitions(db.prisma, [late])).toBe(1);
    expect(await db.prisma.statusChange.count({ where: { id: late.id } })).toBe(0);
    expect(await upsertStates(db.prisma, [{ serviceId, state, at: Date.now(), fence: staleToken }])).toBe(1);
    expect(await db.prisma.lastKnownState.count({ where: { serviceId } })).toBe(0);
    expect(await upsertRollups(db.prisma, [rollup])).toBe(1);
    expect(await db.prisma.checkRollup.count({ where: { serviceId } })).toBe(0);

    // The new owner's token is accepted.
    expect(await insertTransitions(db.prisma, [{ ...late, id: uuidv7(), fence: two.fenceOf(serviceId) }])).toBe(0);
  });

  it('stops accepting results when it can no longer vouch for its lease, and lets paused services go', async () => {
    // A replica whose renewals stall (a long pause): it still holds the lease but must not report.
    const slow = replica('slow', 1_000, 60_000);
    await db.prisma.lease.deleteMany({});
    for (const r of replicas.slice(0, 2)) await r.stop();
    slow.start();
    await eventually(() => (slow.owned === 10 ? true : undefined), 5_000, 'the claim');
    const serviceId = services[0]!;
    expect(slow.accepts(serviceId)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(slow.owns(serviceId)).toBe(true);
    expect(slow.accepts(serviceId)).toBe(false);

    // A paused service's lease is given back on the next round.
    await db.prisma.service.update({ where: { id: serviceId }, data: { paused: true } });
    slow.claimSoon();
    await eventually(() => (slow.owns(serviceId) ? undefined : true), 5_000, 'the paused service let go');
    expect((await owners()).has(serviceId)).toBe(false);
    expect(slow.accepts(services[1]!)).toBe(true);
  });

  it('refuses a second live process with the same REPLICA_ID: it claims nothing', async () => {
    await db.prisma.service.updateMany({ data: { paused: false } });
    for (const r of replicas.splice(0)) await r.stop();
    await db.prisma.lease.deleteMany({});
    const first = replica('twin');
    first.start();
    await eventually(() => (first.owned === 10 ? true : undefined), 5_000, 'the first twin to claim');
    const second = replica('twin');
    second.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(second.owned).toBe(0);
    expect(first.owned).toBe(10);
    expect(
      (await db.prisma.lease.findMany()).every((l) => l.owner === 'twin' && first.fenceOf(l.serviceId) === l.token),
    ).toBe(true);
  });
});
