import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GraphQLContext } from '../graphql/context.js';
import { useCursorCheck } from '../graphql/cursors.js';
import type { GraphQLDeps } from '../graphql/deps.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { type Authenticator, authorizationOf, useAuthorization } from './auth.js';
import { createGraphiQLRenderer } from './graphiql.js';
import { useOperationLimits } from './limits.js';
import { createErrorMasker } from './mask-errors.js';
import { useOperationMetrics } from './operation-metrics.js';

export const GRAPHQL_PATH = '/graphql';
/** Largest request body accepted (413 beyond). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export type Yoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

export interface YogaOptions {
  schema: GraphQLSchema;
  deps: GraphQLDeps;
  auth: Authenticator;
  metrics: Metrics;
  logger: Logger;
  production: boolean;
  publicRead: boolean;
}

/** The origin of an HTTP request (null over WebSockets, where there is no request URL to trust). */
function requestOriginOf(initial: Record<string, unknown>): string | null {
  const request = initial.request as { url?: unknown } | undefined;
  if (typeof request?.url !== 'string') return null;
  try {
    return new URL(request.url).origin;
  } catch {
    return null;
  }
}

export function createYogaServer(options: YogaOptions): Yoga {
  const log = options.logger.child({ component: 'graphql' });
  const { auth } = options;
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: async (initial) =>
      createContext(options.deps, await auth.principalOf(authorizationOf(initial)), requestOriginOf(initial)),
    plugins: [
      useOperationLimits(),
      useAuthorization(auth, { publicRead: options.publicRead }),
      useCursorCheck(),
      useOperationMetrics(options.metrics),
    ],
    graphiql: { title: 'statuschecker', subscriptionsProtocol: 'WS' },
    renderGraphiQL: createGraphiQLRenderer(),
    landingPage: false,
    batching: false,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    maskedErrors: { maskError: createErrorMasker(options.logger, options.production) },
    logging: {
      debug: (...args) => log.debug(args.length === 1 ? args[0] : args),
      info: (...args) => log.info(args.length === 1 ? args[0] : args),
      warn: (...args) => log.warn(args.length === 1 ? args[0] : args),
      error: (...args) => log.error(args.length === 1 ? args[0] : args),
    },
  });
}
