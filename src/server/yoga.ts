import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GraphQLContext, type GraphQLDeps } from '../graphql/context.js';
import type { Logger } from '../logger.js';
import { createGraphiQLRenderer } from './graphiql.js';

export const GRAPHQL_PATH = '/graphql';

export type Yoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

export interface YogaOptions {
  schema: GraphQLSchema;
  deps: GraphQLDeps;
  logger: Logger;
  production: boolean;
}

export function createYogaServer(options: YogaOptions): Yoga {
  const log = options.logger.child({ component: 'graphql' });
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: () => createContext(options.deps),
    graphiql: { title: 'statuschecker', subscriptionsProtocol: 'WS' },
    renderGraphiQL: createGraphiQLRenderer(),
    landingPage: false,
    batching: false,
    // Unexpected errors reach clients as "Unexpected error." and are logged in full.
    maskedErrors: { isDev: !options.production },
    logging: {
      debug: (...args) => log.debug(args.length === 1 ? args[0] : args),
      info: (...args) => log.info(args.length === 1 ? args[0] : args),
      warn: (...args) => log.warn(args.length === 1 ? args[0] : args),
      error: (...args) => log.error(args.length === 1 ? args[0] : args),
    },
  });
}
