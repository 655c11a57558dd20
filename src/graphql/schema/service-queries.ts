import { GraphQLError } from 'graphql';
import type { ServiceStatus } from '../../checks/service-state.js';
import type { StatusCache } from '../../checks/status-cache.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { isStorableText } from '../../registry/text.js';
import type { Principal } from '../../tokens/principal.js';
import { summaryFor, visibleWhere } from '../access.js';
import { builder } from '../builder.js';
import { ServiceStatusEnum } from './enums.js';
import { serviceIdOf } from './service-ids.js';

const ServiceFilter = builder.inputType('ServiceFilter', {
  fields: (t) => ({
    status: t.field({ type: [ServiceStatusEnum] }),
    label: t.string(),
    search: t.string({ description: 'Case-insensitive substring of the name.' }),
  }),
});

export const StatusSummary = builder.simpleObject('StatusSummary', {
  fields: (t) => ({
    total: t.int(),
    up: t.int(),
    degraded: t.int(),
    down: t.int(),
    paused: t.int(),
    unknown: t.int(),
    maintenance: t.int({ description: 'In a maintenance window.' }),
    unreachable: t.int(),
  }),
});

type Filter = { status?: ServiceStatus[] | null; label?: string | null; search?: string | null } | null | undefined;

/**
 * Registry fields filter in SQL; status lives in the cache, so it becomes a set of ids. A token
 * limited to labels sees only its services (graphql/access.ts).
 */
function serviceWhere(filter: Filter, cache: StatusCache, principal: Principal): Prisma.ServiceWhereInput {
  // No service holds text PostgreSQL would refuse, so none matches it (and the database is not asked).
  if (!isStorableText(filter?.label ?? '') || !isStorableText(filter?.search ?? '')) return { id: { in: [] } };
  const where: Prisma.ServiceWhereInput = { AND: [visibleWhere(principal)] };
  if (filter?.label) where.labels = { has: filter.label };
  if (filter?.search) where.name = { contains: escapeLike(filter.search), mode: 'insensitive' };
  if (filter?.status) where.id = { in: cache.idsWithStatus(filter.status) };
  return where;
}

/** Prisma passes `contains` to LIKE as is; a search for "50%" means the text, not a wildcard. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

builder.queryFields((t) => ({
  services: t.prismaConnection(
    {
      type: 'Service',
      cursor: 'id',
      defaultSize: 50,
      maxSize: 500,
      // What a page selects costs once per row asked for (server/limits.ts enforces the budget).
      complexity: (args) => ({ field: 1, multiplier: Math.min(args.first ?? args.last ?? 50, 500) }),
      args: { filter: t.arg({ type: ServiceFilter }) },
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.service.findMany({
          ...query,
          where: serviceWhere(args.filter, ctx.cache, ctx.principal),
          orderBy: { name: 'asc' },
        }),
      totalCount: (_connection, args, ctx) =>
        ctx.prisma.service.count({ where: serviceWhere(args.filter, ctx.cache, ctx.principal) }),
    },
    { name: 'ServiceConnection' },
    { name: 'ServiceEdge' },
  ),

  service: t.prismaField({
    type: 'Service',
    nullable: true,
    description: 'Look a service up by id or by its unique name.',
    args: { id: t.arg.id(), name: t.arg.string() },
    resolve: (query, _root, args, ctx) => {
      if ((args.id == null) === (args.name == null)) {
        throw new GraphQLError('give exactly one of id or name', { extensions: { code: 'BAD_USER_INPUT' } });
      }
      if (args.id != null) {
        const id = serviceIdOf(String(args.id));
        return id === null
          ? null
          : ctx.prisma.service.findUnique({ ...query, where: { id, ...visibleWhere(ctx.principal) } });
      }
      const name = String(args.name).trim();
      return isStorableText(name)
        ? ctx.prisma.service.findUnique({ ...query, where: { name, ...visibleWhere(ctx.principal) } })
        : null;
    },
  }),

  statusSummary: t.field({
    type: StatusSummary,
    resolve: (_root, _args, ctx) => summaryFor(ctx)(),
  }),
}));
