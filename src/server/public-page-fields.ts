import { type DocumentNode, type GraphQLSchema, getNamedType, TypeInfo, visit, visitWithTypeInfo } from 'graphql';

/**
 * What anyone may read without a token: a status page and what it shows of its own services
 * (name, status, uptime), never an id, a url, labels, a message or another service.
 */
export const PUBLIC_PAGE_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  Query: new Set(['statusPage']),
  StatusPage: new Set(['slug', 'title', 'description', 'overall', 'historyDays', 'services', 'incidents']),
  Service: new Set(['name', 'state', 'daily', 'uptime']),
  ServiceState: new Set(['status', 'since']),
  DailyUptime: new Set(['day', 'uptime', 'downtimeSeconds', 'maintenanceSeconds']),
  IncidentConnection: new Set(['edges', 'totalCount', 'pageInfo']),
  IncidentEdge: new Set(['node', 'cursor']),
  PageInfo: new Set(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']),
  Incident: new Set(['title', 'status', 'updates', 'startedAt', 'resolvedAt']),
  IncidentUpdate: new Set(['at', 'status', 'message']),
};

/** True when a document selects nothing but the public status-page fields. */
export function onlyPublicPageFields(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let ok = true;
  let fields = 0;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        if (node.operation !== 'query') ok = false;
      },
      Field(node) {
        if (node.name.value === '__typename') return;
        fields++;
        const parent = typeInfo.getParentType();
        const allowed = parent ? PUBLIC_PAGE_FIELDS[getNamedType(parent).name] : undefined;
        if (!allowed?.has(node.name.value)) ok = false;
      },
    }),
  );
  return ok && fields > 0;
}
