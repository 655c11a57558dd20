import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckCompletedDocument, RegisterServiceDocument, StatusChangedDocument } from '../generated/graphql.js';
import { executeOperation } from '../support/graphql.js';
import { type ServerProcess, startServer, stopAllServers } from '../support/server-process.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';

describe('live status over graphql-ws, against the real server process', () => {
  let server: ServerProcess;
  let target: Target;
  let client: Client;
  beforeAll(async () => {
    target = await startTarget();
    server = await startServer();
    client = connectClient(server.graphqlUrl);
  });
  afterAll(async () => {
    await client?.dispose();
    await stopAllServers();
    await target?.close();
  });

  const register = async (name: string, path: string) => {
    target.respondWith(path, 200);
    const { registerService } = await executeOperation(fetch, server.graphqlUrl, RegisterServiceDocument, {
      input: { name, url: target.url(path), intervalSeconds: 1, timeoutMs: 500 },
    });
    if (registerService.__typename !== 'ServicePayload') throw new Error(JSON.stringify(registerService));
    return registerService.service.id;
  };

  it('streams DOWN with its message when a target breaks, and UP with previous DOWN when it is repaired', async () => {
    // Subscribed before the services exist: their first check (within a second) may come before
    // a subscription made after registering could be set up.
    const everything = subscribe(client, StatusChangedDocument, {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    const a = await register('live-a', '/switch/live-a');
    const onlyA = subscribe(client, StatusChangedDocument, { serviceIds: [a] });
    const checksOfA = subscribe(client, CheckCompletedDocument, { serviceIds: [a] });
    const b = await register('live-b', '/switch/live-b');

    await everything.next((e) => e.statusChanged.service.id === a && e.statusChanged.current === 'UP');
    await everything.next((e) => e.statusChanged.service.id === b && e.statusChanged.current === 'UP');

    target.respondWith('/switch/live-a', 503);
    const down = await onlyA.next((e) => e.statusChanged.current === 'DOWN');
    expect(down.statusChanged).toMatchObject({
      service: { id: a, name: 'live-a' },
      previous: 'UP',
      current: 'DOWN',
      message: 'expected 200-299, got 503',
      state: { status: 'DOWN', httpStatus: 503, reason: 'HTTP_STATUS', message: 'expected 200-299, got 503' },
    });

    target.respondWith('/switch/live-a', 200);
    const up = await onlyA.next((e) => e.statusChanged.previous === 'DOWN');
    expect(up.statusChanged).toMatchObject({ previous: 'DOWN', current: 'UP', state: { status: 'UP', reason: null } });
    expect(Date.parse(up.statusChanged.at)).toBeGreaterThan(Date.parse(down.statusChanged.at));

    // Filtering: B breaks; the subscriber to everything hears it, the subscriber to A does not.
    target.respondWith('/switch/live-b', 500);
    await everything.next((e) => e.statusChanged.service.id === b && e.statusChanged.current === 'DOWN');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(onlyA.events.length).toBeGreaterThanOrEqual(2);
    for (const event of onlyA.events) expect(event.statusChanged.service.id).toBe(a);

    // checkCompleted streams every check of A, and only A.
    const result = await checksOfA.next((e) => e.checkCompleted.ok);
    expect(result.checkCompleted).toMatchObject({ service: { id: a }, ok: true, httpStatus: 200, reason: null });
    for (const event of checksOfA.events) expect(event.checkCompleted.service.id).toBe(a);
    expect(onlyA.errors).toEqual([]);
    expect(everything.errors).toEqual([]);
    for (const s of [onlyA, everything, checksOfA]) s.dispose();
  });

  it('refuses a checkCompleted subscription with no ids, and one with more than 100', async () => {
    const none = subscribe(client, CheckCompletedDocument, { serviceIds: [] });
    expect((await none.failed())[0]?.message).toContain('1 to 100 service ids');
    const ids = Array.from({ length: 101 }, (_, i) => Buffer.from(`Service:${i}`).toString('base64'));
    const tooMany = subscribe(client, CheckCompletedDocument, { serviceIds: ids });
    expect((await tooMany.failed())[0]?.message).toContain('got 101');
  });
});
