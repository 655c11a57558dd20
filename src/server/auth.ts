import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { onlyPublicPageFields } from './public-page-fields.js';

/**
 * Who is asking: `open` when no tokens are configured, `token:<n>` for the n-th configured token,
 * `anonymous` without credentials, `invalid` for credentials that match no token.
 */
export type Principal = 'open' | 'anonymous' | 'invalid' | `token:${number}`;

export interface AuthSettings {
  tokens: readonly string[];
  /** Queries need no token (mutations and subscriptions still do). */
  publicRead: boolean;
}

export interface Authenticator {
  readonly enabled: boolean;
  /** From an `Authorization: Bearer <token>` value (header or connection_init payload). */
  principalOf(authorization: unknown): Principal;
  allows(principal: Principal, operation: 'query' | 'mutation' | 'subscription'): boolean;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createAuthenticator(settings: AuthSettings): Authenticator {
  const digests = settings.tokens.map(digest);
  const enabled = digests.length > 0;
  return {
    enabled,
    principalOf(authorization) {
      if (!enabled) return 'open';
      if (authorization === undefined || authorization === null || authorization === '') return 'anonymous';
      const match = typeof authorization === 'string' ? /^Bearer +(\S+) *$/i.exec(authorization) : null;
      if (!match) return 'invalid';
      // Fixed-length digests compared in constant time, against every token, so neither the
      // token's length nor which token matched shows in the timing.
      const presented = digest(match[1]!);
      let found = -1;
      digests.forEach((candidate, index) => {
        if (timingSafeEqual(candidate, presented)) found = index;
      });
      return found >= 0 ? `token:${found}` : 'invalid';
    },
    allows(principal, operation) {
      if (principal === 'open' || principal.startsWith('token:')) return true;
      return principal === 'anonymous' && operation === 'query' && settings.publicRead;
    },
  };
}

/**
 * Types that only a token may read, even under PUBLIC_READ: notification channels name where
 * alerts go (URLs, addresses, labels) and deliveries carry their errors; that is not public.
 */
export const TOKEN_ONLY_TYPES: ReadonlySet<string> = new Set([
  'NotificationChannel',
  'NotificationDelivery',
  'NotificationDeliveryConnection',
  'NotificationDeliveryEdge',
]);

/** Fields that only a token may read, even under PUBLIC_READ: the export holds every channel's settings. */
export const TOKEN_ONLY_FIELDS: ReadonlySet<string> = new Set(['Query.exportConfig']);

/** The first token-only type a document selects (a field of it, or a fragment on it), if any. */
export function tokenOnlyTypeIn(schema: GraphQLSchema, document: DocumentNode): string | undefined {
  const typeInfo = new TypeInfo(schema);
  let found: string | undefined;
  const check = () => {
    const type = typeInfo.getType();
    const name = type ? getNamedType(type).name : undefined;
    if (found === undefined && name !== undefined && TOKEN_ONLY_TYPES.has(name)) found = name;
    const field = typeInfo.getFieldDef();
    const parent = typeInfo.getParentType();
    const qualified = field && parent ? `${parent.name}.${field.name}` : undefined;
    if (found === undefined && qualified !== undefined && TOKEN_ONLY_FIELDS.has(qualified)) found = qualified;
  };
  visit(document, visitWithTypeInfo(typeInfo, { Field: check, InlineFragment: check, FragmentDefinition: check }));
  return found;
}

/** The credentials of a request: the HTTP header, or the `authorization` of connection_init. */
export function authorizationOf(initialContext: Record<string, unknown>): unknown {
  const params = initialContext.connectionParams as Record<string, unknown> | undefined;
  if (params) return params.authorization ?? params.Authorization;
  const request = initialContext.request as Request | undefined;
  return request?.headers.get('authorization') ?? undefined;
}

/**
 * Default-deny, in one place for both transports: every operation is refused before execution
 * unless the principal in its context may run that kind of operation. Over WebSockets, a socket
 * without a valid token is already closed at connection_init (4403).
 */
export function useAuthorization(auth: Authenticator): Plugin {
  const refuse = (
    args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; contextValue: unknown },
    stop: (result: { errors: GraphQLError[] }) => void,
  ) => {
    const principal = (args.contextValue as { principal?: Principal }).principal ?? 'anonymous';
    const operation = getOperationAST(args.document, args.operationName ?? undefined)?.operation ?? 'query';
    const tokenOnly = principal === 'anonymous' ? tokenOnlyTypeIn(args.schema, args.document) : undefined;
    if (auth.allows(principal, operation) && tokenOnly === undefined) return;
    // Status pages are public: a query of nothing but their public fields needs no token.
    if (principal === 'anonymous' && onlyPublicPageFields(args.schema, args.document)) return;
    const message =
      principal === 'invalid'
        ? 'invalid token'
        : tokenOnly !== undefined
          ? `authentication required: send Authorization: Bearer <token> to read ${tokenOnly}`
          : `authentication required: send Authorization: Bearer <token> to run a ${operation}`;
    stop({
      errors: [
        new GraphQLError(message, {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
        }),
      ],
    });
  };
  return {
    // Over HTTP, a request that could not run anything is answered before its body is even parsed.
    onRequest({ request, endResponse }) {
      if (!auth.enabled) return;
      const wantsGraphiQL = request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
      if (wantsGraphiQL) return;
      const principal = auth.principalOf(request.headers.get('authorization') ?? undefined);
      // Anonymous requests go on to execution, where a public status-page query is let through.
      if (principal === 'invalid') {
        const message = 'invalid token';
        endResponse(
          new Response(JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }), {
            status: 401,
            headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' },
          }),
        );
      }
    },
    onExecute({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
  };
}
