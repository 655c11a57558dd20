import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../metrics/metrics.js';

type OperationType = 'query' | 'mutation' | 'subscription';

/**
 * GraphQL operation metrics, labelled only with bounded values: the operation type and whether it
 * produced errors (never the client-chosen operation name).
 */
export function useOperationMetrics(metrics: Metrics): Plugin {
  const typeOf = (document: DocumentNode, operationName?: string | null): OperationType =>
    getOperationAST(document, operationName ?? undefined)?.operation ?? 'query';
  return {
    onExecute({ args }) {
      const type = typeOf(args.document, args.operationName);
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          const failed = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          metrics.graphqlOperations.inc({ type, outcome: failed ? 'error' : 'ok' });
          metrics.graphqlDuration.observe({ type }, (performance.now() - started) / 1000);
        },
      };
    },
    onSubscribe({ args }) {
      metrics.graphqlOperations.inc({ type: typeOf(args.document, args.operationName), outcome: 'subscribed' });
    },
  };
}
