import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetPolicy } from '../../../src/policy/target-policy.js';
import { createProber, type KindTarget } from '../../../src/probe/kinds.js';
import type { Prober } from '../../../src/probe/prober.js';
import {
  CheckKindServiceNowDocument,
  KindStatusChangedDocument,
  RegisterKindServiceDocument,
  type RegisterServiceInput,
  TestCheckDocument,
} from '../../generated/graphql.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { DATABASE_KINDS } from '../../support/database.js';
import { kindTarget } from '../../support/kind-target.js';
import { connectClient, subscribe, untilSubscribed } from '../../support/subscriptions.js';
import { closedPort } from '../../support/target-fixture.js';
import { startTcpPeer, type TcpPeer } from '../../support/tcp-peer.js';

const USER_AGENT = 'statuschecker-test';

const tcpTarget = (url: string, overrides: Partial<KindTarget> = {}) => kindTarget('TCP', url, overrides);

describe('tcp:// checks against real peers', () => {
  let prober: Prober<KindTarget>;
  let answering: TcpPeer;
  let silent: TcpPeer;
  let closing: TcpPeer;
  beforeAll(async () => {
    prober = createProber({ userAgent: USER_AGENT });
    [answering, silent, closing] = await Promise.all([
      startTcpPeer('answering'),
      startTcpPeer('silent'),
      startTcpPeer('closing'),
    ]);
  });
  afterAll(async () => {
    await prober?.close();
    await Promise.all([answering?.close(), silent?.close(), closing?.close()]);
  });

  it('passes once connected, with nothing to send or expect', async () => {
    const result = await prober.probe(tcpTarget(silent.url));
    expect(result).toMatchObject({ ok: true, degraded: false, reason: null, message: null, httpStatus: null });
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('passes when the peer sends the expected text after what was sent', async () => {
    const result = await prober.probe(tcpTarget(answering.url, { tcp: { send: 'PING\r\n', expect: '+PONG' } }));
    expect(result).toMatchObject({ ok: true, reason: null });
    expect(answering.received.join('')).toContain('PING\r\n');
  });

  it('fails with BODY_MISMATCH naming what arrived when the expected text never comes before the peer closes', async () => {
    const result = await prober.probe(tcpTarget(closing.url, { tcp: { send: null, expect: '+PONG' } }));
    expect(result).toMatchObject({
      ok: false,
      reason: 'BODY_MISMATCH',
      message: 'expected "+PONG" before the peer closed the connection, got nothing',
    });
  });

  it('passes against a peer that closes at once when nothing is expected (the port is open)', async () => {
    expect(await prober.probe(tcpTarget(closing.url))).toMatchObject({ ok: true });
  });

  it('honours timeoutMs as one deadline against a silent peer: TIMEOUT once connected', async () => {
    const result = await prober.probe(tcpTarget(silent.url, { timeoutMs: 300, tcp: { send: null, expect: 'x' } }));
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT', message: 'timed out after 300 ms' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(299);
  });

  it('does not pass a peer that answers something else: it keeps reading until the deadline', async () => {
    const result = await prober.probe(
      tcpTarget(answering.url, { timeoutMs: 300, tcp: { send: null, expect: 'SSH-2.0' } }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'TIMEOUT', message: 'timed out after 300 ms' });
  });

  it('fails with CONNECT_REFUSED where nothing listens', async () => {
    const result = await prober.probe(tcpTarget(`tcp://127.0.0.1:${await closedPort()}`));
    expect(result).toMatchObject({ ok: false, reason: 'CONNECT_REFUSED', message: 'connection refused' });
  });

  it('fails with DNS when the host does not resolve', async () => {
    const failing: LookupFunction = (_host, _options, callback) =>
      callback(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }), '', 0);
    const own = createProber({ userAgent: USER_AGENT, lookup: failing });
    try {
      expect(await own.probe(tcpTarget('tcp://db.invalid:5432'))).toMatchObject({
        ok: false,
        reason: 'DNS',
        message: 'could not resolve host db.invalid',
      });
    } finally {
      await own.close();
    }
  });

  it('is DEGRADED when the expected text arrives later than degradedAboveMs', async () => {
    const slow = await startTcpPeer('slow');
    try {
      const result = await prober.probe(
        tcpTarget(slow.url, { degradedAboveMs: 50, tcp: { send: null, expect: 'HELLO' } }),
      );
      expect(result).toMatchObject({
        ok: true,
        degraded: true,
        message: expect.stringMatching(/^slow: \d+ ms, above 50 ms$/),
      });
      expect(result.latencyMs).toBeGreaterThanOrEqual(150);
    } finally {
      await slow.close();
    }
  });

  it('ends a running check on close with a NETWORK failure', async () => {
    const own = createProber({ userAgent: USER_AGENT });
    const running = own.probe(tcpTarget(silent.url, { timeoutMs: 5_000, tcp: { send: null, expect: 'x' } }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();
    expect(await running).toMatchObject({ ok: false, reason: 'NETWORK', message: 'aborted' });
  });

  it("ends a running check when the caller's signal fires, and then frees the connection", async () => {
    const caller = new AbortController();
    const running = prober.probe(
      tcpTarget(silent.url, { timeoutMs: 5_000, tcp: { send: null, expect: 'x' } }),
      caller.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const open = silent.connections();
    caller.abort();
    expect(await running).toMatchObject({ ok: false, reason: 'NETWORK', message: 'aborted' });
    await expect.poll(() => silent.connections()).toBe(open - 1);
  });

  describe('under TARGET_POLICY=public-only', () => {
    const policy = createTargetPolicy({ mode: 'public-only', allow: [], deny: [] });
    let strict: Prober<KindTarget>;
    const toLoopback: LookupFunction = (_host, _options, callback) =>
      (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: '127.0.0.1', family: 4 },
      ]);
    beforeAll(() => {
      strict = createProber({ userAgent: USER_AGENT, policy, lookup: toLoopback });
    });
    afterAll(() => strict?.close());

    it('refuses a blocked literal address without connecting', async () => {
      expect(await strict.probe(tcpTarget('tcp://169.254.169.254:80'))).toMatchObject({
        ok: false,
        reason: 'POLICY',
        message:
          'blocked by target policy: 169.254.169.254 is the link-local cloud instance metadata address (TARGET_POLICY=public-only)',
      });
    });

    it('refuses a name whose resolved address is blocked, and never connects to it', async () => {
      const before = answering.received.length;
      const result = await strict.probe(
        tcpTarget(`tcp://peer.example:${answering.port}`, { tcp: { send: 'PING\r\n', expect: null } }),
      );
      expect(result).toMatchObject({
        ok: false,
        reason: 'POLICY',
        message: expect.stringMatching(/^blocked by target policy: 127\.0\.0\.1 is a loopback address/),
      });
      expect(answering.received.length).toBe(before);
    });
  });
});

describe.each(DATABASE_KINDS)('tcp services in the app on %s', (database) => {
  let t: TestApp;
  let peer: TcpPeer;
  beforeAll(async () => {
    peer = await startTcpPeer('answering');
    t = await startTestApp(database, { listen: true });
  });
  afterAll(async () => {
    await t?.close();
    await peer?.close();
  });

  const register = async (input: RegisterServiceInput) => {
    const { registerService } = await t.run(RegisterKindServiceDocument, { input });
    return registerService;
  };

  it('registers a tcp:// service as TCP with its options, and a subscriber sees it go UP, then DOWN', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`);
    const events = subscribe(client, KindStatusChangedDocument, {});
    await untilSubscribed(t.app);
    try {
      const result = await register({
        name: `tcp-${database}`,
        url: peer.url,
        intervalSeconds: 3600,
        timeoutMs: 1_000,
        tcp: { send: 'PING\r\n', expect: '+PONG' },
      });
      if (result.__typename !== 'ServicePayload') throw new Error(JSON.stringify(result));
      const { service } = result;
      expect(service).toMatchObject({ kind: 'TCP', url: peer.url, tcp: { send: 'PING\r\n', expect: '+PONG' } });

      const up = await events.next((e) => e.statusChanged.service.id === service.id, 5_000);
      expect(up.statusChanged).toMatchObject({ service: { kind: 'TCP' }, previous: 'UNKNOWN', current: 'UP' });

      await peer.close();
      const { checkServiceNow } = await t.run(CheckKindServiceNowDocument, { id: service.id });
      if (checkServiceNow.__typename !== 'ServicePayload') throw new Error(JSON.stringify(checkServiceNow));
      expect(checkServiceNow.service.state).toMatchObject({ status: 'DOWN', reason: 'CONNECT_REFUSED' });
      const down = await events.next((e) => e.statusChanged.current === 'DOWN', 5_000);
      expect(down.statusChanged).toMatchObject({
        previous: 'UP',
        current: 'DOWN',
        message: 'connection refused',
        state: { reason: 'CONNECT_REFUSED' },
      });
    } finally {
      events.dispose();
      await client.dispose();
    }
  });

  it('runs testCheck for a tcp:// definition without storing it', async () => {
    const live = await startTcpPeer('answering');
    try {
      const { testCheck } = await t.run(TestCheckDocument, {
        input: { name: 'try tcp', url: live.url, tcp: { send: 'PING\r\n', expect: '+PONG' } },
      });
      expect(testCheck).toMatchObject({ __typename: 'TestCheckPayload', ok: true, reason: null });
      const { testCheck: refused } = await t.run(TestCheckDocument, {
        input: { name: 'try tcp', url: live.url, tcp: { send: null, expect: 'SSH-2.0' }, timeoutMs: 300 },
      });
      expect(refused).toMatchObject({ ok: false, reason: 'TIMEOUT', detail: 'timed out after 300 ms' });
    } finally {
      await live.close();
    }
  });

  it('rejects a tcp:// url without a port, naming the field', async () => {
    expect(await register({ name: 'no-port', url: 'tcp://127.0.0.1' })).toMatchObject({
      __typename: 'ValidationError',
      field: 'url',
      message: expect.stringContaining('must name a port'),
    });
  });
});

describe('tcp registration under TARGET_POLICY=public-only', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('embedded', { env: { TARGET_POLICY: 'public-only', SCHEDULER_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('refuses tcp://169.254.169.254:80 like an http url, naming url', async () => {
    const { registerService } = await t.run(RegisterKindServiceDocument, {
      input: { name: 'metadata', url: 'tcp://169.254.169.254:80' },
    });
    expect(registerService).toMatchObject({
      __typename: 'ValidationError',
      field: 'url',
      message: expect.stringContaining('link-local cloud instance metadata address'),
    });
  });
});
