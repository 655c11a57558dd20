import {
  defaultFieldResolver,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { SERVICE_STATUSES, type ServiceStatus } from '../checks/service-state.js';
import type { StatusSummary } from '../checks/status-cache.js';
import type { Prisma } from '../generated/prisma/client.js';
import { NotFoundError, ValidationError } from '../registry/errors.js';
import { type Principal, seesLabels } from '../tokens/principal.js';
import type { GraphQLContext } from './context.js';
import { requireServiceId } from './schema/service-ids.js';

/**
 * What a token limited to labels sees, in one place: services outside its labels do not exist for
 * it. Lists leave them out, single fields and node(id:) answer null, events of them are not sent,
 * summaries count without them, and mutations of them answer NotFoundError.
 */

type Labelled = { labels?: readonly string[] | null };

/** Whether the principal sees this service; a row without its labels is not shown (fail closed). */
export function sees(principal: Principal, service: Labelled | null | undefined): boolean {
  if (principal.labels === null) return true;
  return Array.isArray(service?.labels) && seesLabels(principal, service.labels);
}

/** The part of a Prisma `where` that keeps to the principal's services (nothing for most). */
export function visibleWhere(principal: Principal): { labels?: Prisma.StringNullableListFilter<'Service'> } {
  return principal.labels === null ? {} : { labels: { hasSome: [...principal.labels] } };
}

/** Whether the service of an event is one the principal sees (from memory; once from the database for a new one). */
export async function seesServiceId(ctx: GraphQLContext, serviceId: string): Promise<boolean> {
  if (ctx.principal.labels === null) return true;
  return sees(ctx.principal, await ctx.serviceLookup.get(serviceId));
}

/** The status counts of the services the principal sees: the cache's own for most, counted for a limited token. */
export function summaryFor(ctx: GraphQLContext): () => StatusSummary {
  if (ctx.principal.labels === null) return () => ctx.cache.summary();
  const principal = ctx.principal;
  return () => {
    const summary = Object.fromEntries([
      ['total', 0],
      ...SERVICE_STATUSES.map((status) => [status.toLowerCase(), 0]),
    ]) as StatusSummary;
    for (const row of ctx.directory.values()) {
      if (!sees(principal, row)) continue;
      const state = ctx.cache.get(row.id);
      if (!state) continue;
      summary[state.status.toLowerCase() as Lowercase<ServiceStatus>]++;
      summary.total++;
    }
    return summary;
  };
}

/** Keeps the events of a stream whose service the principal sees; ending it ends the source at once. */
export function visibleEvents<T extends { serviceId: string }>(
  ctx: GraphQLContext,
  source: AsyncGenerator<T, undefined, unknown>,
): AsyncGenerator<T, undefined, unknown> {
  if (ctx.principal.labels === null) return source;
  const iterator: AsyncGenerator<T, undefined, unknown> = {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || (await seesServiceId(ctx, result.value.serviceId))) return result;
      }
    },
    return: () => source.return(undefined),
    throw: (err: unknown) => source.throw(err),
    [Symbol.asyncIterator]: () => iterator,
  } as AsyncGenerator<T, undefined, unknown>;
  return iterator;
}

/**
 * The database id of a service the principal may change, from its global id; NotFoundError for one
 * outside a limited token's labels, exactly as for one that does not exist.
 */
export async function requireVisibleServiceId(ctx: GraphQLContext, globalId: string): Promise<string> {
  const id = requireServiceId(globalId);
  if (ctx.principal.labels === null) return id;
  if (!sees(ctx.principal, await ctx.registry.get(id))) {
    throw new NotFoundError(`no service with id ${JSON.stringify(globalId.slice(0, 100))}`);
  }
  return id;
}

/**
 * The parents a service is to depend on, checked for a limited token: one outside its labels is
 * refused exactly as one that does not exist (the registry's own words), so that dependsOn can
 * neither reveal nor tie a service to another team's.
 */
export async function visibleParents(
  ctx: GraphQLContext,
  ids: readonly string[] | null | undefined,
): Promise<readonly string[] | null | undefined> {
  if (ctx.principal.labels === null || !ids) return ids;
  for (const id of ids) {
    if (!sees(ctx.principal, await ctx.registry.get(id)))
      throw new ValidationError('dependsOn', `no such service: ${id}`);
  }
  return ids;
}

/**
 * A limited token registers services with one of its labels, and cannot move one out of them:
 * `labels` is the new list (undefined: unchanged, allowed when updating).
 */
export function checkServiceLabels(
  ctx: GraphQLContext,
  labels: readonly string[] | null | undefined,
  registering: boolean,
): void {
  const principal = ctx.principal;
  if (principal.labels === null || (!registering && labels == null)) return;
  if (!seesLabels(principal, labels ?? [])) {
    const within = `one of this token's labels (${principal.labels.join(', ')})`;
    throw new ValidationError('labels', registering ? `must include ${within}` : `must keep ${within}`);
  }
}

/**
 * Applied once to the built schema. Every field whose type is Service (or a list of them), on any
 * type but Query (whose own fields filter in SQL), leaves out what a limited token may not see.
 * (The mutations of one service check it themselves: requireVisibleServiceId, checkServiceLabels.)
 * Nothing changes for a principal without labels.
 */
export function guardServiceAccess(schema: GraphQLSchema): GraphQLSchema {
  const query = schema.getQueryType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === query) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
      if (getNamedType(field.type).name !== 'Service') continue;
      const nullable = !isNonNullType(field.type);
      const list = isListType(isNonNullType(field.type) ? field.type.ofType : field.type);
      field.resolve = async (root, args, ctx, info) => {
        const value = await resolve(root, args, ctx, info);
        if (ctx.principal.labels === null || value === null || value === undefined) return value;
        if (list) return (value as Labelled[]).filter((service) => sees(ctx.principal, service));
        if (sees(ctx.principal, value as Labelled)) return value;
        if (nullable) return null;
        throw new GraphQLError('this service is outside the labels of this token');
      };
    }
  }
  return schema;
}
