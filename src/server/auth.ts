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
import { type ApiTokens, scopeRank, type TokenCheck, type TokenScope } from '../tokens/api-tokens.js';
import {
  ANONYMOUS,
  environmentPrincipal,
  INVALID,
  invalid,
  OPEN,
  type Principal,
  tokenPrincipal,
} from '../tokens/principal.js';
import { onlyPublicPageFields } from './public-page-fields.js';

export type { Principal } from '../tokens/principal.js';

export interface AuthSettings {
  tokens: readonly string[];
  /** Queries need no token (mutations and subscriptions still do). */
  publicRead: boolean;
  /** Tokens made through the API (none: only API_TOKENS). */
  apiTokens?: ApiTokens;
}

type Operation = 'query' | 'mutation' | 'subscription';

export interface Authenticator {
  /** True when API_TOKENS is set or a token was ever made through the API: then every request needs one. */
  readonly enabled: boolean;
  /**
   * From an `Authorization: Bearer <token>` value (header or connection_init payload). A token made
   * on another replica a moment ago is read from the database once: then the answer is a promise.
   */
  principalOf(authorization: unknown): Principal | Promise<Principal>;
  /** Whether the principal may run this kind of operation at all (its fields may need more). */
  allows(principal: Principal, operation: Operation): boolean;
  /** Called with the id of every token revoked (here or on another replica). */
  onRevoked(listener: (tokenId: string) => void): () => void;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createAuthenticator(settings: AuthSettings): Authenticator {
  const digests = settings.tokens.map(digest);
  const environment = settings.tokens.map((_, index) => environmentPrincipal(index));
  const { apiTokens } = settings;
  const isEnabled = () => digests.length > 0 || (apiTokens?.exist ?? false);
  const fromEnvironment = (presented: string): Principal => {
    // Fixed-length digests compared in constant time, against every token, so neither the
    // token's length nor which token matched shows in the timing.
    const hashed = digest(presented);
    let found = -1;
    digests.forEach((candidate, index) => {
      if (timingSafeEqual(candidate, hashed)) found = index;
    });
    return found >= 0 ? environment[found]! : INVALID;
  };
  // An API_TOKENS entry may happen to be shaped like a made token: it is compared there too.
  const ofCheck = (check: TokenCheck, presented: string): Principal =>
    check.ok
      ? tokenPrincipal(check.token)
      : check.reason === 'unknown'
        ? fromEnvironment(presented)
        : invalid(check.reason);
  return {
    get enabled() {
      return isEnabled();
    },
    principalOf(authorization) {
      if (!isEnabled()) return OPEN;
      if (authorization === undefined || authorization === null || authorization === '') return ANONYMOUS;
      const match = typeof authorization === 'string' ? /^Bearer +(\S+) *$/i.exec(authorization) : null;
      if (!match) return INVALID;
      const presented = match[1]!;
      const check = apiTokens?.check(presented) ?? null;
      if (check === null) return fromEnvironment(presented);
      return check instanceof Promise ? check.then((c) => ofCheck(c, presented)) : ofCheck(check, presented);
    },
    allows(principal, operation) {
      if (principal.kind === 'open') return true;
      if (principal.kind === 'token') return scopeRank(principal.scope) >= scopeRank(scopeOf(operation));
      return principal.kind === 'anonymous' && operation === 'query' && settings.publicRead;
    },
    onRevoked: (listener) => apiTokens?.onRevoked(listener) ?? (() => undefined),
  };
}

/** The scope an operation needs before its fields ask for more. */
function scopeOf(operation: Operation): TokenScope {
  return operation === 'mutation' ? 'WRITE' : 'READ';
}

/**
 * Types that only a token may read, even under PUBLIC_READ: notification channels name where
 * alerts go (URLs, addresses, labels) and deliveries carry their errors; tokens and the audit log
 * say who may do what. None of that is public.
 */
export const TOKEN_ONLY_TYPES: ReadonlySet<string> = new Set([
  'NotificationChannel',
  'NotificationDelivery',
  'NotificationDeliveryConnection',
  'NotificationDeliveryEdge',
  'ApiToken',
  'CreatedApiToken',
  'AuditEntry',
  'AuditEntryConnection',
  'AuditEntryEdge',
]);

/**
 * Fields that only a token may read, even under PUBLIC_READ: the export holds every channel's
 * settings. A token limited to labels may read those that cut what they return to its services.
 */
export const TOKEN_ONLY_FIELDS: ReadonlySet<string> = new Set(['Query.exportConfig']);
const CUT_TO_LABELS: ReadonlySet<string> = new Set(['Query.exportConfig']);

/** Types only an ADMIN token may read, wherever they are selected (node(id:) included). */
export const ADMIN_TYPES: ReadonlySet<string> = new Set([
  'ApiToken',
  'CreatedApiToken',
  'AuditEntry',
  'AuditEntryConnection',
  'AuditEntryEdge',
]);

/**
 * The mutations a token limited to labels may run: those of one service, each of which refuses a
 * service outside the token's labels as if it did not exist. Everything else (channels, pages,
 * incidents, tokens, whatever is added later) concerns more than its services: refused.
 */
export const PER_SERVICE_MUTATIONS: ReadonlySet<string> = new Set([
  'registerService',
  'updateService',
  'unregisterService',
  'pauseService',
  'resumeService',
  'checkServiceNow',
  'rotatePushToken',
  'testCheck',
]);

/** A field that needs more than its operation declares `extensions: { requiredScope: 'ADMIN' }`. */
export interface ScopeExtensions {
  requiredScope?: TokenScope;
}

export interface DocumentNeeds {
  /** The highest scope any part of the document needs (a mutation: WRITE). */
  scope: TokenScope;
  /** The first token-only type it selects. */
  tokenOnly?: string;
  /** The first thing in it a token limited to labels may not touch. */
  notForLabels?: string;
}

/** What running a document takes: the scope its operation and fields need, and the types it reads. */
export function needsOf(schema: GraphQLSchema, document: DocumentNode): DocumentNeeds {
  const typeInfo = new TypeInfo(schema);
  const needs: DocumentNeeds = { scope: 'READ' };
  const raise = (scope: TokenScope) => {
    if (scopeRank(scope) > scopeRank(needs.scope)) needs.scope = scope;
  };
  const mutationType = schema.getMutationType();
  const checkType = () => {
    const type = typeInfo.getType();
    const name = type ? getNamedType(type).name : undefined;
    if (name === undefined) return;
    if (TOKEN_ONLY_TYPES.has(name)) {
      needs.tokenOnly ??= name;
      needs.notForLabels ??= name;
    }
    if (ADMIN_TYPES.has(name)) raise('ADMIN');
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        raise(scopeOf(node.operation));
      },
      Field(node) {
        checkType();
        const parent = typeInfo.getParentType();
        const qualified = parent ? `${parent.name}.${node.name.value}` : '';
        if (TOKEN_ONLY_FIELDS.has(qualified)) {
          needs.tokenOnly ??= qualified;
          if (!CUT_TO_LABELS.has(qualified)) needs.notForLabels ??= qualified;
        }
        const required = (typeInfo.getFieldDef()?.extensions as ScopeExtensions | undefined)?.requiredScope;
        if (required) raise(required);
        if (mutationType && typeInfo.getParentType() === mutationType && !PER_SERVICE_MUTATIONS.has(node.name.value)) {
          needs.notForLabels ??= node.name.value;
        }
      },
      InlineFragment: checkType,
      FragmentDefinition: checkType,
    }),
  );
  return needs;
}

