import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../db/availability.js';
import type { Logger } from '../logger.js';
import { currentRequestId } from './request-context.js';

/**
 * Yoga's `maskError`: an expected client error passes as it is; "no database right now" becomes a
 * clear 503; anything else is logged in full with the request id and reaches the client as
 * "Unexpected error" with that id (and, outside production, the original message).
 */
export function createErrorMasker(logger: Logger, production: boolean) {
  const log = logger.child({ component: 'graphql' });
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof GraphQLError) return error as GraphQLError;
    const requestId = currentRequestId();
    const path = error instanceof GraphQLError ? error.path : undefined;
    if (isDatabaseUnavailable(original)) {
      log.warn({ requestId, path, err: original }, 'request refused: database unavailable');
      return new GraphQLError('the database is unavailable; try again shortly', {
        path,
        extensions: { code: 'SERVICE_UNAVAILABLE', requestId, http: { status: 503, headers: { 'retry-after': '5' } } },
      });
    }
    log.error({ requestId, path, err: original }, 'unexpected error');
    return new GraphQLError(`${message} (request id ${requestId ?? 'unknown'})`, {
      path,
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        requestId,
        ...(production ? {} : { originalMessage: original instanceof Error ? original.message : String(original) }),
      },
    });
  };
}
