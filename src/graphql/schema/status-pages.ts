import { OVERALL } from '../../pages/overall.js';
import { overallFor } from '../../pages/page-view.js';
import { ConflictError, NotFoundError, ValidationError } from '../../registry/errors.js';
import { builder } from '../builder.js';
import { resultUnion } from './errors.js';
import { ServiceNode } from './service.js';
import { nodeIdOf, serviceIdOf } from './service-ids.js';

const DailyUptimeObject = builder.simpleObject('DailyUptime', {
  description: 'One UTC day of one service, for status-page bars.',
  fields: (t) => ({
    day: t.string({ description: 'YYYY-MM-DD (UTC).' }),
    uptime: t.float({ nullable: true, description: 'Share of passing checks, 0..1; null: nothing was checked.' }),
    downtimeSeconds: t.int(),
    maintenanceSeconds: t.int(),
  }),
});

builder.prismaObjectFields(ServiceNode, (t) => ({
  daily: t.field({
    type: [DailyUptimeObject],
    description: 'The last `days` UTC days (1 to 365), oldest first, today last.',
    args: { days: t.arg.int({ defaultValue: 90 }) },
    resolve: (service, { days }, ctx) => ctx.loaders.daily(Math.min(365, Math.max(1, days ?? 90))).load(service.id),
  }),
}));

export const StatusPageNode = builder.prismaNode('StatusPage', {
  id: { field: 'id' },
  nullable: true,
  fields: (t) => ({
    slug: t.exposeString('slug'),
    title: t.exposeString('title'),
    description: t.exposeString('description', { nullable: true }),
    labels: t.exposeStringList('labels', { description: 'Every service with one of these labels is shown too.' }),
    historyDays: t.exposeInt('historyDays', { description: 'Days of daily uptime shown per service (default 90).' }),
    services: t.field({
      type: [ServiceNode],
      description: 'Services shown: those named, in order, then every service with one of the labels.',
      resolve: (page, _args, ctx) => ctx.loaders.pageServices.load(page),
    }),
    overall: t.string({
      description: OVERALL.join(', '),
      resolve: async (page, _args, ctx) => overallFor(ctx.cache, await ctx.loaders.pageServices.load(page)),
    }),
  }),
});

const StatusPageInput = builder.inputType('StatusPageInput', {
  fields: (t) => ({
    slug: t.string({ required: true, description: 'The page is at /status/{slug}: a-z, 0-9 and -, up to 64.' }),
    title: t.string({ required: true }),
    description: t.string(),
    serviceIds: t.idList({ description: 'Services shown, in this order.' }),
    labels: t.stringList({ description: 'Every service with one of these labels is shown too.' }),
    historyDays: t.int({ defaultValue: 90 }),
  }),
});

const StatusPagePayload = builder.simpleObject('StatusPagePayload', {
  fields: (t) => ({ page: t.field({ type: StatusPageNode }) }),
});

const pageResult = resultUnion('StatusPageResult', [ValidationError, ConflictError, NotFoundError]);

function requirePageId(globalId: string): string {
  const id = nodeIdOf('StatusPage', globalId);
  if (id === null) throw new NotFoundError(`no status page with id ${JSON.stringify(globalId.slice(0, 100))}`);
  return id;
}

type Input = typeof StatusPageInput.$inferInput;
const toDomain = (input: Input) => ({
  ...input,
  serviceIds: input.serviceIds?.map((id, i) => {
    const serviceId = serviceIdOf(String(id));
    if (serviceId === null) throw new ValidationError(`serviceIds[${i}]`, 'not a service id');
    return serviceId;
  }),
});

builder.queryFields((t) => ({
  statusPage: t.field({
    type: StatusPageNode,
    nullable: true,
    description: 'A public status page, readable without a token: it shows only its own services.',
    args: { slug: t.arg.string({ required: true }) },
    resolve: (_root, { slug }, ctx) => ctx.statusPages.bySlug(slug),
  }),
  statusPages: t.field({
    type: [StatusPageNode],
    resolve: (_root, _args, ctx) => ctx.statusPages.list(),
  }),
}));

builder.mutationFields((t) => ({
  createStatusPage: t.field({
    type: StatusPagePayload,
    errors: pageResult,
    args: { input: t.arg({ type: StatusPageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ page: await ctx.statusPages.create(toDomain(input)) }),
  }),
  updateStatusPage: t.field({
    type: StatusPagePayload,
    errors: pageResult,
    description: 'Replaces the whole definition.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: StatusPageInput, required: true }) },
    resolve: async (_root, { id, input }, ctx) => ({
      page: await ctx.statusPages.update(requirePageId(String(id)), toDomain(input)),
    }),
  }),
  deleteStatusPage: t.field({
    type: StatusPagePayload,
    errors: pageResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({ page: await ctx.statusPages.delete(requirePageId(String(id))) }),
  }),
}));
