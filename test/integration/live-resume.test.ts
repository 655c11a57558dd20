import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/uuidv7.js';
import { ResumedStatusChangesDocument, SummaryChangedDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { DATABASE_KINDS } from '../support/database.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { eventually } from '../support/wait.js';

/** Rows stored while a client was away: several replay pages, so that the replay takes a while. */
const STORED_WHILE_AWAY = 1_600;
const FLIPS_DURING_REPLAY = 20;

const idOfCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8').replace('StatusChange:', '');

describe.each(DATABASE_KINDS)('resumable statusChanged on %s', (kind) => {
  let t: TestApp;
  const clients: Client[] = [];
  let serviceId: string;
  let paused = false;

  const client = () => {
    const c = connectClient(`${t.baseUrl}/graphql`);
    clients.push(c);
    return c;
  };
  /** One operator transition (pause or resume): stored and published like any other. */
  const flip = async () => {
    paused = !paused;
    await t.app.testing.registry.setPaused(serviceId, paused);
  };
  const storedAfter = async (afterId: string) =>
    (
      await t.app.testing.prisma.statusChange.findMany({
        where: { serviceId, id: { gt: afterId } },
        orderBy: { id: 'asc' },
        select: { id: true },
      })
    ).map((r) => r.id);

  beforeAll(async () => {
    // No scheduler: every transition is one this test makes.
    t = await startTestApp(kind, { listen: true, env: { SCHEDULER_ENABLED: 'false' } });
    const row = await t.app.testing.registry.register({ name: 'resumable', url: 'http://127.0.0.1:9/' });
    serviceId = row.id;
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await t?.close();
  });

  it('replays every transition after the cursor, then goes on live, with none missed or twice while transitions happen during the replay', async () => {
    const globalId = encodeGlobalID('Service', serviceId);
    const first = subscribe(client(), ResumedStatusChangesDocument, { serviceIds: [globalId] });
    // Wait until the subscription is live, by a transition it must see.
    await eventually(async () => {
      await flip();
      return first.events.length > 0 || undefined;
    });
    for (let i = 0; i < 4; i++) await flip();
    await t.app.testing.history.flush();
    const newest = await t.app.testing.prisma.statusChange.findFirst({ where: { serviceId }, orderBy: { id: 'desc' } });
    await eventually(() => (idOfCursor(first.events.at(-1)!.statusChanged.cursor) === newest!.id ? true : undefined));
    const seen = first.events.map((e) => e.statusChanged.cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const cursor = seen[1]!;
    const missed = seen.slice(2).map(idOfCursor);

    // What was stored while away (by another replica, say): published to nobody here, replayed from the database.
    const at = new Date();
    await t.app.testing.prisma.statusChange.createMany({
      data: Array.from({ length: STORED_WHILE_AWAY }, (_, i) => ({
        id: uuidv7(at.getTime()),
        serviceId,
        previous: i % 2 ? 'DOWN' : 'UP',
        current: i % 2 ? 'UP' : 'DOWN',
        at,
        message: `stored ${i}`,
      })) as never,
    });

    const resumed = subscribe(client(), ResumedStatusChangesDocument, { serviceIds: [globalId], after: cursor });
    const replayTotal = missed.length + STORED_WHILE_AWAY;
    let receivedWhenFirstFlipped = -1;
    for (let i = 0; i < FLIPS_DURING_REPLAY; i++) {
      const flipped = flip();
      if (i === 0) receivedWhenFirstFlipped = resumed.events.length;
      await flipped;
    }
    // The flips began while the replay was still being sent (counted as the first one starts: on a
    // quiet machine the whole replay can arrive during that first flip's own write).
    expect(receivedWhenFirstFlipped).toBeLessThan(replayTotal);

    const total = replayTotal + FLIPS_DURING_REPLAY;
    await eventually(
      () => (resumed.events.length >= total ? true : undefined),
      30_000,
      'the replay and the live flips',
    );
    await t.app.testing.history.flush();
    // A duplicate would come after the last one: give it the time to.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.errors).toEqual([]);

    const ids = resumed.events.map((e) => idOfCursor(e.statusChanged.cursor));
    const expected = await storedAfter(idOfCursor(cursor));
    expect(expected).toHaveLength(total);
    expect(ids).toEqual(expected);
    expect(ids.slice(0, missed.length)).toEqual(missed);
    expect(resumed.events.at(-1)!.statusChanged.current).toBe(paused ? 'PAUSED' : 'UNKNOWN');
    first.dispose();
    resumed.dispose();
  });

  it('resumes from the newest cursor with nothing to replay, then live', async () => {
    const globalId = encodeGlobalID('Service', serviceId);
    await t.app.testing.history.flush();
    const newest = await t.app.testing.prisma.statusChange.findFirst({ where: { serviceId }, orderBy: { id: 'desc' } });
    const cursor = Buffer.from(`StatusChange:${newest!.id}`).toString('base64url');
    const resumed = subscribe(client(), ResumedStatusChangesDocument, { serviceIds: [globalId], after: cursor });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events).toEqual([]);
    await flip();
    const event = await resumed.next();
    expect(event.statusChanged.previous).toBe(paused ? 'UNKNOWN' : 'PAUSED');
    expect(idOfCursor(event.statusChanged.cursor) > newest!.id).toBe(true);
    resumed.dispose();
  });

  it('refuses a cursor that is not one, and one older than the history kept', async () => {
    const bad = subscribe(client(), ResumedStatusChangesDocument, { after: 'not-a-cursor' });
    expect((await bad.failed())[0]!.message).toMatch(/invalid cursor/);
    // uuidv7() never goes back in time: a 400-day-old id is written by hand.
    const ms = (Date.now() - 400 * 86_400_000).toString(16).padStart(12, '0');
    const oldId = `${ms.slice(0, 8)}-${ms.slice(8)}-7000-8000-000000000000`;
    const old = Buffer.from(`StatusChange:${oldId}`).toString('base64url');
    const tooOld = subscribe(client(), ResumedStatusChangesDocument, { after: old });
    expect((await tooOld.failed())[0]!.message).toMatch(/older than the history kept/);
  });

  it('summaryChanged sends the counts when they change, at most once a second', async () => {
    const summaries = subscribe(client(), SummaryChangedDocument);
    const received: number[] = [];
    const seenAt = () => received.push(Date.now());
    // Ten changes in a burst: the first is sent at once, the rest as one message with the final counts.
    await eventually(async () => {
      await flip();
      return summaries.events.length > 0 || undefined;
    });
    seenAt();
    for (let i = 0; i < 10; i++) await flip();
    // A burst that ends where the last message left off is rightly not sent at all: end elsewhere.
    if (summaries.events.at(-1)?.summaryChanged.paused === (paused ? 1 : 0)) await flip();
    await eventually(
      () =>
        (summaries.events.at(-1)?.summaryChanged.paused === (paused ? 1 : 0) && summaries.events.length >= 2) ||
        undefined,
      5_000,
      'the coalesced summary',
    );
    seenAt();
    expect(summaries.events.length).toBeLessThanOrEqual(3);
    const last = summaries.events.at(-1)!.summaryChanged;
    expect(last).toEqual({ total: 1, up: 0, down: 0, paused: paused ? 1 : 0, unknown: paused ? 0 : 1 });
    expect(received[1]! - received[0]!).toBeGreaterThanOrEqual(900);
    summaries.dispose();
  });
});
