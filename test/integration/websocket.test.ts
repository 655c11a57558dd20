import { once } from 'node:events';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { StatusChangedEvent } from '../../src/checks/monitor-topics.js';
import { initialState } from '../../src/checks/service-state.js';
import { uuidv7 } from '../../src/uuidv7.js';
import { StatusChangedDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const PROTOCOL = 'graphql-transport-ws';

describe('the GraphQL WebSocket transport', () => {
  let t: TestApp;
  let wsUrl: string;
  let serviceId: string;
  let globalId: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    t = await startTestApp('embedded', { env: { SCHEDULER_ENABLED: 'false' }, listen: true });
    wsUrl = `${t.baseUrl.replace('http', 'ws')}/graphql`;
    const row = await t.app.testing.registry.register({ name: 'ws-target', url: 'http://127.0.0.1:9/' });
    serviceId = row.id;
    globalId = Buffer.from(`Service:${row.id}`).toString('base64');
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await t?.close();
  });

  const client = () => {
    const c = connectClient(`${t.baseUrl}/graphql`);
    clients.push(c);
    return c;
  };
  /** A transition as the monitor would publish it, straight onto the event bus. */
  const publishChange = (n: number, message = `change ${n}`) => {
    const event: StatusChangedEvent = {
      id: uuidv7(),
      serviceId,
      previous: n % 2 ? 'UP' : 'DOWN',
      current: n % 2 ? 'DOWN' : 'UP',
      at: new Date(),
      message,
      state: { ...initialState(false, new Date()), status: n % 2 ? 'DOWN' : 'UP' },
    };
    t.app.testing.publish('statusChanged', event);
  };
  const rawSocket = async (init = true, url = wsUrl) => {
    const socket = new WebSocket(url, PROTOCOL);
    await once(socket, 'open');
    if (init) {
      socket.send(JSON.stringify({ type: 'connection_init' }));
      const [ack] = await once(socket, 'message');
      expect(JSON.parse(String(ack))).toEqual({ type: 'connection_ack' });
    }
    return socket;
  };
  const closeOf = async (socket: WebSocket) => {
    const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
    return { code, reason: String(reason) };
  };

  it('closes a socket that sends no connection_init within 3 s with 4408', async () => {
    const socket = await rawSocket(false);
    const started = Date.now();
    expect(await closeOf(socket)).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
  });

  it('closes a socket that sends a garbage frame with 4400', async () => {
    const socket = await rawSocket();
    socket.send('this is not json {');
    expect((await closeOf(socket)).code).toBe(4400);
  });

  it('closes a socket that sends a frame over 64 KiB (1009)', async () => {
    const socket = await rawSocket();
    const closed = closeOf(socket);
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: `# ${'x'.repeat(70 * 1024)}\nsubscription { statusChanged { current } }` },
      }),
    );
    expect((await closed).code).toBe(1009);
  });

  it('refuses the 101st subscription on one socket and keeps the other 100 receiving', async () => {
    const c = client();
    const subscriptions = Array.from({ length: 100 }, () =>
      subscribe(c, StatusChangedDocument, { serviceIds: [globalId] }),
    );
    await expect.poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 }).toBeGreaterThanOrEqual(100);
    const extra = subscribe(c, StatusChangedDocument, { serviceIds: [globalId] });
    expect((await extra.failed())[0]?.message).toBe('too many subscriptions on this connection (at most 100)');

    publishChange(1, 'after the refusal');
    for (const s of subscriptions) {
      expect((await s.next((e) => e.statusChanged.message === 'after the refusal', 5_000)).statusChanged.current).toBe(
        'DOWN',
      );
    }
    // 100 subscribers of the same operation: one execution per event.
    expect(t.app.testing.live.subscriptionGroups()).toBe(1);
    for (const s of subscriptions) s.dispose();
  });

  it('answers an invalid document with an error for its id only; the healthy subscription beside it keeps receiving', async () => {
    const socket = await rawSocket();
    const received: { id?: string; type: string; payload?: unknown }[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    socket.send(
      JSON.stringify({
        id: 'good',
        type: 'subscribe',
        payload: { query: 'subscription { statusChanged { current message } }' },
      }),
    );
    socket.send(
      JSON.stringify({
        id: 'bad-field',
        type: 'subscribe',
        payload: { query: 'subscription { statusChanged { nope } }' },
      }),
    );
    socket.send(
      JSON.stringify({ id: 'bad-syntax', type: 'subscribe', payload: { query: 'subscription { statusChanged {' } }),
    );
    await expect.poll(() => received.filter((m) => m.type === 'error').length, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 }).toBeGreaterThanOrEqual(1);

    publishChange(2, 'still flowing');
    await expect
      .poll(() => received.find((m) => m.id === 'good' && m.type === 'next'), { timeout: 5_000 })
      .toBeTruthy();
    expect(received.find((m) => m.id === 'good' && m.type === 'next')).toMatchObject({
      payload: { data: { statusChanged: { current: 'UP', message: 'still flowing' } } },
    });
    expect(
      received
        .filter((m) => m.type === 'error')
        .map((m) => m.id)
        .sort(),
    ).toEqual(['bad-field', 'bad-syntax']);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  it('closes a client that stops reading (1008) and keeps delivering promptly to the others', async () => {
    // The stuck client reaches the server through a proxy of the test's, which stops reading for it.
    const { port } = new URL(t.baseUrl);
    const network = await startTcpProxy('127.0.0.1', Number(port));
    onTestFinished(() => network.close());
    const stuck = await rawSocket(true, `ws://${network.address}/graphql`);
    stuck.send(
      JSON.stringify({
        id: 's',
        type: 'subscribe',
        payload: { query: 'subscription { statusChanged { current message } }' },
      }),
    );
    const healthy = subscribe(client(), StatusChangedDocument, {});
    await expect.poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    // The stuck client stops reading: the buffers between it and the server fill, then the server's.
    network.pause();
    const connectionsBefore = t.app.testing.live.wsConnections();

    const padding = 'x'.repeat(1_000);
    for (let n = 0; n < 10_000; n++) {
      publishChange(n, `${n} ${padding}`);
      if (n % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const published = Date.now();
    publishChange(10_001, 'last one');
    await healthy.next((e) => e.statusChanged.message === 'last one', 5_000);
    const deliveredAfterMs = Date.now() - published;
    expect(deliveredAfterMs).toBeLessThan(5_000);

    // Stalled for 5 s with results waiting: the next result closes it.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    publishChange(10_002, 'after the stall');
    await healthy.next((e) => e.statusChanged.message === 'after the stall', 5_000);
    await expect.poll(() => t.app.testing.live.wsConnections(), { timeout: 5_000 }).toBe(connectionsBefore - 1);
    // Reading again, the stuck client finds its connection closed: 1008 if the close frame got
    // through, 1006 when the server had to cut it.
    const closed = closeOf(stuck);
    network.resume();
    expect([1006, 1008]).toContain((await closed).code);
    healthy.dispose();
  });

  it('closes every socket with 1001 when the server shuts down', async () => {
    const socket = await rawSocket();
    const closed = closeOf(socket);
    await t.app.testing.closeWebSockets();
    expect((await closed).code).toBe(1001);
  });
});
