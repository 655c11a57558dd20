import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, GraphQLError, Kind, visit } from 'graphql';
import { CloseCode, makeServer, type SubscribePayload, type Context as WsContext } from 'graphql-ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import type { Principal } from '../tokens/principal.js';
import type { Authenticator } from './auth.js';
import { withRequestId } from './request-context.js';
import type { SharedSubscriptions } from './shared-subscriptions.js';
import { closeSlowConsumer, sendOrCloseSlow } from './ws-back-pressure.js';
import { startKeepAliveSweep } from './ws-keep-alive.js';
import { createTokenSockets, type TokenSockets } from './ws-revocation.js';
import type { Yoga } from './yoga.js';

/** Limits of the WebSocket transport (the README lists them with their close codes). */
export const WS_LIMITS = {
  /** No connection_init within this → close 4408. */
  connectionInitWaitMs: 3_000,
  /** A ping this often; a socket that did not answer the previous one is terminated. */
  keepAliveMs: 12_000,
  /** Larger frames → close 1009. */
  maxPayloadBytes: 64 * 1024,
  /** More subscriptions on one socket → an error for that id; the socket stays open. */
  maxSubscriptionsPerSocket: 100,
  /** Unsent bytes a socket may hold before it is closed as a slow consumer. */
  maxBufferedBytes: 4 * 1024 * 1024,
} as const;

export { CLOSE_SLOW_CONSUMER } from './ws-back-pressure.js';
/** Close code on shutdown (RFC 6455 "going away"). */
export const CLOSE_GOING_AWAY = 1001;

export interface GraphQLWebSocketOptions {
  httpServer: Server;
  path: string;
  yoga: Yoga;
  shared: SharedSubscriptions;
  auth: Authenticator;
  logger: Logger;
}

export interface GraphQLWebSocket {
  readonly connections: number;
  /** Closes every socket with 1001 and stops accepting new ones. */
  close(): Promise<void>;
}

interface Extra {
  socket: WebSocket;
  request: IncomingMessage;
}

interface RootValue {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** Subscribers with the same key share one execution per event; null: its own (a resumed stream). */
  groupKey: string | null;
  socket: WebSocket;
}

/**
 * graphql-ws on `ws`, on the HTTP server's port and path, with every operation going through
 * Yoga's envelop pipeline (as in Yoga's graphql-ws example), so the plugins that guard HTTP
 * guard WebSockets too. Subscriptions are shared among subscribers of the same operation.
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const log = options.logger.child({ component: 'ws' });
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: WS_LIMITS.maxPayloadBytes,
    perMessageDeflate: false,
  });
  const keepAlive = startKeepAliveSweep(WS_LIMITS.keepAliveMs);
  const tokenSockets = createTokenSockets(options.auth);
  const server = protocolServer(options, log, tokenSockets);

  wss.on('connection', (socket, request) => {
    keepAlive.track(socket);
    socket.on('error', (err) => log.debug({ err }, 'websocket error'));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => sendOrCloseSlow(socket, data, WS_LIMITS.maxBufferedBytes, log),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            withRequestId(() => handle(String(data))).catch((err: unknown) => {
              log.error({ err }, 'websocket message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      void closed(code, String(reason)).catch((err: unknown) => log.error({ err }, 'websocket close handling failed'));
    });
  });
  wss.on('error', (err) => log.error({ err }, 'websocket server error'));

  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      keepAlive.stop();
      tokenSockets.stop();
      for (const socket of wss.clients) socket.close(CLOSE_GOING_AWAY, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Sockets that did not finish the closing handshake in time are cut.
      for (const socket of wss.clients) socket.terminate();
    },
  };
}

/** The graphql-ws protocol: auth on connect, per-socket limits, and execution through Yoga's pipeline. */
function protocolServer(options: GraphQLWebSocketOptions, log: Logger, tokenSockets: TokenSockets) {
  return makeServer<Record<string, unknown>, Extra>({
    connectionInitWaitTimeout: WS_LIMITS.connectionInitWaitMs,
    // Subscriptions always need a token when tokens are configured: wrong or missing closes 4403.
    onConnect: async (ctx) => {
      const params = ctx.connectionParams ?? {};
      const principal = await options.auth.principalOf(params.authorization ?? params.Authorization);
      if (principal.kind !== 'open' && principal.kind !== 'token') return false;
      tokenSockets.track(ctx.extra.socket, principal);
      return true;
    },
    onSubscribe: async (ctx, _id, payload) => {
      if (Object.keys(ctx.subscriptions).length > WS_LIMITS.maxSubscriptionsPerSocket) {
        return [
          new GraphQLError(
            `too many subscriptions on this connection (at most ${WS_LIMITS.maxSubscriptionsPerSocket})`,
          ),
        ];
      }
      try {
        return await executionArgs(options.yoga, ctx, payload);
      } catch (err) {
        // A document that does not parse is this subscription's problem, not the socket's.
        return [err instanceof GraphQLError ? err : new GraphQLError('invalid operation')];
      }
    },
    execute: (args) => (args.rootValue as RootValue).execute(args) as never,
    subscribe: (args) => {
      const root = args.rootValue as RootValue;
      // A replay is read from the database as fast as the socket takes it: pulled, not pushed
      // into a shared queue that would drop its oldest rows past a thousand.
      if (root.groupKey === null) return root.subscribe(args) as never;
      return options.shared.join(
        root.groupKey,
        () => root.subscribe(args) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>,
        () => closeSlowConsumer(root.socket, log),
      );
    },
  });
}

async function executionArgs(yoga: Yoga, ctx: WsContext<Record<string, unknown>, Extra>, payload: SubscribePayload) {
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
    ...ctx,
    req: ctx.extra.request,
    socket: ctx.extra.socket,
    params: payload,
  });
  const document = parse(payload.query);
  const errors = validate(schema, document);
  if (errors.length > 0) return errors;
  const contextValue = await contextFactory();
  const rootValue: RootValue = {
    execute,
    subscribe,
    groupKey: resumes(document, payload.variables ?? {})
      ? null
      : groupKey(payload, (contextValue as { principal?: Principal }).principal?.key ?? ''),
    socket: ctx.extra.socket,
  };
  return {
    schema,
    operationName: payload.operationName,
    document,
    variableValues: payload.variables,
    contextValue,
    rootValue,
  };
}

/**
 * A subscription that resumes from a cursor (`after`) starts with a replay of its own: one that
 * joined an older group of the same operation would get only what comes from then on.
 */
function resumes(document: DocumentNode, variables: Record<string, unknown>): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (node.name.value !== 'after') return;
      if (node.value.kind === Kind.VARIABLE) found ||= variables[node.value.name.value] != null;
      else found ||= node.value.kind !== Kind.NULL;
    },
  });
  return found;
}

/** Same text, operation, variables and principal: the same results, so they can be shared. */
function groupKey(payload: SubscribePayload, principal: string): string {
  return createHash('sha1')
    .update(payload.query)
    .update('\u0000')
    .update(payload.operationName ?? '')
    .update('\u0000')
    .update(JSON.stringify(payload.variables ?? {}))
    .update('\u0000')
    .update(principal)
    .digest('base64');
}