/** The first token-only type a document selects (a field of it, or a fragment on it), if any. */
export function tokenOnlyTypeIn(schema: GraphQLSchema, document: DocumentNode): string | undefined {
  return needsOf(schema, document).tokenOnly;
}

/** The credentials of a request: the HTTP header, or the `authorization` of connection_init. */
export function authorizationOf(initialContext: Record<string, unknown>): unknown {
  const params = initialContext.connectionParams as Record<string, unknown> | undefined;
  if (params) return params.authorization ?? params.Authorization;
  const request = initialContext.request as Request | undefined;
  return request?.headers.get('authorization') ?? undefined;
}

const INVALID_MESSAGES = {
  unknown: 'invalid token',
  revoked: 'token revoked',
  expired: 'token expired',
} as const;

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

/** Why `principal` may not run `document`, or null when it may. */
export function refusalOf(
  settings: Pick<AuthSettings, 'publicRead'>,
  principal: Principal,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: Operation,
): GraphQLError | null {
  if (principal.kind === 'open') return null;
  const needs = needsOf(schema, document);
  if (principal.kind === 'token') {
    if (scopeRank(principal.scope) < scopeRank(needs.scope)) {
      return forbidden(`this token's scope is ${principal.scope}: this operation needs ${needs.scope}`);
    }
    if (principal.labels !== null && needs.notForLabels !== undefined) {
      return forbidden(
        `a token limited to labels (${principal.labels.join(', ')}) reads and changes its services only, not ${needs.notForLabels}`,
      );
    }
    return null;
  }
  if (principal.kind === 'invalid') return unauthenticated(INVALID_MESSAGES[principal.refusal ?? 'unknown']);
  if (settings.publicRead && operation === 'query' && needs.scope === 'READ' && needs.tokenOnly === undefined)
    return null;
  // Status pages are public: a query of nothing but their public fields needs no token.
  if (onlyPublicPageFields(schema, document)) return null;
  return unauthenticated(
    needs.tokenOnly !== undefined
      ? `authentication required: send Authorization: Bearer <token> to read ${needs.tokenOnly}`
      : `authentication required: send Authorization: Bearer <token> to run a ${operation}`,
  );
}

/**
 * Default-deny, in one place for both transports: every operation is refused before execution
 * unless the principal in its context may run it: its kind of operation, every field's scope,
 * and for a token limited to labels, nothing but services. Over WebSockets, a socket without a
 * valid token is already closed at connection_init (4403).
 */
export function useAuthorization(auth: Authenticator, settings: Pick<AuthSettings, 'publicRead'>): Plugin {
  const refuse = (
    args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; contextValue: unknown },
    stop: (result: { errors: GraphQLError[] }) => void,
  ) => {
    const principal = (args.contextValue as { principal?: Principal }).principal ?? ANONYMOUS;
    const operation = getOperationAST(args.document, args.operationName ?? undefined)?.operation ?? 'query';
    const refusal = refusalOf(settings, principal, args.schema, args.document, operation);
    if (refusal) stop({ errors: [refusal] });
  };
  return {
    // Over HTTP, a request that could not run anything is answered before its body is even parsed.
    async onRequest({ request, endResponse }) {
      if (!auth.enabled) return;
      const wantsGraphiQL = request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
      if (wantsGraphiQL) return;
      const principal = await auth.principalOf(request.headers.get('authorization') ?? undefined);
      // Anonymous requests go on to execution, where a public status-page query is let through.
      if (principal.kind === 'invalid') {
        const message = INVALID_MESSAGES[principal.refusal ?? 'unknown'];
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
