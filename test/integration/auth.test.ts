import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
} from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema/index.js';
import { createAuthenticator, type Principal, TOKEN_ONLY_FIELDS, TOKEN_ONLY_TYPES } from '../../src/server/auth.js';
import { StatusChangedDocument } from '../generated/graphql.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { executeRaw } from '../support/graphql.js';
import { connectClient, subscribe } from '../support/subscriptions.js';

const TOKEN_A = 'walk-token-aaaaaaaaaaaa-1';
const TOKEN_B = 'walk-token-bbbbbbbbbbbb-2';
const WRONG_TOKEN = 'walk-token-cccccccccccc-3';
const METRICS_TOKEN = 'metrics-token-mmmmmmmmmmmm';
const bearer = (token: string) => `Bearer ${token}`;
const globalIdOf = (serviceId: string) => Buffer.from(`Service:${serviceId}`).toString('base64');
const encodeGlobalID = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

// ---------------------------------------------------------------------------------------------
// The authenticator itself, table-driven, against what auth.ts documents: "Bearer" in any case,
// one or more spaces after it, optional trailing spaces; the token itself compared exactly.
// ---------------------------------------------------------------------------------------------

describe('the authenticator', () => {
  const T1 = 'tok-aaaaaaaaaaaaaaaa-1';
  const T2 = 'tok-bbbbbbbbbbbbbbbb-2';
  const auth = createAuthenticator({ tokens: [T1, T2], publicRead: false });

  it.each<[string, unknown, string]>([
    ['no header', undefined, 'anonymous'],
    ['null', null, 'anonymous'],
    ['an empty value', '', 'anonymous'],
    ['the first token', `Bearer ${T1}`, 'token:0'],
    ['the second token', `Bearer ${T2}`, 'token:1'],
    ['"bearer" in lower case', `bearer ${T1}`, 'token:0'],
    ['"BEARER" in upper case', `BEARER ${T2}`, 'token:1'],
    ['"BeArEr" mixed case', `BeArEr ${T1}`, 'token:0'],
    ['several spaces after Bearer', `Bearer    ${T1}`, 'token:0'],
    ['trailing spaces', `Bearer ${T1}   `, 'token:0'],
    ['a prefix of a valid token', `Bearer ${T1.slice(0, -1)}`, 'invalid'],
    ['a valid token with one more character', `Bearer ${T1}x`, 'invalid'],
    ['a much shorter token', 'Bearer tok', 'invalid'],
    ['a much longer token', `Bearer ${T1.repeat(10)}`, 'invalid'],
    ['the token in another case', `Bearer ${T1.toUpperCase()}`, 'invalid'],
    ['the token without the scheme', T1, 'invalid'],
    ['another scheme', `Basic ${T1}`, 'invalid'],
    ['a leading space', ` Bearer ${T1}`, 'invalid'],
    ['a tab instead of a space', `Bearer\t${T1}`, 'invalid'],
    ['no space after Bearer', `Bearer${T1}`, 'invalid'],
    ['the scheme alone', 'Bearer ', 'invalid'],
    ['two tokens', `Bearer ${T1} ${T2}`, 'invalid'],
    ['a comma-joined pair', `Bearer ${T1},${T2}`, 'invalid'],
    ['a number', 42, 'invalid'],
    ['an object', { authorization: `Bearer ${T1}` }, 'invalid'],
    ['an array holding a valid value', [`Bearer ${T1}`], 'invalid'],
  ])('%s → %s', (_what, authorization, key) => {
    expect((auth.principalOf(authorization) as Principal).key).toBe(key);
  });

  it.each<[string, boolean, [boolean, boolean, boolean]]>([
    ['token:0', false, [true, true, true]],
    ['token:1', true, [true, true, true]],
    ['anonymous', false, [false, false, false]],
    ['anonymous', true, [true, false, false]],
    ['invalid', false, [false, false, false]],
    ['invalid', true, [false, false, false]],
  ])('%s with PUBLIC_READ=%s may run query, mutation, subscription: %j', (key, publicRead, expected) => {
    const a = createAuthenticator({ tokens: [T1, T2], publicRead });
    const authorization = { 'token:0': `Bearer ${T1}`, 'token:1': `Bearer ${T2}`, anonymous: '', invalid: 'Bearer x' }[
      key
    ];
    const principal = a.principalOf(authorization) as Principal;
    expect(principal.key).toBe(key);
    expect((['query', 'mutation', 'subscription'] as const).map((op) => a.allows(principal, op))).toEqual(expected);
  });

  it('without tokens, everyone is "open" and may do everything', () => {
    const open = createAuthenticator({ tokens: [], publicRead: false });
    expect(open.enabled).toBe(false);
    expect(
      [undefined, '', 'Bearer whatever-it-is-here', 'garbage'].map((v) => (open.principalOf(v) as Principal).key),
    ).toEqual(['open', 'open', 'open', 'open']);
    expect(open.allows(open.principalOf(undefined) as Principal, 'mutation')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The walk: every root field of the schema, read from the schema itself, over both transports.
// ---------------------------------------------------------------------------------------------

type OperationKind = 'query' | 'mutation' | 'subscription';
interface RootField {
  kind: OperationKind;
  name: string;
  field: GraphQLField<unknown, unknown>;
}

function rootFields(): RootField[] {
  const roots: [OperationKind, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) =>
    Object.values(type?.getFields() ?? {}).map((field) => ({ kind, name: field.name, field })),
  );
}

/** The typenames of mutation results that mean "refused by the domain" (Error implementations). */
const ERROR_TYPES = new Set(
  (() => {
    const error = schema.getType('Error');
    return error && isInterfaceType(error) ? schema.getPossibleTypes(error).map((t) => t.name) : [];
  })(),
);

let uniqueCounter = 0;
interface ValueContext {
  /** Global id of a service that exists. */
  serviceGlobalId: string;
  unique: string;
}

/** The status page every walk's `statusPage(slug:)` reads (the walks create it). */
const WALK_PAGE_SLUG = 'walk-page';

/**
 * Valid values for the input types the walk meets. A root field taking an input type not listed
 * here fails the walk with a message saying so: a new field cannot slip past untested.
 */
const INPUT_VALUES: Record<string, (ctx: ValueContext) => unknown> = {
  RegisterServiceInput: (ctx) => ({
    name: `walk-${ctx.unique}`,
    url: 'http://127.0.0.1:9/walk',
    intervalSeconds: 60,
    timeoutMs: 1000,
  }),
  UpdateServiceInput: () => ({ intervalSeconds: 120 }),
  ServiceFilter: () => ({ search: 'walk' }),
  IncidentInput: (ctx) => ({ title: 'walk', message: 'walk', serviceIds: [ctx.serviceGlobalId] }),
  IncidentUpdateInput: () => ({ status: 'MONITORING', message: 'walk' }),
  StatusPageInput: (ctx) => ({ slug: `walk-${ctx.unique}`, title: 'walk' }),
  MaintenanceWindowInput: (ctx) => ({
    name: `walk-${ctx.unique}`,
    startsAt: new Date(Date.now() + 3_600_000).toISOString(),
    endsAt: new Date(Date.now() + 7_200_000).toISOString(),
    // Not serviceIds: the walk points the ids of a window's fields at a window.
    labels: ['walk'],
  }),
  NotificationChannelInput: (ctx) => ({ name: `walk-${ctx.unique}`, kind: 'WEBHOOK', url: 'http://127.0.0.1:9/walk' }),
};

function valueFor(type: GraphQLInputType, ctx: ValueContext): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, ctx);
  if (isListType(type)) return [valueFor(type.ofType, ctx)];
  if (isInputObjectType(type)) {
    const make = INPUT_VALUES[type.name];
    if (!make) throw new Error(`the walk has no valid value for the input type ${type.name}: add one to INPUT_VALUES`);
    return make(ctx);
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  switch (type.name) {
    case 'ID':
      return ctx.serviceGlobalId;
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'String':
      return ctx.unique;
    case 'DateTime':
      return new Date().toISOString();
    default:
      throw new Error(`the walk has no value for the scalar ${type.name}`);
  }
}

interface Operation {
  root: RootField;
  query: string;
  variables: Record<string, unknown>;
  /** The service the operation's ids point at (a subscription is woken by checking it). */
  serviceGlobalId: string;
}

/**
 * A minimal valid operation for one root field: every required argument, plus every ID argument
 * (so `service(id:)` and `statusChanged(serviceIds:)` point at an existing service), selecting
 * only `__typename` of composite results.
 */
function operationFor(root: RootField, serviceGlobalId: string): Operation {
  const ctx: ValueContext = { serviceGlobalId, unique: `${Date.now()}-${++uniqueCounter}` };
  const args = root.field.args.filter(
    (arg) => (isNonNullType(arg.type) && arg.defaultValue === undefined) || getNamedType(arg.type).name === 'ID',
  );
  const variables = Object.fromEntries(
    // applyConfig's document: an empty one is valid (a plan of nothing).
    args.map((arg) => [
      arg.name,
      arg.name === 'slug' ? WALK_PAGE_SLUG : arg.name === 'document' ? '{}' : valueFor(arg.type, ctx),
    ]),
  );
  const declarations = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const call = args.length ? `(${args.map((arg) => `${arg.name}: $${arg.name}`).join(', ')})` : '';
  const selection = isCompositeType(getNamedType(root.field.type)) ? ' { __typename }' : '';
  const query = `${root.kind} Walk${declarations ? `(${declarations})` : ''} { ${root.name}${call}${selection} }`;
  return { root, query, variables, serviceGlobalId };
}

/** What a client sees from one attempt, reduced to one word (or the whole story when it is neither). */
type Verdict = 'answered' | 'refused' | 'closed 4403';

interface Attempt {
  status?: number;
  wwwAuthenticate?: string | null;
  body?: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  closeCode?: number;
  acknowledged?: boolean;
}

function verdictOf(op: Operation, attempt: Attempt): Verdict | string {
  const { body } = attempt;
  const value = body?.data?.[op.root.name] as { __typename?: string } | null | undefined;
  const answered =
    !body?.errors?.length && value !== undefined && value !== null && !ERROR_TYPES.has(value?.__typename ?? '');
  if (attempt.closeCode !== undefined) {
    return attempt.closeCode === 4403 && !attempt.acknowledged && !body
      ? 'closed 4403'
      : `unexpected: ${JSON.stringify(attempt)}`;
  }
  if (attempt.status === undefined)
    return answered ? 'answered' : `unexpected: ${JSON.stringify(attempt).slice(0, 500)}`;
  if (attempt.status === 200 && answered) return 'answered';
  const refused =
    attempt.status === 401 &&
    attempt.wwwAuthenticate === 'Bearer' &&
    body?.errors?.length === 1 &&
    body.errors[0]?.extensions?.code === 'UNAUTHENTICATED' &&
    (body.data === undefined || body.data === null);
  return refused ? 'refused' : `unexpected: ${JSON.stringify(attempt).slice(0, 500)}`;
}

const SSE_NEXT = /event: next\ndata: (.*)\n\n/;

/** Reads server-sent events until the first `next` event, and returns its payload. */
async function firstSseResult(response: Response, timeoutMs: number): Promise<Attempt['body'] | undefined> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const found = SSE_NEXT.exec(text);
      if (found) return JSON.parse(found[1]!) as Attempt['body'];
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), remaining);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk === 'timeout' || chunk.done) return undefined;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

