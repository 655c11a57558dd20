import { GraphQLError } from 'graphql';
import { UPTIME_WINDOWS, type UptimeWindow } from '../../history/windows.js';
import { builder } from '../builder.js';
import { transitionCursor } from '../transition-cursor.js';
import { ServiceStatusEnum } from './enums.js';
import { ServiceNode } from './service.js';

const UptimeWindowEnum = builder.enumType('UptimeWindow', {
  values: Object.keys(UPTIME_WINDOWS) as UptimeWindow[],
});

builder.prismaObject('StatusChange', {
  fields: (t) => ({
    previous: t.expose('previous', { type: ServiceStatusEnum }),
    current: t.expose('current', { type: ServiceStatusEnum }),
    at: t.expose('at', { type: 'DateTime' }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

const LatencyStats = builder.simpleObject('LatencyStats', {
  description: 'Latency of the checks in a window; percentiles are estimated from stored buckets (within ~20 %).',
  fields: (t) => ({
    checks: t.int(),
    failures: t.int(),
    degraded: t.int(),
    averageMs: t.float(),
    minMs: t.float(),
    maxMs: t.float(),
    p50Ms: t.float({ nullable: true }),
    p95Ms: t.float({ nullable: true }),
    p99Ms: t.float({ nullable: true }),
  }),
});

const SlaReportObject = builder.simpleObject('SlaReport', {
  fields: (t) => ({
    objective: t.float(),
    uptime: t.float({ nullable: true, description: 'Share of the window not spent down, 0..1.' }),
    allowedDowntimeSeconds: t.int({ description: 'Seconds of downtime the objective allows in the window.' }),
    downtimeSeconds: t.int({ description: 'Seconds spent down in the window.' }),
    errorBudgetRemaining: t.float({ nullable: true, description: '1 = untouched, 0 = spent, negative = overspent.' }),
    burnRate: t.float({
      nullable: true,
      description: 'How fast the budget burns now (1 = exactly on budget), over the last hour.',
    }),
  }),
});

function badInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

builder.prismaObjectFields(ServiceNode, (t) => ({
  uptime: t.float({
    nullable: true,
    description: 'Share of passing checks in the window, 0..1; null when nothing was checked in it.',
    args: { window: t.arg({ type: UptimeWindowEnum, required: true }) },
    resolve: async (service, { window }, ctx) => (await ctx.loaders.stats(window).load(service.id))?.uptime ?? null,
  }),
  latency: t.field({
    type: LatencyStats,
    nullable: true,
    description: 'Check latency in the window (null when nothing was checked in it).',
    args: { window: t.arg({ type: UptimeWindowEnum, required: true }) },
    resolve: (service, { window }, ctx) => ctx.loaders.stats(window).load(service.id),
  }),
  uptimeBetween: t.float({
    nullable: true,
    description:
      'Share of passing checks in [from, to), 0..1, for any range inside the retention (per-minute rollups for the ' +
      'last two days, hourly before; a rollup counts when its start is in the range). Null when nothing was checked.',
    args: { from: t.arg({ type: 'DateTime', required: true }), to: t.arg({ type: 'DateTime', required: true }) },
    resolve: (service, { from, to }, ctx) => {
      if (!(from < to)) throw badInput('to', 'must be after from');
      if (from < ctx.history.keptSince()) {
        throw badInput(
          'from',
          `is before the retention (history is kept since ${ctx.history.keptSince().toISOString()})`,
        );
      }
      return ctx.loaders.uptimeBetween(from, to).load(service.id);
    },
  }),
  sla: t.field({
    type: SlaReportObject,
    description:
      'The SLA over the window: downtime measured in time from the stored transitions (DOWN spends the budget; ' +
      'UNKNOWN and PAUSED do not), against what the objective allows.',
    args: {
      objective: t.arg.float({ required: true, description: 'A share, e.g. 0.999 for 99.9 %.' }),
      window: t.arg({ type: UptimeWindowEnum, required: true }),
    },
    resolve: (service, { objective, window }, ctx) => {
      if (!(objective > 0 && objective < 1)) throw badInput('objective', 'must be a share between 0 and 1, e.g. 0.999');
      return ctx.loaders.sla(objective, window).load(service.id);
    },
  }),
  statusChanges: t.relatedConnection(
    'statusChanges',
    {
      description: 'Past status transitions, newest first.',
      cursor: 'id',
      defaultSize: 20,
      maxSize: 200,
      complexity: (args) => ({ field: 1, multiplier: Math.min(args.first ?? args.last ?? 20, 200) }),
      query: { orderBy: { id: 'desc' } },
    },
    { name: 'StatusChangeConnection' },
    { name: 'StatusChangeEdge' },
  ),
}));

builder.queryField('statusCursor', (t) =>
  t.string({
    nullable: true,
    description:
      'The cursor of the newest stored transition (null: none yet). Subscribe with it as `statusChanged(after:)` to miss nothing that happens from now on.',
    resolve: async (_root, _args, ctx) => {
      const id = await ctx.history.newestTransitionId();
      return id === null ? null : transitionCursor(id);
    },
  }),
);
