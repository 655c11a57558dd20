import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusChangedDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CONFIG_ENV, toYaml } from '../support/config-document.js';
import { DATABASE_KINDS } from '../support/database.js';
import { executeRaw } from '../support/graphql.js';
import { connectClient, subscribe } from '../support/subscriptions.js';
import { startTarget, type Target } from '../support/target-fixture.js';

const REGISTER = `mutation($input: RegisterServiceInput!) { registerService(input: $input) { __typename ... on Error { message } } }`;

describe.each(DATABASE_KINDS)('config applied live on %s', (kind) => {
  let t: TestApp;
  let target: Target;

  beforeAll(async () => {
    target = await startTarget();
    t = await startTestApp(kind, { listen: true, env: { ...CONFIG_ENV } });
  });
  afterAll(async () => {
    await t?.close();
    await target?.close();
  });

  it('starts checking what it creates within a second, and subscribers see the transitions', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`);
    const changes = subscribe(client, StatusChangedDocument, {});
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const document = toYaml({
        services: [
          { name: 'live-a', url: target.url('/ok'), intervalSeconds: 60 },
          { name: 'live-b', url: target.url('/status/503'), intervalSeconds: 60 },
        ],
      });
      const result = await t.app.testing.configAsCode.applyConfig(document, 'YAML', false);
      expect(result).toMatchObject({ ok: true, plan: { applied: true } });
      const appliedAt = Date.now();
      const up = await changes.next(
        (e) => e.statusChanged.service.name === 'live-a' && e.statusChanged.current === 'UP',
        3_000,
      );
      const down = await changes.next(
        (e) => e.statusChanged.service.name === 'live-b' && e.statusChanged.current === 'DOWN',
        3_000,
      );
      expect(up.statusChanged.previous).toBe('UNKNOWN');
      expect(down.statusChanged.state.httpStatus).toBe(503);
      // The first checks begin within a second of the commit (a new service's first check is due
      // at a random instant of NEW_JOB_WINDOW_MS, 1 s, as for registerService); 500 ms of slack for
      // a loaded machine, far below the 60 s interval a missed start would wait for.
      expect(target.hitTimes('/ok')[0]! - appliedAt).toBeLessThan(1_500);
      expect(target.hitTimes('/status/503')[0]! - appliedAt).toBeLessThan(1_500);
    } finally {
      changes.dispose();
      await client.dispose();
    }
  });

  it('puts a window it creates in force at once, and a service it names under MAINTENANCE', async () => {
    const client = connectClient(`${t.baseUrl}/graphql`);
    const changes = subscribe(client, StatusChangedDocument, {});
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const service = { name: 'live-window', url: target.url('/ok'), intervalSeconds: 60 };
      await t.app.testing.configAsCode.applyConfig(toYaml({ services: [service] }), 'YAML', false);
      await changes.next(
        (e) => e.statusChanged.service.name === 'live-window' && e.statusChanged.current === 'UP',
        3_000,
      );
      const window = {
        name: 'now',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        services: ['live-window'],
      };
      const result = await t.app.testing.configAsCode.applyConfig(
        toYaml({ services: [service], maintenanceWindows: [window] }),
        'YAML',
        false,
      );
      expect(result).toMatchObject({ ok: true, plan: { applied: true } });
      const entered = await changes.next(
        (e) => e.statusChanged.service.name === 'live-window' && e.statusChanged.current === 'MAINTENANCE',
        3_000,
      );
      expect(entered.statusChanged.previous).toBe('UP');
      // Pruned from the document: the window ends, and the service is judged again.
      await t.app.testing.configAsCode.applyConfig(toYaml({ services: [service] }), 'YAML', false, true);
      await changes.next(
        (e) => e.statusChanged.service.name === 'live-window' && e.statusChanged.previous === 'MAINTENANCE',
        3_000,
      );
    } finally {
      changes.dispose();
      await client.dispose();
    }
  });

  it('leaves no partial state when an API mutation races an apply', async () => {
    const services = Array.from({ length: 200 }, (_, i) => `svc-${String(i).padStart(4, '0')}`).map((name) => ({
      name,
      url: target.url(`/ok?${name}`),
      intervalSeconds: 300,
    }));
    const names = new Set(services.map((s) => s.name));
    const text = toYaml({ services });
    const seen = new Set<number>();
    let polling = true;
    const countConfigured = async () =>
      (await t.app.testing.prisma.service.findMany({ select: { name: true } })).filter((s) => names.has(s.name)).length;
    const poller = (async () => {
      while (polling) {
        seen.add(await countConfigured());
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const applying = t.app.testing.configAsCode.applyConfig(text, 'YAML', false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const racing = await executeRaw(fetch, `${t.baseUrl}/graphql`, REGISTER, {
      input: { name: 'svc-0100', url: target.url('/racing'), intervalSeconds: 300 },
    });
    const result = await applying;
    polling = false;
    await poller;
    const raced = (racing.body.data as { registerService: { __typename: string } }).registerService.__typename;
    const final = await countConfigured();
    if (result.ok) {
      // The apply committed whole: every service, with the document's definition (the API's one
      // was either refused, or came first and was updated by the plan made inside the transaction).
      expect(final).toBe(200);
      expect(['ServicePayload', 'ConflictError']).toContain(raced);
      expect((await t.app.testing.registry.findByName('svc-0100'))?.url).toBe(target.url('/ok?svc-0100'));
    } else {
      // Refused whole: only the API's service exists.
      expect(raced).toBe('ServicePayload');
      expect(final).toBe(1);
      expect(result.problems[0]!.path).toBe('services[100]');
    }
    expect(
      [...seen].every((count) => count === 0 || count === 1 || count === 200),
      [...seen].join(','),
    ).toBe(true);
  });
});
