import {
  CHANNEL_KINDS,
  channelTarget,
  type EmailOptions,
  NOTIFICATION_EVENTS,
  SMTP_TLS_MODES,
} from '../../notify/channel-input.js';
import { ConflictError, NotFoundError, ValidationError } from '../../registry/errors.js';
import { builder } from '../builder.js';
import { resultUnion } from './errors.js';
import { ServiceNode, ServiceStateObject } from './service.js';
import { nodeIdOf } from './service-ids.js';

const EVENT_DESCRIPTIONS: Partial<Record<(typeof NOTIFICATION_EVENTS)[number], string>> = {
  REMINDER: 'The service is still DOWN (remindEveryMinutes).',
  TEST: 'Sent by testNotificationChannel.',
  FLAPPING:
    'The service changed status more than 5 times in 10 minutes: its notifications are held (sent where DOWN or UP go).',
  STABLE: 'A flapping service has not changed for 5 minutes; names its status (sent where DOWN or UP go).',
  CERTIFICATE_EXPIRING: 'The TLS certificate expires within 14 days (sent at 14, 7 and 1).',
};

const KindEnum = builder.enumType('NotificationChannelKind', { values: CHANNEL_KINDS });
const EventEnum = builder.enumType('NotificationEvent', {
  values: Object.fromEntries(NOTIFICATION_EVENTS.map((e) => [e, { description: EVENT_DESCRIPTIONS[e] }])) as Record<
    (typeof NOTIFICATION_EVENTS)[number],
    { description?: string }
  >,
});
const StatusEnum = builder.enumType('DeliveryStatus', {
  values: {
    PENDING: { description: 'Waiting to be sent, or to be tried again.' },
    SENT: {},
    FAILED: {
      description: 'Given up: refused by the receiver (4xx), by the target policy, or still failing after 24 h.',
    },
    SUPPRESSED: { description: 'Held and never sent: the service was flapping.' },
  },
});

const DELIVERY_PAGE = { defaultSize: 20, maxSize: 200 };
const pageComplexity = (args: { first?: number | null; last?: number | null }) => ({
  field: 1,
  multiplier: Math.min(args.first ?? args.last ?? DELIVERY_PAGE.defaultSize, DELIVERY_PAGE.maxSize),
});

export const NotificationDeliveryNode = builder.prismaNode('NotificationDelivery', {
  id: { field: 'id' },
  nullable: true,
  fields: (t) => ({
    channel: t.relation('channel'),
    event: t.expose('event', { type: EventEnum }),
    services: t.field({
      type: [ServiceNode],
      description: 'The services of this message (more than one when grouped).',
      select: { items: { select: { service: true }, orderBy: { at: 'asc' } } },
      resolve: (delivery) => delivery.items.map((item) => item.service),
    }),
    status: t.expose('status', { type: StatusEnum }),
    attempts: t.exposeInt('attempts'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'PENDING: when it is tried next.',
    }),
    lastError: t.exposeString('lastError', { nullable: true }),
  }),
});

/** One connection type for both lists of deliveries (a channel's and a service's). */
const DeliveryConnection = builder.connectionObject(
  {
    type: NotificationDeliveryNode,
    name: 'NotificationDeliveryConnection',
    fields: (t) => ({
      totalCount: t.int({
        resolve: (connection) => {
          const { totalCount } = connection as { totalCount?: number | (() => number | Promise<number>) };
          return (typeof totalCount === 'function' ? totalCount() : totalCount) ?? 0;
        },
      }),
    }),
  },
  { name: 'NotificationDeliveryEdge' },
);

export const NotificationChannelNode = builder.prismaNode('NotificationChannel', {
  id: { field: 'id' },
  nullable: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: KindEnum }),
    events: t.expose('events', { type: [EventEnum], description: 'Events this channel is sent (default DOWN, UP).' }),
    labels: t.exposeStringList('labels', {
      description: 'Services routed here: every service with one of these labels, plus services that name the channel.',
    }),
    isDefault: t.exposeBoolean('isDefault', { description: "Send to every service's events." }),
    remindEveryMinutes: t.exposeInt('remindEveryMinutes', {
      nullable: true,
      description: 'While a service stays DOWN, remind every N minutes (null: never).',
    }),
    groupWindowSeconds: t.exposeInt('groupWindowSeconds', {
      description: 'Transitions within this window are sent as one grouped message (0: each alone).',
    }),
    rateLimitPerMinute: t.exposeInt('rateLimitPerMinute', {
      description: 'Messages a minute at most; the excess is sent as one summary a minute later.',
    }),
    target: t.string({
      description: 'Non-secret settings (url host, email recipients, ...). Secrets are write-only: never returned.',
      select: { kind: true, url: true, email: true },
      resolve: (c) => channelTarget(c.kind, c.url, c.email as EmailOptions | null),
    }),
    hasSecret: t.boolean({ select: { secret: true }, resolve: (c) => c.secret !== null }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.relatedConnection(
      'deliveries',
      {
        cursor: 'id',
        ...DELIVERY_PAGE,
        totalCount: true,
        complexity: pageComplexity,
        query: { orderBy: { id: 'desc' } },
      },
      DeliveryConnection,
    ),
  }),
});

