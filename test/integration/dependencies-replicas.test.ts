import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceDependenciesDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { dbId, flip, registerSwitched } from '../support/notify.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.js';
import { startTarget, type Target } from '../support/target-fixture.js';
import { eventually } from '../support/wait.js';

const PAIRS = 6;

/**
 * A parent checked by one replica, its child by the other: the parent's DOWN reaches the child's
 * replica through the event bus and the sync, and that replica judges the child again.
 */
describe.runIf(TEST_DATABASE_URL && TEST_REDIS_URL)('dependencies across replicas', () => {
  let database: TestDatabase;
  let target: Target;
  const replicas: TestApp[] = [];
  beforeAll(async () => {
    target = await startTarget();
    database = await createTestDatabase('postgresql');
    for (const id of ['dep-a', 'dep-b']) {
      replicas.push(
        await startTestApp('postgresql', {
          database,
          env: { REDIS_URL: TEST_REDIS_URL!, REPLICA_ID: id, LEASE_TTL_MS: '3000' },
        }),
      );
    }
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await database?.dispose();
    await target?.close();
  });

  const ownerOf = async (id: string) =>
    (await replicas[0]!.app.testing.prisma.lease.findUnique({ where: { serviceId: dbId(id) } }))?.owner;

  it('a child failing first on one replica is UNREACHABLE once its parent goes DOWN on the other', {
    timeout: 60_000,
  }, async () => {
    const [a, b] = replicas as [TestApp, TestApp];
    // Pairs until one has its parent and child on different replicas (each lease goes either way).
    const pairs: { parent: { id: string }; child: { id: string }; i: number }[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const parent = await registerSwitched(a, target, `x-parent-${i}`);
      const child = await registerSwitched(a, target, `x-child-${i}`, { dependsOn: [parent.id] });
      pairs.push({ parent, child, i });
    }
    const split = await eventually(
      async () => {
        for (const pair of pairs) {
          const [p, c] = [await ownerOf(pair.parent.id), await ownerOf(pair.child.id)];
          if (p && c && p !== c) return { ...pair, childReplica: c === 'dep-a' ? a : b };
        }
        return undefined;
      },
      10_000,
      'a pair split over the two replicas',
    );
    const { parent, child, i, childReplica } = split;

    expect((await flip(childReplica, target, `x-child-${i}`, child.id, 503)).status).toBe('DOWN');
    await flip(a, target, `x-parent-${i}`, parent.id, 503);
    // Judged on the child's replica, seen on both.
    for (const replica of replicas) {
      await eventually(
        () => (replica.app.testing.cache.get(dbId(child.id))?.status === 'UNREACHABLE' ? true : undefined),
        3_000,
        'the child UNREACHABLE on every replica',
      );
      const { node } = await replica.run(ServiceDependenciesDocument, { id: child.id });
      expect(node).toMatchObject({ state: { status: 'UNREACHABLE', rootCause: { id: parent.id } } });
    }
    await a.app.testing.history.flush();
    await b.app.testing.history.flush();
    const stored = await a.app.testing.prisma.statusChange.findMany({
      where: { serviceId: dbId(child.id) },
      orderBy: { id: 'asc' },
    });
    expect(stored.map((row) => `${row.previous} > ${row.current}`)).toEqual([
      'UNKNOWN > UP',
      'UP > DOWN',
      'DOWN > UNREACHABLE',
    ]);
  });
});
