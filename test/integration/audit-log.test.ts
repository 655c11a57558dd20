import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_CONFIG_FILE, createAuditLog, MAX_SUMMARY_LENGTH, recordAudit } from '../../src/audit/audit-log.js';
import { pruneAndCompact } from '../../src/history/retention.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(DATABASE_KINDS)('the audit log on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { env: { SCHEDULER_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('recordAudit inside a transaction is written with it, or not at all', async () => {
    const prisma = t.app.testing.prisma;
    await prisma.$transaction(async (tx) => {
      await recordAudit(tx, {
        actor: ACTOR_CONFIG_FILE,
        operation: 'config.CREATE',
        target: 'service "kept"',
        summary: 'created',
      });
    });
    await expect(
      prisma.$transaction(async (tx) => {
        await recordAudit(tx, {
          actor: ACTOR_CONFIG_FILE,
          operation: 'config.CREATE',
          target: 'service "lost"',
          summary: 'created',
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const targets = (await createAuditLog(prisma).page(100)).map((e) => e.target);
    expect(targets).toContain('service "kept"');
    expect(targets).not.toContain('service "lost"');
  });

  it('pages newest first, cuts long summaries, and is pruned with the history', async () => {
    const prisma = t.app.testing.prisma;
    const now = Date.now();
    const log = createAuditLog(prisma, () => new Date(now));
    await recordAudit(prisma, { actor: 'old', operation: 'x', summary: 'long ago', at: new Date(now - 100 * DAY) });
    const a = await log.record({
      actor: 'ci',
      operation: 'registerService',
      target: 'service "a"',
      summary: 'x'.repeat(5_000),
    });
    const b = await log.record({
      actor: 'ci',
      operation: 'updateService',
      target: 'service "a"',
      summary: 'changed url',
    });
    expect(a.summary).toHaveLength(MAX_SUMMARY_LENGTH);
    const first = await log.page(1);
    expect(first.map((e) => e.id)).toEqual([b.id]);
    expect((await log.page(1, first[0]!.id)).map((e) => e.id)).toEqual([a.id]);

    const pruned = await pruneAndCompact(prisma, new Date(now), 90);
    expect(pruned.auditEntriesDeleted).toBe(1);
    const actors = (await log.page(100)).map((e) => e.actor);
    expect(actors).not.toContain('old');
    expect(actors).toContain('ci');
  });
});