builder.objectFields(ServiceStateObject, (t) => ({
  flapping: t.boolean({
    description:
      'Changed status more than 5 times in 10 minutes (and not yet 5 minutes without a change): notifications are held.',
    resolve: (state) => state.flapping ?? false,
  }),
}));

builder.prismaObjectFields(ServiceNode, (t) => ({
  notificationChannels: t.field({
    type: [NotificationChannelNode],
    description: 'The channels this service names (notificationChannelIds), by name.',
    // Selected with the service (one query for a page), not one query per service.
    select: { notificationChannels: { select: { channel: true } } },
    resolve: (service) =>
      service.notificationChannels.map((link) => link.channel).sort((a, b) => a.name.localeCompare(b.name)),
  }),
  notifications: t.prismaConnection(
    {
      type: 'NotificationDelivery',
      cursor: 'id',
      ...DELIVERY_PAGE,
      description: 'Notifications about this service, newest first.',
      complexity: pageComplexity,
      resolve: (query, service, _args, ctx) =>
        ctx.prisma.notificationDelivery.findMany({
          ...query,
          where: { items: { some: { serviceId: service.id } } },
          orderBy: { id: 'desc' },
        }),
      totalCount: (service, _args, ctx) =>
        ctx.prisma.notificationDelivery.count({ where: { items: { some: { serviceId: service.id } } } }),
    },
    DeliveryConnection,
  ),
}));

const EmailOptionsInput = builder.inputType('EmailOptionsInput', {
  fields: (t) => ({
    smtpHost: t.string({ required: true }),
    smtpPort: t.int({ defaultValue: 587 }),
    tls: t.string({ defaultValue: 'starttls', description: `One of ${SMTP_TLS_MODES.join(', ')}.` }),
    username: t.string(),
    from: t.string({ required: true }),
    to: t.stringList({ required: true }),
  }),
});

const NotificationChannelInput = builder.inputType('NotificationChannelInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: KindEnum, required: true }),
    url: t.string({
      description: 'WEBHOOK/SLACK/DISCORD/TEAMS/NTFY: the URL to POST to (target policy applies). EMAIL: null.',
    }),
    secret: t.string({
      description:
        'WEBHOOK: HMAC-SHA256 key for the X-Statuschecker-Signature header. PAGERDUTY: the routing key. NTFY: an access token. ' +
        'EMAIL: the SMTP password. On update: left out, the stored secret stays; "" removes it.',
    }),
    email: t.field({ type: EmailOptionsInput, description: 'EMAIL only.' }),
    events: t.field({ type: [EventEnum] }),
    labels: t.stringList(),
    isDefault: t.boolean({ defaultValue: false }),
    remindEveryMinutes: t.int(),
    groupWindowSeconds: t.int({ defaultValue: 0 }),
    rateLimitPerMinute: t.int({ defaultValue: 30 }),
  }),
});

const NotificationChannelPayload = builder.simpleObject('NotificationChannelPayload', {
  fields: (t) => ({ channel: t.field({ type: NotificationChannelNode }) }),
});
const TestNotificationPayload = builder.simpleObject('TestNotificationPayload', {
  fields: (t) => ({ delivery: t.field({ type: NotificationDeliveryNode }) }),
});
const channelResult = resultUnion('NotificationChannelResult', [ValidationError, ConflictError, NotFoundError]);

function requireChannelId(globalId: string): string {
  const id = nodeIdOf('NotificationChannel', globalId);
  if (id === null) throw new NotFoundError(`no notification channel with id ${JSON.stringify(globalId.slice(0, 100))}`);
  return id;
}

builder.queryFields((t) => ({
  notificationChannels: t.prismaField({
    type: ['NotificationChannel'],
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.notificationChannel.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
  notificationChannel: t.prismaField({
    type: 'NotificationChannel',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => {
      const channelId = nodeIdOf('NotificationChannel', String(id));
      return channelId === null
        ? null
        : ctx.prisma.notificationChannel.findUnique({ ...query, where: { id: channelId } });
    },
  }),
}));

builder.mutationFields((t) => ({
  createNotificationChannel: t.field({
    type: NotificationChannelPayload,
    errors: channelResult,
    args: { input: t.arg({ type: NotificationChannelInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ channel: await ctx.notifications.channels.create(input) }),
  }),
  updateNotificationChannel: t.field({
    type: NotificationChannelPayload,
    errors: channelResult,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: NotificationChannelInput, required: true }) },
    resolve: async (_root, { id, input }, ctx) => ({
      channel: await ctx.notifications.channels.update(requireChannelId(String(id)), input),
    }),
  }),
  deleteNotificationChannel: t.field({
    type: NotificationChannelPayload,
    errors: channelResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({
      channel: await ctx.notifications.channels.delete(requireChannelId(String(id))),
    }),
  }),
  testNotificationChannel: t.field({
    type: TestNotificationPayload,
    errors: resultUnion('TestNotificationResult', [NotFoundError]),
    description: 'Sends a TEST message now and answers with the delivery after that attempt.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const deliveryId = await ctx.notifications.channels.test(requireChannelId(String(id)));
      return { delivery: await ctx.prisma.notificationDelivery.findUniqueOrThrow({ where: { id: deliveryId } }) };
    },
  }),
}));
