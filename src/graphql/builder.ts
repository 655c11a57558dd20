import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { isStorableText } from '../registry/text.js';
import type { GraphQLContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  // The errors plugin goes before the Prisma plugin so typed results wrap Prisma fields too.
  // Complexity only annotates fields (a connection's page size as its multiplier); the limit is
  // enforced before execution by server/limits.ts, for both transports.
  plugins: [ErrorsPlugin, PrismaPlugin, RelayPlugin, ComplexityPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    // No stored id holds text PostgreSQL would refuse; asking would be an unexpected error.
    nodeQueryOptions: {
      resolve: (_root, { id }, _ctx, _info, resolveNode) => (isStorableText(id.id) ? resolveNode(id) : null),
    },
    // Each connection field multiplies by its page size (its `complexity`), so edges add no multiplier.
    edgesFieldOptions: { nullable: { list: false, items: false }, complexity: { field: 1, multiplier: 1 } },
    nodeFieldOptions: { nullable: false },
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // Set from the configuration by setUnusedQueryPolicy (createApp); silent until then.
    onUnusedQuery: null,
  },
});

/**
 * What resolvers do with a Prisma query they planned and never used (config.graphql.unusedQuery).
 * The Prisma plugin reads this option on every resolution, so it may be set after the schema is built.
 */
export function setUnusedQueryPolicy(policy: 'error' | 'warn' | null): void {
  builder.options.prisma.onUnusedQuery = policy;
}
