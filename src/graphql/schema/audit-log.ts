import { GraphQLError } from 'graphql';
import type { AuditEntryRow } from '../../audit/audit-log.js';
import { builder } from '../builder.js';
import { idCursors, idPage } from '../id-pages.js';

/** Read by server/auth.ts before execution: the audit log needs an ADMIN token. */
const ADMIN = { requiredScope: 'ADMIN' } as const;
const MAX_PAGE = 200;

const AuditEntryObject = builder.objectRef<AuditEntryRow>('AuditEntry').implement({
  description: 'One change: who made it, which operation, on what, and what changed (never a secret value).',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.exposeString('actor', {
      description: 'The token\'s name, "environment token" (one of API_TOKENS), "config file", or "anonymous".',
    }),
    operation: t.exposeString('operation'),
    target: t.exposeString('target', { nullable: true }),
    summary: t.exposeString('summary'),
  }),
});

const AuditEntryEdge = builder.simpleObject('AuditEntryEdge', {
  fields: (t) => ({ cursor: t.string(), node: t.field({ type: AuditEntryObject }) }),
});
const AuditEntryConnection = builder.simpleObject('AuditEntryConnection', {
  fields: (t) => ({
    edges: t.field({ type: [AuditEntryEdge] }),
    pageInfo: t.field({ type: builder.pageInfoRef() }),
    totalCount: t.int(),
  }),
});

const { cursorOf, idOf } = idCursors('AuditEntry');
function idOfCursor(cursor: string): string {
  const id = idOf(cursor) ?? '';
  if (!/^[0-9a-f-]{36}$/.test(id)) {
    throw new GraphQLError('after: not a cursor of the audit log', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return id;
}

builder.queryFields((t) => ({
  auditLog: t.field({
    type: AuditEntryConnection,
    description: `Who changed what, newest first; kept as long as the history (ADMIN). Pages of 1 to ${MAX_PAGE}.`,
    extensions: ADMIN,
    args: { first: t.arg.int({ defaultValue: 50 }), after: t.arg.string() },
    complexity: (args) => ({ field: 1, multiplier: Math.min(MAX_PAGE, Math.max(1, args.first ?? 50)) }),
    resolve: async (_root, { first, after }, ctx) => {
      const size = Math.min(MAX_PAGE, Math.max(1, first ?? 50));
      const afterId = after == null ? null : idOfCursor(after);
      const [rows, totalCount] = await Promise.all([ctx.audit.page(size + 1, afterId), ctx.audit.count()]);
      return idPage(rows, size, after, totalCount, cursorOf);
    },
  }),
}));
