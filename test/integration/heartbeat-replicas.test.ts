import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { eventually } from '../support/wait.js';

/** Calls of the push endpoint this replica answered with `outcome`. */
async function pushesCounted(replica: TestApp, outcome: string): Promise<number> {
  const metric = replica.app.testing.metrics.registry.getSingleMetric('statuschecker_heartbeat_pushes_total');
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

/** Checks stored for the service, over every minute (what the owner's history wrote). */
async function storedChecks(replica: TestApp, serviceId: string): Promise<number> {
  const rows = await replica.app.testing.prisma.checkRollup.findMany({ where: { serviceId } });
  return rows.reduce((sum, row) => sum + row.checks, 0);
}

/**
 * A heartbeat's ping may arrive at any replica. The one that does not own the service answers it
 * and hands it over the Redis bus to the owner, whose state machine records it exactly once.
 */
describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('heartbeat pushes across replicas', () => {
  let database: TestDatabase;
  const replicas: TestApp[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('postgresql');
    for (const id of ['push-a', 'push-b']) {
      replicas.push(
        await startTestApp('postgresql', {
          database,
          listen: true,
          env: { REDIS_URL: TEST_REDIS_URL!, REPLICA_ID: id, LEASE_TTL_MS: '3000' },
        }),
      );
    }
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await database?.dispose();
  });

  it('a push to the replica that does not own the service is forwarded to the owner and recorded once', {
    timeout: 60_000,
  }, async () => {
    const [a, b] = replicas as [TestApp, TestApp];
    const { id, pushToken } = await a.app.testing.registry.register({
      name: 'nightly-backup',
      kind: 'HEARTBEAT',
      heartbeat: { periodSeconds: 3600, graceSeconds: 300 },
    });
    if (pushToken === undefined) throw new Error('no push secret');
    const push = async (replica: TestApp) =>
      (await fetch(`${replica.baseUrl}/push/${id}/${pushToken}`, { method: 'POST' })).status;

    // The owner, once its lease has stayed put for two lease rounds.
    const ownerOf = async () => (await a.app.testing.prisma.lease.findUnique({ where: { serviceId: id } }))?.owner;
    const ownerId = await eventually(
      async () => {
        const before = await ownerOf();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const after = await ownerOf();
        return after && after === before ? after : undefined;
      },
      20_000,
      'a settled lease',
    );
    const owner = ownerId === 'push-a' ? a : b;
    const other = owner === a ? b : a;

    // A ping at the owner is recorded there (also: the owner tracks the heartbeat by now).
    await eventually(
      async () => {
        expect(await push(owner)).toBe(200);
        return (await pushesCounted(owner, 'accepted')) >= 1 ? true : undefined;
      },
      10_000,
      'a ping accepted by the owner',
    );
    const start = owner.app.testing.cache.get(id);
    expect(start).toMatchObject({ status: 'UP' });
    const successes = start!.consecutiveSuccesses;

    // Two pings at the other replica: answered 200 there, recorded by the owner, once each.
    const forwardedBefore = await pushesCounted(other, 'forwarded');
    expect(await push(other)).toBe(200);
    expect(await push(other)).toBe(200);
    expect(await pushesCounted(other, 'forwarded')).toBe(forwardedBefore + 2);
    await eventually(
      async () => (owner.app.testing.cache.get(id)?.consecutiveSuccesses === successes + 2 ? true : undefined),
      5_000,
      'both forwarded pings recorded by the owner',
    );
    // No third recording arrives late, and the receiver took none itself.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(owner.app.testing.cache.get(id)?.consecutiveSuccesses).toBe(successes + 2);
    expect(await pushesCounted(other, 'accepted')).toBe(0);
    await owner.app.testing.history.flush();
    await other.app.testing.history.flush();
    expect(await storedChecks(owner, id)).toBe(successes + 2);
    // The other replica's cache hears of it too (through the bus), as of any owner's result.
    await eventually(
      async () => (other.app.testing.cache.get(id)?.consecutiveSuccesses === successes + 2 ? true : undefined),
      5_000,
      'the state on the other replica',
    );
  });
});