describe.each([{ publicRead: false }, { publicRead: true }])(
  'with API_TOKENS set and PUBLIC_READ=$publicRead',
  ({ publicRead }) => {
    let t: TestApp;
    /** One existing service for the refused attempts: they must leave it exactly as it was. */
    let sharedService: string;
    let sharedChannel: string;
    let sharedPage: string;
    let sharedIncident: string;
    const fields = rootFields();
    /** A status page, made with a token (the walk's pages and the one statusPage(slug:) reads). */
    const createPage = async (slug: string) => {
      const { body } = await executeRaw(
        fetch,
        `${t.baseUrl}/graphql`,
        'mutation($input: StatusPageInput!) { createStatusPage(input: $input) { ... on StatusPagePayload { page { id } } } }',
        { input: { slug, title: slug } },
        { authorization: bearer(TOKEN_A) },
      );
      return (body.data as { createStatusPage: { page: { id: string } } }).createStatusPage.page.id;
    };
    /** An incident of a service, made with a token (for the fields that update one). */
    const createIncident = async (serviceGlobalId: string) => {
      const { body } = await executeRaw(
        fetch,
        `${t.baseUrl}/graphql`,
        'mutation($input: IncidentInput!) { createIncident(input: $input) { ... on IncidentPayload { incident { id } } } }',
        { input: { title: 'walk', message: 'walk', serviceIds: [serviceGlobalId] } },
        { authorization: bearer(TOKEN_A) },
      );
      return (body.data as { createIncident: { incident: { id: string } } }).createIncident.incident.id;
    };
    const updatesAnIncident = (root: RootField) => /^(update|resolve)Incident$/.test(root.name);

    beforeAll(async () => {
      t = await startTestApp('embedded', {
        env: { API_TOKENS: `${TOKEN_A},${TOKEN_B}`, PUBLIC_READ: String(publicRead) },
        listen: true,
      });
      // Paused, so the scheduler leaves it alone and only a wrongly run operation could change it.
      const shared = await t.app.testing.registry.register({ name: 'walk-shared', url: 'http://127.0.0.1:9/shared' });
      await t.app.testing.registry.setPaused(shared.id, true);
      // Its PAUSED transition stored before the walks: statusCursor answers null until one is.
      await t.app.testing.history.flush();
      sharedService = globalIdOf(shared.id);
      const channel = await t.app.testing.notifications.channels.create({
        name: 'walk-shared',
        kind: 'WEBHOOK',
        url: 'http://127.0.0.1:9/shared',
      });
      sharedChannel = encodeGlobalID('NotificationChannel', channel.id);
      sharedPage = await createPage(WALK_PAGE_SLUG);
      sharedIncident = await createIncident(sharedService);
    });
    afterAll(async () => {
      await t?.close();
    });

    /** What the ids of a field point at in the walks that must change nothing. */
    const sharedTarget = async (root: RootField) => {
      if (/notificationchannel/i.test(root.name)) return sharedChannel;
      if (/statuspage/i.test(root.name)) return sharedPage;
      return updatesAnIncident(root) ? sharedIncident : sharedService;
    };
    /** A new service to point the field's ids at (a new channel, for the fields of channels). */
    const freshService = async (root: RootField) => {
      const name = `walk-fresh-${Date.now()}-${++uniqueCounter}`;
      if (/statuspage/i.test(root.name)) return createPage(name);
      if (updatesAnIncident(root)) {
        const row = await t.app.testing.registry.register({ name, url: 'http://127.0.0.1:9/fresh' });
        return createIncident(globalIdOf(row.id));
      }
      if (/maintenancewindow/i.test(root.name)) {
        const { body } = await executeRaw(
          fetch,
          `${t.baseUrl}/graphql`,
          'mutation($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { ... on MaintenanceWindowPayload { window { id } } } }',
          { input: INPUT_VALUES.MaintenanceWindowInput!({ serviceGlobalId: '', unique: name }) },
          { authorization: bearer(TOKEN_A) },
        );
        return (body.data as { createMaintenanceWindow: { window: { id: string } } }).createMaintenanceWindow.window.id;
      }
      if (/apitoken/i.test(root.name)) {
        const { body } = await executeRaw(
          fetch,
          `${t.baseUrl}/graphql`,
          'mutation($name: String!) { createApiToken(name: $name, scopes: [READ]) { ... on CreatedApiToken { apiToken { id } } } }',
          { name },
          { authorization: bearer(TOKEN_A) },
        );
        return (body.data as { createApiToken: { apiToken: { id: string } } }).createApiToken.apiToken.id;
      }
      if (/notificationchannel/i.test(root.name)) {
        const channel = await t.app.testing.notifications.channels.create({
          name,
          kind: 'WEBHOOK',
          url: 'http://127.0.0.1:9/fresh',
        });
        return encodeGlobalID('NotificationChannel', channel.id);
      }
      // A push secret belongs to a heartbeat only (another kind answers a ValidationError).
      const heartbeat = /pushtoken/i.test(root.name)
        ? { kind: 'HEARTBEAT' as const, heartbeat: { periodSeconds: 3600, graceSeconds: 60 } }
        : { url: 'http://127.0.0.1:9/fresh' };
      const row = await t.app.testing.registry.register({ name, ...heartbeat });
      return globalIdOf(row.id);
    };
    /** Everything a refused operation could have changed: stored services and their live state. */
    const snapshot = async () => {
      const rows = await t.app.testing.registry.listAll();
      return JSON.stringify({ rows, states: rows.map((row) => t.app.testing.cache.get(row.id)) });
    };

    /**
     * Wakes a subscription on `serviceGlobalId` for real, as a token holder: a check (a finished check,
     * whatever the scheduler did before), then a pause (always a status change). What they answer
     * does not matter here: the verdict is whether the subscription received an event.
     */
    const triggerEvents = async (serviceGlobalId: string) => {
      for (const mutation of ['checkServiceNow', 'pauseService']) {
        const response = await fetch(`${t.baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: bearer(TOKEN_A) },
          body: JSON.stringify({
            query: `mutation ($id: ID!) { ${mutation}(id: $id) { __typename } }`,
            variables: { id: serviceGlobalId },
          }),
        });
        await response.text();
      }
    };

    const overHttp = async (op: Operation, authorization?: string): Promise<Attempt> => {
      const subscription = op.root.kind === 'subscription';
      const controller = new AbortController();
      const response = await fetch(`${t.baseUrl}/graphql`, {
        method: 'POST',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          // Subscriptions over HTTP are server-sent events (Yoga answers 406 to a JSON-only client).
          accept: subscription ? 'text/event-stream' : 'application/graphql-response+json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ query: op.query, variables: op.variables }),
      });
      const attempt: Attempt = { status: response.status, wwwAuthenticate: response.headers.get('www-authenticate') };
      try {
        if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
          // The subscription is live once the headers are here: wake it with a real check.
          if (response.status === 200) await triggerEvents(op.serviceGlobalId);
          attempt.body = await firstSseResult(response, 5_000);
        } else {
          attempt.body = (await response.json()) as Attempt['body'];
        }
      } finally {
        controller.abort();
      }
      return attempt;
    };

    const overWebSocket = async (op: Operation, authorization?: string): Promise<Attempt> => {
      const attempt: Attempt = { acknowledged: false };
      const client: Client = connectClient(`${t.baseUrl}/graphql`, {
        connectionParams: authorization === undefined ? {} : { authorization },
        on: {
          connected: () => {
            attempt.acknowledged = true;
          },
        },
      });
      try {
        // Earlier walk steps' subscriptions are gone first, so a new member is this one.
        await expect.poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 }).toBe(0);
        const result = new Promise<void>((resolve) => {
          client.subscribe(
            { query: op.query, variables: op.variables },
            {
              next: (value) => {
                attempt.body ??= value as Attempt['body'];
                resolve();
              },
              error: (err) => {
                const code = (err as { code?: unknown }).code;
                if (typeof code === 'number') attempt.closeCode = code;
                else attempt.body = { errors: Array.isArray(err) ? err : [{ message: String(err) }] };
                resolve();
              },
              complete: () => resolve(),
            },
          );
        });
        if (op.root.kind === 'subscription' && authorization === bearer(TOKEN_A)) {
          // Once the subscription has joined the server's shared executions, wake it for real.
          const joined = await expect
            .poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 })
            .toBe(1)
            .then(
              () => true,
              () => false,
            );
          if (joined) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            await triggerEvents(op.serviceGlobalId);
          }
        }
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([result, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]).finally(() =>
          clearTimeout(timer),
        );
      } finally {
        await client.dispose();
      }
      return attempt;
    };

    /** Runs every root field through `attempt` and returns "kind.field: verdict" lines. */
    const walk = async (
      attempt: (op: Operation) => Promise<Attempt>,
      service: (root: RootField) => Promise<string>,
    ) => {
      const lines: string[] = [];
      for (const root of fields) {
        const op = operationFor(root, await service(root));
        lines.push(`${root.kind}.${root.name}: ${verdictOf(op, await attempt(op))}`);
      }
      return lines;
    };
    const expectation = (verdict: (root: RootField) => Verdict) =>
      fields.map((root) => `${root.kind}.${root.name}: ${verdict(root)}`);

    it('walks every root field the schema has (a new one joins the walk by itself)', () => {
      const names = fields.map((f) => `${f.kind}.${f.name}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'query.node',
          'query.services',
          'query.service',
          'query.statusSummary',
          'mutation.registerService',
          'mutation.updateService',
          'mutation.unregisterService',
          'mutation.pauseService',
          'mutation.resumeService',
          'mutation.checkServiceNow',
          'mutation.testCheck',
          'subscription.statusChanged',
          'subscription.checkCompleted',
        ]),
      );
    });

    it(
      publicRead
        ? 'over HTTP, anonymously: exactly the public Query fields answer; channels, mutations and subscriptions are refused (401, Bearer)'
        : 'over HTTP, anonymously: nothing answers (401 UNAUTHENTICATED, www-authenticate: Bearer)',
      async () => {
        const before = await snapshot();
        const lines = await walk((op) => overHttp(op), sharedTarget);
        // A status page is public whatever PUBLIC_READ says.
        const isPublic = (root: RootField) =>
          (root.kind === 'query' && root.name === 'statusPage') ||
          (publicRead &&
            root.kind === 'query' &&
            !TOKEN_ONLY_TYPES.has(getNamedType(root.field.type).name) &&
            !TOKEN_ONLY_FIELDS.has(`Query.${root.name}`));
        expect(lines).toEqual(expectation((root) => (isPublic(root) ? 'answered' : 'refused')));
        expect(await snapshot()).toBe(before);
      },
    );

    it('over HTTP, with a wrong token: every field is refused, queries included', async () => {
      const before = await snapshot();
      const lines = await walk((op) => overHttp(op, bearer(WRONG_TOKEN)), sharedTarget);
      expect(lines).toEqual(expectation(() => 'refused'));
      expect(await snapshot()).toBe(before);
    });

    it('over WebSockets, anonymously and with a wrong token: closed 4403 at connection_init, for every field', async () => {
      const before = await snapshot();
      const anonymous = await walk((op) => overWebSocket(op), sharedTarget);
      expect(anonymous).toEqual(expectation(() => 'closed 4403'));
      const wrong = await walk((op) => overWebSocket(op, bearer(WRONG_TOKEN)), sharedTarget);
      expect(wrong).toEqual(expectation(() => 'closed 4403'));
      expect(await snapshot()).toBe(before);
    });

    it('with the right token, every field answers over HTTP and over WebSockets', async () => {
      expect(await walk((op) => overHttp(op, bearer(TOKEN_A)), freshService)).toEqual(expectation(() => 'answered'));
      expect(await walk((op) => overWebSocket(op, bearer(TOKEN_A)), freshService)).toEqual(
        expectation(() => 'answered'),
      );
    });

    it('the GraphiQL exemption (GET asking for HTML) runs nothing anonymously', async () => {
      const response = await fetch(`${t.baseUrl}/graphql?query=${encodeURIComponent('{ statusSummary { total } }')}`, {
        headers: { accept: 'application/graphql-response+json, text/html' },
      });
      const text = await response.text();
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(text).not.toContain('"statusSummary"');
    });
  },
);

