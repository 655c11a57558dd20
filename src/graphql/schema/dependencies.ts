import type { ServiceRow } from '../../registry/registry.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { ServiceNode, ServiceStateObject } from './service.js';

/**
 * Services by id from the in-memory directory (no query per row; a service another replica
 * registered a moment ago is read once), leaving out any removed meanwhile.
 */
async function servicesOf(ctx: GraphQLContext, ids: readonly string[]): Promise<ServiceRow[]> {
  const rows = await Promise.all(ids.map((id) => ctx.serviceLookup.get(id)));
  return rows.filter((row): row is ServiceRow => row !== null);
}

builder.prismaObjectFields(ServiceNode, (t) => ({
  dependsOn: t.field({
    type: [ServiceNode],
    description:
      'The services this one depends on, in the order given: while one of them (or one they depend on) is DOWN, failing makes this one UNREACHABLE instead of DOWN (so does one in a maintenance window).',
    // At most 20 (the registry refuses more).
    complexity: { field: 1, multiplier: 1 },
    resolve: (service, _args, ctx) => servicesOf(ctx, ctx.monitor.dependencies.parentsOf(service.id)),
  }),
  dependents: t.field({
    type: [ServiceNode],
    description: 'The services that name this one in their dependsOn.',
    resolve: (service, _args, ctx) => servicesOf(ctx, ctx.monitor.dependencies.childrenOf(service.id)),
  }),
}));

builder.objectFields(ServiceStateObject, (t) => ({
  rootCause: t.field({
    type: ServiceNode,
    nullable: true,
    description: 'UNREACHABLE only: the deepest service it depends on that is DOWN (or in a maintenance window).',
    resolve: async (state, _args, ctx) => (state.rootCause ? ctx.serviceLookup.get(state.rootCause) : null),
  }),
}));
