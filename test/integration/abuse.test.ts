import { once } from 'node:events';
import { type ExecutionResult, getIntrospectionQuery, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import WebSocket from 'ws';
import { OPERATION_LIMITS } from '../../src/server/limits.js';
import { WS_LIMITS } from '../../src/server/ws-server.js';
import { MAX_REQUEST_BODY_BYTES } from '../../src/server/yoga.js';
import { ServicesDocument } from '../generated/graphql.js';
import { requestStatements, startTestApp, type TestApp } from '../support/app.js';

/**
 * CPU the whole process may spend on one refused request (client and server are in-process).
 * A guard against catastrophic parsing or validation (a limit applied only after the whole
 * document was parsed or walked, a rule that is quadratic in aliases), not a speed benchmark:
 * a refusal costs a few milliseconds, a limit that does not bite costs seconds.
 */
const CPU_BUDGET_MS = 250;

/**
 * Fields that, if executed, read the Service table (SQL) and the status cache (statusSummary).
 * Every hostile document carries them, so "refused before execution" is observable.
 */
const WATCHED = 'statusSummary { total } services { totalCount }';

/** `__schema { types { ofType { … { name } } } }` whose deepest path is `depth` fields long. */
function introspectionChain(depth: number): string {
  let selection = 'name';
  for (let i = 0; i < depth - 3; i++) selection = `ofType { ${selection} }`;
  return `__schema { types { ${selection} } }`;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The abuse documents, the same over HTTP and WebSockets. */
const DOCUMENTS = {
  depth50: `{ ${WATCHED} ${introspectionChain(50)} }`,
  aliases5000: `{ services { totalCount } statusSummary { ${range(5_000)
    .map((i) => `a${i}: up`)
    .join(' ')} } }`,
  tokens100k: `{ services { totalCount } statusSummary { ${'up '.repeat(100_000)}} }`,
  body2MB: `{ ${WATCHED} }\n# ${'x'.repeat(2 * 1024 * 1024)}`,
};
/** 100,000 tokens cannot fit in one 64 KiB frame (a token is at least one byte): this one does. */
const TOKENS_20K = `{ services { totalCount } statusSummary { ${'up '.repeat(20_000)}} }`;
const BATCH_100 = range(100).map(() => ({ query: `{ ${WATCHED} }` }));
const ALIASES_31 = `{ services { totalCount } statusSummary { ${range(31)
  .map((i) => `a${i}: up`)
  .join(' ')} } }`;
const ALIASES_30 = `{ services { totalCount } statusSummary { ${range(30)
  .map((i) => `a${i}: up`)
  .join(' ')} } }`;
/** Up to 500 × 200 status changes: ~700,000 by the page-size estimate. */
const COSTLY = `{ services(first: 500) { edges { node { id name url
  statusChanges(first: 200) { edges { cursor node { previous current at message } } } } } } }`;

const TOKEN_LIMIT_MESSAGE = `Syntax Error: Document contains more that ${OPERATION_LIMITS.maxTokens} tokens. Parsing aborted.`;
const depthMessage = (max: number) => `operation is nested more than ${max} levels deep`;
const aliasMessage = (n: number) => `operation uses ${n} aliases; at most ${OPERATION_LIMITS.maxAliases} are allowed`;

interface Observed<T> {
  result: T;
  cpuMs: number;
  /** SQL the request caused (the app's own background statements left out). */
  sql: string[];
  /** Calls of the statusSummary resolver's domain call. */
  summaryCalls: number;
}

interface WsMessage {
  id?: string;
  type: string;
  payload?: unknown;
}

describe('GraphQL abuse is refused before execution, over HTTP and WebSockets', () => {
  let t: TestApp;
  let summary: MockInstance;
  /** What each case returned and cost, printed at the end (the issue's closing note quotes it). */
  const report: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('embedded', { env: { SCHEDULER_ENABLED: 'false' }, listen: true });
    await t.app.testing.registry.register({ name: 'abuse-target', url: 'http://127.0.0.1:9/' });
    summary = vi.spyOn(t.app.testing.cache, 'summary');
    // A cold process compiles the parser, validation rules and schema walks on first use; the
    // budget is about what a hostile document costs, not about JIT warm-up.
    for (const query of [
      getIntrospectionQuery(),
      `{ ${WATCHED} }`,
      ALIASES_31,
      `{ ${introspectionChain(12)} ${WATCHED} }`,
    ]) {
      await post(JSON.stringify({ query }));
    }
  });
  afterAll(async () => {
    summary?.mockRestore();
    if (report.length) console.log(`abuse cases:\n${report.join('\n')}`);
    await t?.close();
  });

  async function observe<T>(action: () => Promise<T>): Promise<Observed<T>> {
    const sqlBefore = t.queries.length;
    summary.mockClear();
    const cpuBefore = process.cpuUsage();
    const result = await action();
    const cpu = process.cpuUsage(cpuBefore);
    return {
      result,
      cpuMs: (cpu.user + cpu.system) / 1000,
      sql: requestStatements(t.queries.slice(sqlBefore)),
      summaryCalls: summary.mock.calls.length,
    };
  }

  /** Nothing the document asked for ran, and refusing it was cheap. */
  function expectRefusedCheaply(label: string, observed: Observed<unknown>, outcome: string) {
    report.push(`  ${label.padEnd(34)} ${outcome}  (${observed.cpuMs.toFixed(1)} ms CPU)`);
    expect(observed.sql, `${label}: SQL ran`).toEqual([]);
    expect(observed.summaryCalls, `${label}: a resolver ran`).toBe(0);
    expect(observed.cpuMs, `${label}: CPU`).toBeLessThan(CPU_BUDGET_MS);
  }

  async function post(body: string) {
    const response = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: JSON.parse(text) as ExecutionResult,
    };
  }

  const postQuery = (query: string) => post(JSON.stringify({ query }));

  async function refusedOverHttp(label: string, body: string, status: number, message: string) {
    const observed = await observe(() => post(body));
    const { result } = observed;
    expect(result.status).toBe(status);
    expect(result.contentType).toMatch(/^application\/graphql-response\+json/);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.map((e) => e.message)).toContain(message);
    expectRefusedCheaply(
      `HTTP ${label}`,
      observed,
      `${result.status} ${JSON.stringify(result.body.errors?.map((e) => e.message))}`,
    );
  }

  describe('over HTTP (POST, accept: application/graphql-response+json)', () => {
    it('refuses a 50-deep operation with 400 by the depth rule', async () => {
      await refusedOverHttp(
        'depth 50',
        JSON.stringify({ query: DOCUMENTS.depth50 }),
        400,
        depthMessage(OPERATION_LIMITS.maxDepth),
      );
    });

    it('refuses 5,000 aliases with 400 at parse time (the token limit bites first)', async () => {
      await refusedOverHttp(
        '5,000 aliases',
        JSON.stringify({ query: DOCUMENTS.aliases5000 }),
        400,
        TOKEN_LIMIT_MESSAGE,
      );
    });

    it('refuses 100,000 tokens with 400 at parse time', async () => {
      const body = JSON.stringify({ query: DOCUMENTS.tokens100k });
      expect(body.length).toBeLessThan(MAX_REQUEST_BODY_BYTES);
      await refusedOverHttp('100,000 tokens', body, 400, TOKEN_LIMIT_MESSAGE);
    });

    it('refuses a 2 MB body with 413', async () => {
      const body = JSON.stringify({ query: DOCUMENTS.body2MB });
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
      await refusedOverHttp('2 MB body', body, 413, 'Request body too large');
    });

    it('refuses a batch of 100 operations (a JSON array) with 400: batching is off', async () => {
      await refusedOverHttp('batch of 100', JSON.stringify(BATCH_100), 400, 'Batching is not supported.');
    });

    it('refuses 31 aliases (well within the token limit) by the alias rule, and answers 30', async () => {
      await refusedOverHttp('31 aliases', JSON.stringify({ query: ALIASES_31 }), 400, aliasMessage(31));
      const accepted = await observe(() => postQuery(ALIASES_30));
      expect(accepted.result.status).toBe(200);
      expect(accepted.result.body.errors).toBeUndefined();
      expect(Object.keys((accepted.result.body.data as { statusSummary: object }).statusSummary)).toHaveLength(30);
      expect(accepted.summaryCalls).toBe(1);
    });

    it('refuses depth 11 and answers depth 10 (an ordinary operation)', async () => {
      await refusedOverHttp(
        'depth 11',
        JSON.stringify({ query: `{ ${WATCHED} ${introspectionChain(11)} }` }),
        400,
        depthMessage(10),
      );

      // The positive control: the same shape one level shallower executes, and the watch sees it.
      const accepted = await observe(() => postQuery(`{ ${WATCHED} ${introspectionChain(10)} }`));
      expect(accepted.result.status).toBe(200);
      expect(accepted.result.body.errors).toBeUndefined();
      expect(accepted.result.body.data).toMatchObject({ statusSummary: { total: 1 }, services: { totalCount: 1 } });
      expect(accepted.summaryCalls).toBe(1);
      expect(accepted.sql.some((sql) => sql.includes('"Service"'))).toBe(true);
    });

    it.each([
      ['the default options', {}],
      [
        'every option',
        {
          descriptions: true,
          specifiedByUrl: true,
          directiveIsRepeatable: true,
          schemaDescription: true,
          inputValueDeprecation: true,
          oneOf: true,
        },
      ],
    ])(
      'answers the standard introspection query with %s (what GraphiQL and graphql-codegen send)',
      async (_name, options) => {
        const { status, body } = await postQuery(getIntrospectionQuery(options));
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        const types = (body.data as { __schema: { types: { name: string }[] } }).__schema.types.map(
          (type) => type.name,
        );
        expect(types).toEqual(
          expect.arrayContaining(['Service', 'Query', 'Mutation', 'Subscription', 'RegisterServiceInput']),
        );
      },
    );

    it('refuses hostile introspection: a 50-deep ofType chain, thousands of aliased __schema, 31 aliased __schema', async () => {
      await refusedOverHttp(
        'introspection ofType ×47',
        JSON.stringify({ query: `{ ${introspectionChain(50)} }` }),
        400,
        depthMessage(OPERATION_LIMITS.maxIntrospectionDepth),
      );
      const many = `{ ${range(3_000)
        .map((i) => `s${i}: __schema { types { name } }`)
        .join(' ')} }`;
      await refusedOverHttp('3,000 aliased __schema', JSON.stringify({ query: many }), 400, TOKEN_LIMIT_MESSAGE);
      const few = `{ ${range(31)
        .map((i) => `s${i}: __schema { types { name } }`)
        .join(' ')} }`;
      await refusedOverHttp('31 aliased __schema', JSON.stringify({ query: few }), 400, aliasMessage(31));
    });

    it('refuses an operation over the cost budget with 400 and says so, and answers a full page of a few fields', async () => {
      const observed = await observe(() => postQuery(COSTLY));
      expect(observed.result.status).toBe(400);
      const message = observed.result.body.errors?.[0]?.message ?? '';
      expect(message).toMatch(
        new RegExp(`^Query complexity of \\d+ exceeds max complexity of ${OPERATION_LIMITS.maxComplexity}$`),
      );
      expect(Number(/of (\d+)/.exec(message)?.[1])).toBeGreaterThan(OPERATION_LIMITS.maxComplexity);
      expectRefusedCheaply(
        'HTTP cost (500 × 200 rows)',
        observed,
        `${observed.result.status} ${JSON.stringify(message)}`,
      );

      const page = await postQuery(
        '{ services(first: 500) { totalCount edges { node { id name url state { status } } } } }',
      );
      expect(page.status).toBe(200);
      expect(page.body.errors).toBeUndefined();
    });
  });

  describe('over WebSockets (graphql-transport-ws)', () => {
    const sockets: WebSocket[] = [];
    afterAll(() => {
      for (const socket of sockets) socket.terminate();
    });

    async function session() {
      const socket = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      sockets.push(socket);
      // A send racing the server's close of an oversized frame may fail; the close is what is asserted.
      socket.on('error', () => {});
      const messages: WsMessage[] = [];
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
      );
      await once(socket, 'open');
      socket.send(JSON.stringify({ type: 'connection_init' }));
      const [ack] = await once(socket, 'message');
      expect(JSON.parse(String(ack))).toEqual({ type: 'connection_ack' });
      socket.on('message', (data) => messages.push(JSON.parse(String(data)) as WsMessage));
      /** Subscribes and resolves with the first message for `id`. */
      const request = async (id: string, query: string) => {
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
        await expect.poll(() => messages.find((m) => m.id === id), { timeout: 5_000, interval: 5 }).toBeDefined();
        return messages.find((m) => m.id === id)!;
      };
      /** The socket still answers an ordinary operation. */
      const expectUsable = async (id: string) => {
        expect(socket.readyState).toBe(WebSocket.OPEN);
        expect(await request(id, '{ statusSummary { total } }')).toEqual({
          id,
          type: 'next',
          payload: { data: { statusSummary: { total: 1 } } },
        });
      };
      return { socket, messages, closed, request, expectUsable };
    }

    async function refusedOverWs(label: string, query: string, message: string) {
      const ws = await session();
      const observed = await observe(() => ws.request(label, query));
      expect(observed.result).toMatchObject({ id: label, type: 'error' });
      const errors = observed.result.payload as { message: string }[];
      expect(errors.map((e) => e.message)).toContain(message);
      expectRefusedCheaply(`WS ${label}`, observed, `error ${JSON.stringify(errors.map((e) => e.message))}`);
      await ws.expectUsable(`${label}-after`);
      ws.socket.close();
    }

    async function closedOverWs(label: string, frame: string, code: number) {
      const ws = await session();
      const observed = await observe(async () => {
        ws.socket.send(frame);
        return ws.closed;
      });
      expect(observed.result.code).toBe(code);
      expect(ws.messages).toEqual([]);
      expectRefusedCheaply(
        `WS ${label}`,
        observed,
        `close ${observed.result.code} ${JSON.stringify(observed.result.reason)}`,
      );
    }

    const subscribeFrame = (id: string, query: string) => JSON.stringify({ id, type: 'subscribe', payload: { query } });

    it('refuses the 50-deep operation with an error for its id; the socket stays usable', async () => {
      await refusedOverWs('depth50', DOCUMENTS.depth50, depthMessage(OPERATION_LIMITS.maxDepth));
    });

    it('refuses 5,000 aliases with an error for its id (token limit); the socket stays usable', async () => {
      expect(subscribeFrame('x', DOCUMENTS.aliases5000).length).toBeLessThan(WS_LIMITS.maxPayloadBytes);
      await refusedOverWs('aliases5000', DOCUMENTS.aliases5000, TOKEN_LIMIT_MESSAGE);
    });

    it('refuses 20,000 tokens (the most a 64 KiB frame holds) with an error for its id; the socket stays usable', async () => {
      expect(subscribeFrame('x', TOKENS_20K).length).toBeLessThan(WS_LIMITS.maxPayloadBytes);
      await refusedOverWs('tokens20k', TOKENS_20K, TOKEN_LIMIT_MESSAGE);
    });

    it('closes the socket with 1009 for the 100,000-token document: its frame is over 64 KiB', async () => {
      await closedOverWs('tokens100k', subscribeFrame('tokens100k', DOCUMENTS.tokens100k), 1009);
    });

    it('closes the socket with 1009 for the 2 MB document', async () => {
      await closedOverWs('body2MB', subscribeFrame('body2MB', DOCUMENTS.body2MB), 1009);
    });

    it('closes the socket with 4400 for a batch (a JSON array frame): graphql-ws has no batching', async () => {
      const frame = JSON.stringify(BATCH_100.map((payload, i) => ({ id: `b${i}`, type: 'subscribe', payload })));
      expect(frame.length).toBeLessThan(WS_LIMITS.maxPayloadBytes);
      await closedOverWs('batch of 100', frame, 4400);
    });

    it('refuses 31 aliases and depth 11 with errors for their ids', async () => {
      await refusedOverWs('aliases31', ALIASES_31, aliasMessage(31));
      await refusedOverWs('depth11', `{ ${WATCHED} ${introspectionChain(11)} }`, depthMessage(10));
    });

    it('refuses hostile introspection and answers the standard introspection query', async () => {
      await refusedOverWs(
        'introspection50',
        `{ ${introspectionChain(50)} }`,
        depthMessage(OPERATION_LIMITS.maxIntrospectionDepth),
      );
      const ws = await session();
      const answer = await ws.request(
        'introspection',
        getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, oneOf: true }),
      );
      expect(answer.type).toBe('next');
      expect((answer.payload as ExecutionResult).errors).toBeUndefined();
      ws.socket.close();
    });

    it('refuses the costly operation before executing it (a result with the error, then complete)', async () => {
      const ws = await session();
      const observed = await observe(() => ws.request('cost', COSTLY));
      // The cost check runs in Yoga's execute hook, so graphql-ws delivers its refusal as a result.
      expect(observed.result).toMatchObject({ id: 'cost', type: 'next' });
      const payload = observed.result.payload as ExecutionResult;
      expect(payload.data).toBeUndefined();
      expect(payload.errors?.[0]?.message).toMatch(
        new RegExp(`exceeds max complexity of ${OPERATION_LIMITS.maxComplexity}$`),
      );
      expectRefusedCheaply(
        'WS cost (500 × 200 rows)',
        observed,
        `next ${JSON.stringify(payload.errors?.map((e) => e.message))}`,
      );
      await expect.poll(() => ws.messages.some((m) => m.id === 'cost' && m.type === 'complete')).toBe(true);
      await ws.expectUsable('cost-after');
      ws.socket.close();
    });
  });

  it('answers the largest page of services with every field (a dashboard) within the cost budget', async () => {
    const result = await t.raw(print(ServicesDocument), { first: 500 });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data).toHaveProperty('services.totalCount');
  });

  it('still answers after all of it', async () => {
    const { status, body } = await postQuery('{ statusSummary { total } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { statusSummary: { total: 1 } } });
  });
});
