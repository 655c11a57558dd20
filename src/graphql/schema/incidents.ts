import { INCIDENT_STATUSES, type IncidentRow, type IncidentUpdateRow } from '../../pages/incidents.js';
import { ConflictError, NotFoundError, ValidationError } from '../../registry/errors.js';
import { builder } from '../builder.js';
import { idCursors, idPage } from '../id-pages.js';
import { resultUnion } from './errors.js';
import { ServiceNode } from './service.js';
import { nodeIdOf, serviceIdOf } from './service-ids.js';
import { StatusPageNode } from './status-pages.js';

const IncidentUpdateObject = builder.objectRef<IncidentUpdateRow>('IncidentUpdate').implement({
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    status: t.exposeString('status', { description: INCIDENT_STATUSES.join(', ') }),
    message: t.exposeString('message'),
  }),
});

const IncidentRef = builder.objectRef<IncidentRow>('Incident');
export const IncidentNode = builder.node(IncidentRef, {
  id: { resolve: (incident) => incident.id },
  loadOne: (id, ctx) => ctx.incidents.get(id),
  fields: (t) => ({
    title: t.exposeString('title'),
    status: t.exposeString('status', { description: `${INCIDENT_STATUSES.join(', ')}: that of the latest update.` }),
    services: t.field({
      type: [ServiceNode],
      resolve: async (incident, _args, ctx) =>
        await ctx.prisma.service.findMany({ where: { id: { in: incident.serviceIds } }, orderBy: { name: 'asc' } }),
    }),
    updates: t.field({
      type: [IncidentUpdateObject],
      description: 'Oldest first; the first was posted with the incident.',
      resolve: (incident) => incident.updates,
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
  }),
});

const IncidentEdge = builder.simpleObject('IncidentEdge', {
  fields: (t) => ({ cursor: t.string(), node: t.field({ type: IncidentNode }) }),
});
const IncidentConnection = builder.simpleObject('IncidentConnection', {
  fields: (t) => ({
    edges: t.field({ type: [IncidentEdge] }),
    pageInfo: t.field({ type: builder.pageInfoRef() }),
    totalCount: t.int(),
  }),
});

const { cursorOf, idOf: idOfCursor } = idCursors('Incident');

builder.objectField(StatusPageNode, 'incidents', (t) =>
  t.field({
    type: IncidentConnection,
    description: "Incidents of the page's services, newest first.",
    args: { first: t.arg.int({ defaultValue: 20 }), after: t.arg.string() },
    resolve: async (page, { first, after }, ctx) => {
      const ids = (await ctx.loaders.pageServices.load(page)).map((s) => s.id);
      const size = Math.min(100, Math.max(1, first ?? 20));
      const [rows, totalCount] = await Promise.all([
        ctx.incidents.ofServices(ids, size + 1, idOfCursor(after)),
        ctx.incidents.countOfServices(ids),
      ]);
      return idPage(rows, size, after, totalCount, cursorOf);
    },
  }),
);

const IncidentInput = builder.inputType('IncidentInput', {
  fields: (t) => ({
    title: t.string({ required: true }),
    status: t.string({ defaultValue: 'INVESTIGATING', description: INCIDENT_STATUSES.join(', ') }),
    message: t.string({ required: true, description: 'The first update.' }),
    serviceIds: t.idList({ required: true }),
  }),
});
const IncidentUpdateInput = builder.inputType('IncidentUpdateInput', {
  fields: (t) => ({
    status: t.string({ required: true, description: INCIDENT_STATUSES.join(', ') }),
    message: t.string({ required: true }),
  }),
});
const IncidentPayload = builder.simpleObject('IncidentPayload', {
  fields: (t) => ({ incident: t.field({ type: IncidentNode }) }),
});
const incidentResult = resultUnion('IncidentResult', [ValidationError, ConflictError, NotFoundError]);

function requireIncidentId(globalId: string): string {
  const id = nodeIdOf('Incident', globalId);
  if (id === null) throw new NotFoundError(`no incident with id ${JSON.stringify(globalId.slice(0, 100))}`);
  return id;
}

builder.mutationFields((t) => ({
  createIncident: t.field({
    type: IncidentPayload,
    errors: incidentResult,
    args: { input: t.arg({ type: IncidentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      incident: await ctx.incidents.create({
        ...input,
        serviceIds: input.serviceIds.map((id, i) => {
          const serviceId = serviceIdOf(String(id));
          if (serviceId === null) throw new ValidationError(`serviceIds[${i}]`, 'not a service id');
          return serviceId;
        }),
      }),
    }),
  }),
  updateIncident: t.field({
    type: IncidentPayload,
    errors: incidentResult,
    description: 'Posts an update; its status becomes the incident’s (RESOLVED resolves it).',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: IncidentUpdateInput, required: true }) },
    resolve: async (_root, { id, input }, ctx) => ({
      incident: await ctx.incidents.update(requireIncidentId(String(id)), input.status, input.message),
    }),
  }),
  resolveIncident: t.field({
    type: IncidentPayload,
    errors: incidentResult,
    args: { id: t.arg.id({ required: true }), message: t.arg.string() },
    resolve: async (_root, { id, message }, ctx) => ({
      incident: await ctx.incidents.resolve(requireIncidentId(String(id)), message),
    }),
  }),
}));