// ---------------------------------------------------------------------------------------------
// Several tokens, per-principal subscription sharing, and /metrics.
// ---------------------------------------------------------------------------------------------

describe('several tokens, subscriptions per token, /metrics', () => {
  let t: TestApp;
  let serviceGlobalId: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    t = await startTestApp('embedded', {
      env: { API_TOKENS: ` ${TOKEN_A} , ${TOKEN_B} `, METRICS_TOKEN },
      listen: true,
    });
    serviceGlobalId = globalIdOf(
      (await t.app.testing.registry.register({ name: 'tokens-target', url: 'http://127.0.0.1:9/' })).id,
    );
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await t?.close();
  });
  const client = (token: string) => {
    const c = connectClient(`${t.baseUrl}/graphql`, { connectionParams: { authorization: bearer(token) } });
    clients.push(c);
    return c;
  };

  it.each([
    ['the first', TOKEN_A],
    ['the second', TOKEN_B],
  ])('%s of several API_TOKENS works over HTTP and over WebSockets', async (_which, token) => {
    const response = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(token) },
      body: JSON.stringify({
        query: 'mutation ($id: ID!) { pauseService(id: $id) { __typename } }',
        variables: { id: serviceGlobalId },
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { pauseService: { __typename: 'ServicePayload' } } });

    const c = client(token);
    const result = await new Promise<unknown>((resolve, reject) => {
      c.subscribe(
        { query: 'mutation ($id: ID!) { resumeService(id: $id) { __typename } }', variables: { id: serviceGlobalId } },
        {
          next: resolve,
          error: reject,
          complete: () => undefined,
        },
      );
    });
    expect(result).toEqual({ data: { resumeService: { __typename: 'ServicePayload' } } });
  });

  // What a caller can learn from a wrong token is only that it is wrong: the answer is the same
  // whatever its length, however much of a real token it shares, whichever token it resembles.
  // (That the time taken does not depend on it either is measured by bench:auth.)
  it('answers every wrong token alike, however close to a real one', async () => {
    const answerTo = async (token: string) => {
      const response = await fetch(`${t.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: bearer(token) },
        body: JSON.stringify({ query: '{ services(first: 1) { totalCount } }' }),
      });
      return {
        status: response.status,
        challenge: response.headers.get('www-authenticate'),
        body: await response.text(),
      };
    };
    const wrong = [
      WRONG_TOKEN,
      TOKEN_A.slice(0, 3),
      TOKEN_A.slice(0, -1),
      `${TOKEN_A}x`,
      `${TOKEN_B.slice(0, -1)}3`,
      TOKEN_B.toUpperCase(),
      'z'.repeat(500),
    ];
    const answers = await Promise.all(wrong.map(answerTo));
    expect(answers[0]).toEqual({
      status: 401,
      challenge: 'Bearer',
      body: JSON.stringify({ errors: [{ message: 'invalid token', extensions: { code: 'UNAUTHENTICATED' } }] }),
    });
    for (const [i, answer] of answers.entries()) expect(answer, wrong[i]).toEqual(answers[0]);
    for (const token of [TOKEN_A, TOKEN_B]) expect((await answerTo(token)).status).toBe(200);
  });

  it('does not share one execution between subscribers of different tokens (same document: 2 groups)', async () => {
    expect(t.app.testing.live.subscriptionGroups()).toBe(0);
    const a1 = subscribe(client(TOKEN_A), StatusChangedDocument, { serviceIds: [serviceGlobalId] });
    const b = subscribe(client(TOKEN_B), StatusChangedDocument, { serviceIds: [serviceGlobalId] });
    // Control: a second subscriber with token A joins A's group instead of making a third.
    const a2 = subscribe(client(TOKEN_A), StatusChangedDocument, { serviceIds: [serviceGlobalId] });
    await expect.poll(() => t.app.testing.live.subscriptionsActive(), { timeout: 5_000 }).toBe(3);
    expect(t.app.testing.live.subscriptionGroups()).toBe(2);

    // And every one of them still receives the events.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(TOKEN_B) },
      body: JSON.stringify({
        query: 'mutation ($id: ID!) { pauseService(id: $id) { __typename } }',
        variables: { id: serviceGlobalId },
      }),
    });
    expect(response.status).toBe(200);
    for (const s of [a1, b, a2])
      expect((await s.next((e) => e.statusChanged.current === 'PAUSED')).statusChanged.current).toBe('PAUSED');
    for (const s of [a1, b, a2]) s.dispose();
    await expect.poll(() => t.app.testing.live.subscriptionGroups(), { timeout: 5_000 }).toBe(0);
  });

  it.each<[string, number, Record<string, string>]>([
    ['no token', 401, {}],
    ['a wrong token', 401, { authorization: bearer(WRONG_TOKEN) }],
    ['an API token (not the metrics token)', 401, { authorization: bearer(TOKEN_A) }],
    ['a prefix of the metrics token', 401, { authorization: bearer(METRICS_TOKEN.slice(0, -1)) }],
    ['the metrics token without "Bearer"', 401, { authorization: METRICS_TOKEN }],
    ['the metrics token', 200, { authorization: bearer(METRICS_TOKEN) }],
    ['the metrics token, "bearer" in lower case', 200, { authorization: `bearer ${METRICS_TOKEN}` }],
  ])('/metrics with %s → %i', async (_what, status, headers) => {
    const response = await fetch(`${t.baseUrl}/metrics`, { headers });
    const text = await response.text();
    expect(response.status).toBe(status);
    if (status === 401) {
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(text).not.toContain('statuschecker_');
    } else {
      expect(text).toMatch(/^# HELP statuschecker_/m);
    }
  });

  it.each(['/healthz', '/readyz'])('%s stays open without any token', async (path) => {
    const response = await fetch(`${t.baseUrl}${path}`);
    expect(response.status).toBe(200);
  });
});

describe('PUBLIC_READ keeps notification channels and deliveries behind a token', () => {
  let t: TestApp;
  let channelGlobalId: string;
  const post = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: bearer(token) } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
  };

  beforeAll(async () => {
    t = await startTestApp('embedded', { env: { API_TOKENS: TOKEN_A, PUBLIC_READ: 'true' }, listen: true });
    const created = await post(
      'mutation { createNotificationChannel(input: { name: "pager", kind: WEBHOOK, url: "http://127.0.0.1:9/hook" }) { ... on NotificationChannelPayload { channel { id } } } }',
      {},
      TOKEN_A,
    );
    channelGlobalId = (created.body.data as { createNotificationChannel: { channel: { id: string } } })
      .createNotificationChannel.channel.id;
    const channel = { id: Buffer.from(channelGlobalId, 'base64').toString().split(':')[1]! };
    await t.app.testing.registry.register({
      name: 'public-svc',
      url: 'http://127.0.0.1:9/',
      notificationChannelIds: [channel.id],
    });
  });
  afterAll(() => t?.close());

  it.each([
    ['a service’s channels', '{ services { edges { node { name notificationChannels { name } } } } }'],
    ['a service’s deliveries', '{ services { edges { node { notifications { totalCount } } } } }'],
    ['a channel through node(id)', 'query ($id: ID!) { node(id: $id) { ... on NotificationChannel { name } } }'],
    [
      'a channel through a named fragment',
      'query ($id: ID!) { node(id: $id) { ...C } } fragment C on NotificationChannel { target }',
    ],
  ])('refuses %s anonymously and answers it with a token', async (_what, query) => {
    const anonymous = await post(query, { id: channelGlobalId });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.data).toBeUndefined();
    expect(JSON.stringify(anonymous.body)).not.toContain('pager');
    const withToken = await post(query, { id: channelGlobalId }, TOKEN_A);
    expect(withToken.status).toBe(200);
    expect(withToken.body.errors).toBeUndefined();
  });

  it('still answers the public part anonymously', async () => {
    const { status, body } = await post('{ services { edges { node { name labels state { status } } } } }');
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        services: { edges: [{ node: { name: 'public-svc', labels: [], state: { status: expect.any(String) } } }] },
      },
    });
  });
});
