import { GraphQLError } from 'graphql';
import type { CheckCompletedEvent, MonitorTopics, StatusChangedEvent } from '../../checks/monitor-topics.js';
import type { ServiceRow } from '../../registry/registry.js';
import { summaryFor, visibleEvents } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { subscribeToEvents } from '../event-stream.js';
import { resumedStatusChanges, SUMMARY_EVERY_MS, summaryChanges } from '../status-streams.js';
import { transitionCursor, transitionIdOf } from '../transition-cursor.js';
import { ASSERTION_LIST_COMPLEXITY, AssertionResultObject, CheckPhasesObject } from './assertions.js';
import { CheckFailureReasonEnum, ServiceStatusEnum } from './enums.js';
import { ServiceNode, ServiceStateObject } from './service.js';
import { serviceIdOf } from './service-ids.js';
import { StatusSummary } from './service-queries.js';

export const MAX_CHECK_SUBSCRIPTION_IDS = 100;

/**
 * The service of an event: from the in-memory directory (no database query per subscriber), or,
 * for a service registered elsewhere a moment ago, read once from the database.
 */
function serviceOf(ctx: GraphQLContext, serviceId: string): ServiceRow | Promise<ServiceRow> {
  const found = ctx.serviceLookup.get(serviceId);
  if (!(found instanceof Promise)) return found;
  return found.then((row) => {
    if (!row) throw new GraphQLError('the service of this event was removed');
    return row;
  });
}

const StatusChangeEventObject = builder.objectRef<StatusChangedEvent>('StatusChangeEvent').implement({
  fields: (t) => ({
    cursor: t.string({
      description:
        'Where this event is in the stream: increases with every transition, across replicas. Pass the last one seen as `statusChanged(after:)` to get what came after it.',
      resolve: (event) => transitionCursor(event.id),
    }),
    service: t.field({ type: ServiceNode, resolve: (event, _args, ctx) => serviceOf(ctx, event.serviceId) }),
    previous: t.expose('previous', { type: ServiceStatusEnum }),
    current: t.expose('current', { type: ServiceStatusEnum }),
    at: t.expose('at', { type: 'DateTime' }),
    message: t.exposeString('message', {
      nullable: true,
      description: 'Why: the failure or slowness that caused it, or what the recovering check saw.',
    }),
    state: t.expose('state', { type: ServiceStateObject }),
  }),
});

const CheckResultObject = builder.objectRef<CheckCompletedEvent>('CheckResult').implement({
  fields: (t) => ({
    service: t.field({ type: ServiceNode, resolve: (event, _args, ctx) => serviceOf(ctx, event.serviceId) }),
    at: t.expose('at', { type: 'DateTime' }),
    ok: t.boolean({ resolve: (event) => event.result.ok }),
    degraded: t.boolean({ resolve: (event) => event.result.degraded }),
    latencyMs: t.float({ nullable: true, resolve: (event) => event.result.latencyMs }),
    httpStatus: t.int({ nullable: true, resolve: (event) => event.result.httpStatus }),
    reason: t.field({ type: CheckFailureReasonEnum, nullable: true, resolve: (event) => event.result.reason }),
    message: t.string({ nullable: true, resolve: (event) => event.result.message }),
    phases: t.field({
      type: CheckPhasesObject,
      nullable: true,
      description: 'Where the time of the check went.',
      resolve: (event) => event.result.phases ?? null,
    }),
    assertions: t.field({
      type: [AssertionResultObject],
      complexity: ASSERTION_LIST_COMPLEXITY,
      resolve: (event) => event.result.assertions ?? [],
    }),
  }),
});

/** Service global ids to database ids; an id that is not a service id is a client error. */
function serviceIds(ids: readonly (string | number)[]): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    const serviceId = serviceIdOf(String(id));
    if (serviceId === null) {
      throw new GraphQLError(`not a service id: ${JSON.stringify(String(id).slice(0, 100))}`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    out.add(serviceId);
  }
  return out;
}

/** The events of a topic, of the services the principal sees. */
function stream<K extends keyof MonitorTopics & string>(ctx: GraphQLContext, topic: K, ids: Set<string> | null) {
  return visibleEvents(ctx, subscribeToEvents(ctx.events, topic, ids));
}

builder.subscriptionType({
  fields: (t) => ({
    statusChanged: t.field({
      type: StatusChangeEventObject,
      description:
        "A service's status changed. With no serviceIds: every service. With `after` (an event's cursor): every stored transition after it first, then live, with no gap and no duplicate.",
      args: {
        serviceIds: t.arg.idList(),
        after: t.arg.string({ description: 'The cursor of the last event seen; older than the retention: an error.' }),
      },
      subscribe: (_root, args, ctx) => {
        const ids = args.serviceIds ? serviceIds(args.serviceIds) : null;
        if (args.after == null) return stream(ctx, 'statusChanged', ids);
        return visibleEvents(ctx, resumedStatusChanges(ctx, ids, transitionIdOf(args.after)));
      },
      resolve: (event) => event,
    }),
    summaryChanged: t.field({
      type: StatusSummary,
      description: `The status counts, sent when they change (at most once every ${SUMMARY_EVERY_MS / 1000} s, with the counts of that moment).`,
      subscribe: (_root, _args, ctx) => summaryChanges({ ...ctx, summary: summaryFor(ctx) }),
      resolve: (summary) => summary,
    }),
    checkCompleted: t.field({
      type: CheckResultObject,
      description: `Every finished check of the given services (for live latency charts); 1 to ${MAX_CHECK_SUBSCRIPTION_IDS} ids.`,
      args: { serviceIds: t.arg.idList({ required: true }) },
      subscribe: (_root, args, ctx) => {
        const ids = serviceIds(args.serviceIds);
        if (ids.size < 1 || ids.size > MAX_CHECK_SUBSCRIPTION_IDS) {
          throw new GraphQLError(
            `checkCompleted takes 1 to ${MAX_CHECK_SUBSCRIPTION_IDS} service ids (got ${ids.size})`,
            {
              extensions: { code: 'BAD_USER_INPUT' },
            },
          );
        }
        return stream(ctx, 'checkCompleted', ids);
      },
      resolve: (event) => event,
    }),
  }),
});
