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
