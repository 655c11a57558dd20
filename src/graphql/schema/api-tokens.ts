import { NotFoundError, ValidationError } from '../../registry/errors.js';
import { type ApiTokenRow, TOKEN_SCOPES } from '../../tokens/api-tokens.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { resultUnion } from './errors.js';
import { nodeIdOf } from './service-ids.js';

/** Read by server/auth.ts before execution: these fields need an ADMIN token. */
const ADMIN = { requiredScope: 'ADMIN' } as const;
const isAdmin = (ctx: GraphQLContext) => ctx.principal.scope === 'ADMIN';

const TokenScopeEnum = builder.enumType('TokenScope', {
  description: 'READ: queries and subscriptions. WRITE: also mutations. ADMIN: also tokens and the audit log.',
  values: TOKEN_SCOPES,
});

const ApiTokenRef = builder.objectRef<ApiTokenRow>('ApiToken');
export const ApiTokenNode = builder.node(ApiTokenRef, {
  id: { resolve: (token) => token.id },
  // node(id:) of a token is null for anyone but an ADMIN (the document check cannot see it coming).
  loadOne: (id, ctx) => (isAdmin(ctx) ? ctx.apiTokens.get(id) : null),
  fields: (t) => ({
    name: t.exposeString('name'),
    scopes: t.field({ type: [TokenScopeEnum], resolve: (token) => token.scopes }),
    labels: t.exposeStringList('labels', { description: 'Only services with one of these labels (empty: all).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Written every 30 seconds at most, not on every request.',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedApiToken = builder.simpleObject('CreatedApiToken', {
  fields: (t) => ({
    token: t.string({ description: 'Shown once: only a salted hash of it is kept.' }),
    apiToken: t.field({ type: ApiTokenNode }),
  }),
});

const ApiTokenPayload = builder.simpleObject('ApiTokenPayload', {
  fields: (t) => ({ apiToken: t.field({ type: ApiTokenNode }) }),
});

builder.queryFields((t) => ({
  apiTokens: t.field({
    type: [ApiTokenNode],
    description: 'Every token made through the API, revoked ones too, newest first (ADMIN).',
    extensions: ADMIN,
    resolve: (_root, _args, ctx) => ctx.apiTokens.list(),
  }),
}));

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedApiToken,
    description: 'A new token; its secret is in the answer and nowhere else (ADMIN).',
    extensions: ADMIN,
    errors: resultUnion('CreateApiTokenResult', [ValidationError]),
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg({ type: [TokenScopeEnum], required: true }),
      labels: t.arg.stringList({ description: 'Only services with one of these labels (not with ADMIN).' }),
      expiresAt: t.arg({ type: 'DateTime' }),
    },
    resolve: async (_root, args, ctx) => {
      const { token, row } = await ctx.apiTokens.create(args);
      return { token, apiToken: row };
    },
  }),

  revokeApiToken: t.field({
    type: ApiTokenPayload,
    description: 'Refused from the next request on, on every replica; its open sockets are closed (4403) (ADMIN).',
    extensions: ADMIN,
    errors: resultUnion('RevokeApiTokenResult', [NotFoundError]),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const tokenId = nodeIdOf('ApiToken', String(id));
      if (tokenId === null) throw new NotFoundError(`no token with id ${JSON.stringify(String(id).slice(0, 100))}`);
      return { apiToken: await ctx.apiTokens.revoke(tokenId) };
    },
  }),
}));
