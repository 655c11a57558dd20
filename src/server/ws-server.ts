import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { CloseCode, makeServer, type Context as WsContext, type SubscribePayload } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';
import type { Authenticator } from './auth.js';
import { withRequestId } from './request-context.js';
import type { SharedSubscriptions } from './shared-subscriptions.js';
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

/**
 * The keep-alive sweep pings one slice of the sockets at a time, one slice every
 * keepAliveMs / KEEP_ALIVE_SLICES, so each socket is still pinged every keepAliveMs. Pinging 10,000
 * sockets at once held the event loop for ~0.2 s every 12 s, and an event fan-out that fell in it
 * waited that long (bench:fanout).
 */
const KEEP_ALIVE_SLICES = 12;

/** Close code for a client that does not read what it subscribed to (RFC 6455 "policy violation"). */
export const CLOSE_SLOW_CONSUMER = 1008;
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
  /** Subscribers with the same key share one execution per event. */
  groupKey: string;
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
  const alive = new WeakSet<WebSocket>();
  const slices = Array.from({ length: KEEP_ALIVE_SLICES }, () => new Set<WebSocket>());
  let nextSlice = 0;

  const closeSlowConsumer = (socket: WebSocket) => {
    if (socket.readyState !== socket.OPEN) return;
    log.warn({ bufferedBytes: socket.bufferedAmount }, 'closing a WebSocket that does not read its events');
    socket.close(CLOSE_SLOW_CONSUMER, 'slow consumer: events are not being read');
    // A client that reads nothing will not read the close frame either.
    setTimeout(() => socket.terminate(), 1_000).unref();
  };

  const server = makeServer<Record<string, unknown>, Extra>({
    connectionInitWaitTimeout: WS_LIMITS.connectionInitWaitMs,
    // Subscriptions always need a token when tokens are configured: wrong or missing closes 4403.
    onConnect: (ctx) => {
      const params = ctx.connectionParams ?? {};
      const principal = options.auth.principalOf(params.authorization ?? params.Authorization);
      return principal === 'open' || principal.startsWith('token:');
    },
    onSubscribe: async (ctx, id, payload) => {
      if (Object.keys(ctx.subscriptions).length > WS_LIMITS.maxSubscriptionsPerSocket) {
        return [new GraphQLError(`too many subscriptions on this connection (at most ${WS_LIMITS.maxSubscriptionsPerSocket})`)];
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
      return options.shared.join(
        root.groupKey,
        () => root.subscribe(args) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>,
        () => closeSlowConsumer(root.socket),
      );
    },
  });

  wss.on('connection', (socket, request) => {
    alive.add(socket);
    const slice = slices[nextSlice++ % KEEP_ALIVE_SLICES]!;
    slice.add(socket);
    socket.once('close', () => slice.delete(socket));
    socket.on('pong', () => alive.add(socket));
    socket.on('error', (err) => log.debug({ err }, 'websocket error'));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            if (socket.bufferedAmount > WS_LIMITS.maxBufferedBytes) {
              closeSlowConsumer(socket);
              return resolve();
            }
            socket.send(data, () => resolve());
          }),
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

  let tick = 0;
  const keepAlive = setInterval(() => {
    for (const socket of slices[tick++ % KEEP_ALIVE_SLICES]!) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, WS_LIMITS.keepAliveMs / KEEP_ALIVE_SLICES);
  keepAlive.unref();

  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      clearInterval(keepAlive);
      for (const socket of wss.clients) socket.close(CLOSE_GOING_AWAY, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Sockets that did not finish the closing handshake in time are cut.
      for (const socket of wss.clients) socket.terminate();
    },
  };
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
    groupKey: groupKey(payload, (contextValue as { principal?: string }).principal ?? ''),
    socket: ctx.extra.socket,
  };
  return { schema, operationName: payload.operationName, document, variableValues: payload.variables, contextValue, rootValue };
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
