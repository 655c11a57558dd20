import type { MaintenanceWindowRow } from '../../maintenance/window-store.js';
import { ConflictError, NotFoundError, ValidationError } from '../../registry/errors.js';
import type { ServiceRow } from '../../registry/registry.js';
import { builder } from '../builder.js';
import { resultUnion } from './errors.js';
import { ServiceNode, ServiceStateObject } from './service.js';
import { nodeIdOf, serviceIdOf } from './service-ids.js';

const MAX_UPCOMING = 100;

const MaintenanceWindowRef = builder.objectRef<MaintenanceWindowRow>('MaintenanceWindow');
export const MaintenanceWindowNode = builder.node(MaintenanceWindowRef, {
  id: { resolve: (window) => window.id },
  // From memory: every process holds every window (they are few), so no query per row.
  loadOne: (id, ctx) => ctx.maintenance.get(id) ?? null,
  fields: (t) => ({
    name: t.exposeString('name'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    recurrence: t.exposeString('recurrence', {
      nullable: true,
      description: 'RFC 5545 RRULE (e.g. FREQ=WEEKLY;BYDAY=SU), repeating the startsAt..endsAt span; null = once.',
    }),
    timezone: t.exposeString('timezone', { description: "IANA time zone of the rule's wall-clock times." }),
    services: t.field({
      type: [ServiceNode],
      description: 'Services it applies to: those named and those with one of its labels, by name.',
      resolve: async (window, _args, ctx) => {
        const rows = await Promise.all(ctx.maintenance.servicesOf(window).map((id) => ctx.serviceLookup.get(id)));
        return rows.filter((r): r is ServiceRow => r !== null).sort((a, b) => (a.name < b.name ? -1 : 1));
      },
    }),
    labels: t.exposeStringList('labels', { description: 'It applies to every service with one of these labels.' }),
    upcoming: t.field({
      type: ['DateTime'],
      description: `Next occurrences, from now (the one in force first); at most ${MAX_UPCOMING}.`,
      args: { count: t.arg.int({ defaultValue: 5 }) },
      resolve: (window, { count }, ctx) =>
        ctx.maintenance.upcoming(window, Math.min(MAX_UPCOMING, Math.max(0, count ?? 5))),
    }),
    active: t.boolean({
      description: 'In force now.',
      resolve: (window, _args, ctx) => ctx.maintenance.isActive(window.id),
    }),
  }),
});

builder.objectFields(ServiceStateObject, (t) => ({
  maintenance: t.field({
    type: MaintenanceWindowNode,
    nullable: true,
    description: 'The maintenance window in force, if any.',
    resolve: (state, _args, ctx) =>
      state.status === 'MAINTENANCE' && state.maintenance ? (ctx.maintenance.get(state.maintenance) ?? null) : null,
  }),
}));

const MaintenanceWindowInput = builder.inputType('MaintenanceWindowInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    recurrence: t.string({ description: 'RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2 (HOURLY or coarser).' }),
    timezone: t.string({ defaultValue: 'UTC', description: 'IANA time zone, e.g. Europe/Paris.' }),
    serviceIds: t.idList(),
    labels: t.stringList(),
  }),
});

const MaintenanceWindowPayload = builder.simpleObject('MaintenanceWindowPayload', {
  fields: (t) => ({ window: t.field({ type: MaintenanceWindowNode }) }),
});

const windowResult = resultUnion('MaintenanceWindowResult', [ValidationError, ConflictError, NotFoundError]);

function requireWindowId(globalId: string): string {
  const id = nodeIdOf('MaintenanceWindow', globalId);
  if (id === null) throw new NotFoundError(`no maintenance window with id ${JSON.stringify(globalId.slice(0, 100))}`);
  return id;
}

type Input = typeof MaintenanceWindowInput.$inferInput;
const toDomain = (input: Input) => ({
  ...input,
  serviceIds: input.serviceIds?.map((id, i) => {
    const serviceId = serviceIdOf(String(id));
    if (serviceId === null) throw new ValidationError(`serviceIds[${i}]`, 'not a service id');
    return serviceId;
  }),
});

builder.queryFields((t) => ({
  maintenanceWindows: t.field({
    type: [MaintenanceWindowNode],
    description: 'Every maintenance window by name, or only those in force now.',
    args: { activeOnly: t.arg.boolean() },
    resolve: (_root, { activeOnly }, ctx) => ctx.maintenance.list(activeOnly ?? false),
  }),
}));

builder.mutationFields((t) => ({
  createMaintenanceWindow: t.field({
    type: MaintenanceWindowPayload,
    errors: windowResult,
    args: { input: t.arg({ type: MaintenanceWindowInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ window: await ctx.maintenance.create(toDomain(input)) }),
  }),
  updateMaintenanceWindow: t.field({
    type: MaintenanceWindowPayload,
    errors: windowResult,
    description: 'Replaces the whole definition.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: MaintenanceWindowInput, required: true }) },
    resolve: async (_root, { id, input }, ctx) => ({
      window: await ctx.maintenance.update(requireWindowId(String(id)), toDomain(input)),
    }),
  }),
  deleteMaintenanceWindow: t.field({
    type: MaintenanceWindowPayload,
    errors: windowResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({ window: await ctx.maintenance.delete(requireWindowId(String(id))) }),
  }),
}));
