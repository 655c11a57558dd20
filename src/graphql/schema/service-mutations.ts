import { ConflictError, NotFoundError, ValidationError } from '../../registry/errors.js';
import { SERVICE_DEFAULTS } from '../../registry/service-input.js';
import { checkServiceLabels, requireVisibleServiceId, visibleParents } from '../access.js';
import { builder } from '../builder.js';
import { AssertionInput } from './assertions.js';
import { CheckKindEnum, HttpMethodEnum } from './enums.js';
import { resultUnion } from './errors.js';
import { HeartbeatOptionsInput, pushUrlOf } from './heartbeat-options.js';
import { ServiceNode } from './service.js';
import { nodeIdOf } from './service-ids.js';

const HeaderInput = builder.inputType('HeaderInput', {
  fields: (t) => ({ name: t.string({ required: true }), value: t.string({ required: true }) }),
});

const TcpOptionsInput = builder.inputType('TcpOptionsInput', {
  fields: (t) => ({
    send: t.string({ description: 'Sent after connecting.' }),
    expect: t.string({ description: 'Expected in the first 64 KiB the peer sends.' }),
  }),
});

const DnsOptionsInput = builder.inputType('DnsOptionsInput', {
  fields: (t) => ({
    recordType: t.string({
      required: true,
      defaultValue: 'A',
      description: 'A, AAAA, CNAME, MX, TXT, NS, SOA, SRV or CAA.',
    }),
    resolver: t.string({ description: 'Optional; when given, it must be the resolver of the url.' }),
  }),
});

export const RegisterServiceInput = builder.inputType('RegisterServiceInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({
      type: CheckKindEnum,
      description: "Default: from the url's scheme; when given, it must match it. HEARTBEAT: a passive check, no url.",
    }),
    url: t.string({ description: 'What to check; required for every kind but HEARTBEAT.' }),
    method: t.field({ type: HttpMethodEnum, defaultValue: SERVICE_DEFAULTS.method }),
    headers: t.field({ type: [HeaderInput] }),
    intervalSeconds: t.int({ defaultValue: SERVICE_DEFAULTS.intervalSeconds }),
    timeoutMs: t.int({ defaultValue: SERVICE_DEFAULTS.timeoutMs }),
    expectedStatus: t.string({ defaultValue: SERVICE_DEFAULTS.expectedStatus }),
    bodyContains: t.string(),
    failureThreshold: t.int({ defaultValue: SERVICE_DEFAULTS.failureThreshold }),
    successThreshold: t.int({ defaultValue: SERVICE_DEFAULTS.successThreshold }),
    degradedAboveMs: t.int(),
    labels: t.stringList(),
    tcp: t.field({ type: TcpOptionsInput, description: 'TCP only.' }),
    dns: t.field({ type: DnsOptionsInput, description: 'DNS only (default: A records).' }),
    tlsSkipVerify: t.boolean({
      description: 'https, tls, grpcs, wss, rediss, postgres: accept any certificate (default false).',
    }),
    caCertificate: t.string({
      description: "https, tls, grpcs, wss, rediss, postgres: PEM of private CAs to trust besides Node's roots.",
    }),
    heartbeat: t.field({
      type: HeartbeatOptionsInput,
      description: 'HEARTBEAT only: expected every periodSeconds or on a cron schedule, with grace.',
    }),
    assertions: t.field({
      type: [AssertionInput],
      description: 'At most 20, evaluated in order on every check.',
    }),
    notificationChannelIds: t.idList({
      description: 'Channels this service notifies, besides those matching its labels and the defaults.',
    }),
    dependsOn: t.idList({
      description:
        'Services this one depends on (at most 20, no cycles): while one is DOWN, failing makes this one UNREACHABLE, not DOWN.',
    }),
  }),
});

const UpdateServiceInput = builder.inputType('UpdateServiceInput', {
  description: 'Every field optional: only what is given changes.',
  fields: (t) => ({
    name: t.string(),
    kind: t.field({ type: CheckKindEnum, description: "Default: from the url's scheme when the url changes." }),
    url: t.string(),
    method: t.field({ type: HttpMethodEnum }),
    headers: t.field({ type: [HeaderInput] }),
    intervalSeconds: t.int(),
    timeoutMs: t.int(),
    expectedStatus: t.string(),
    bodyContains: t.string(),
    failureThreshold: t.int(),
    successThreshold: t.int(),
    degradedAboveMs: t.int(),
    labels: t.stringList(),
    tcp: t.field({ type: TcpOptionsInput, description: 'TCP only; null removes them.' }),
    dns: t.field({ type: DnsOptionsInput, description: 'DNS only.' }),
    tlsSkipVerify: t.boolean({ description: 'TLS only.' }),
    caCertificate: t.string({ description: 'TLS only; null removes it.' }),
    heartbeat: t.field({
      type: HeartbeatOptionsInput,
      description: 'HEARTBEAT only; replaces the schedule whole.',
    }),
    assertions: t.field({ type: [AssertionInput], description: 'Replaces them all; null or [] removes them.' }),
    notificationChannelIds: t.idList({ description: 'Replaces the named channels; [] removes them all.' }),
    dependsOn: t.idList({ description: 'Replaces the services this one depends on; [] removes them all.' }),
  }),
});

export const ServicePayload = builder.simpleObject('ServicePayload', {
  fields: (t) => ({
    service: t.field({ type: ServiceNode }),
    pushUrl: t.string({
      nullable: true,
      description:
        'HEARTBEAT: the full push URL with its secret. Returned only by registerService and rotatePushToken; never readable afterwards.',
    }),
  }),
});

/** Global ids of NotificationChannel to database ids; an id of another type names its entry. */
function channelIdsOf(globalIds: readonly (string | number)[] | null | undefined): string[] | null | undefined {
  if (globalIds === undefined || globalIds === null) return globalIds;
  return globalIds.map((globalId, index) => {
    const id = nodeIdOf('NotificationChannel', String(globalId));
    if (id === null) throw new ValidationError(`notificationChannelIds[${index}]`, 'is not a notification channel id');
    return id;
  });
}

/** Global ids of Service to database ids; an id of another type names its entry. */
function dependsOnIdsOf(globalIds: readonly (string | number)[] | null | undefined): string[] | null | undefined {
  if (globalIds === undefined || globalIds === null) return globalIds;
  return globalIds.map((globalId, index) => {
    const id = nodeIdOf('Service', String(globalId));
    if (id === null) throw new ValidationError(`dependsOn[${index}]`, 'is not a service id');
    return id;
  });
}

const serviceResult = resultUnion('ServiceResult', [NotFoundError]);

builder.mutationFields((t) => ({
  registerService: t.field({
    type: ServicePayload,
    errors: resultUnion('RegisterServiceResult', [ValidationError, ConflictError]),
    args: { input: t.arg({ type: RegisterServiceInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      checkServiceLabels(ctx, input.labels, true);
      const { pushToken, ...service } = await ctx.registry.register({
        ...input,
        notificationChannelIds: channelIdsOf(input.notificationChannelIds),
        dependsOn: await visibleParents(ctx, dependsOnIdsOf(input.dependsOn)),
      });
      const base = ctx.publicUrl ?? ctx.requestOrigin;
      return { service, pushUrl: pushToken === undefined ? null : pushUrlOf(base, service.id, pushToken) };
    },
  }),

  rotatePushToken: t.field({
    type: ServicePayload,
    description: 'HEARTBEAT: a new push secret (the old one stops working at once); pushUrl is shown this once.',
    errors: resultUnion('RotatePushTokenResult', [ValidationError, NotFoundError]),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const { service, pushToken } = await ctx.registry.rotatePushToken(await requireVisibleServiceId(ctx, String(id)));
      return { service, pushUrl: pushUrlOf(ctx.publicUrl ?? ctx.requestOrigin, service.id, pushToken) };
    },
  }),

  updateService: t.field({
    type: ServicePayload,
    errors: resultUnion('UpdateServiceResult', [ValidationError, ConflictError, NotFoundError]),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateServiceInput, required: true }) },
    resolve: async (_root, { id, input }, ctx) => {
      const serviceId = await requireVisibleServiceId(ctx, String(id));
      checkServiceLabels(ctx, input.labels, false);
      return {
        service: await ctx.registry.update(serviceId, {
          ...input,
          notificationChannelIds: channelIdsOf(input.notificationChannelIds),
          dependsOn: await visibleParents(ctx, dependsOnIdsOf(input.dependsOn)),
        }),
      };
    },
  }),

  unregisterService: t.field({
    type: ServicePayload,
    errors: serviceResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({
      service: await ctx.registry.unregister(await requireVisibleServiceId(ctx, String(id))),
    }),
  }),

  pauseService: t.field({
    type: ServicePayload,
    errors: serviceResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({
      service: await ctx.registry.setPaused(await requireVisibleServiceId(ctx, String(id)), true),
    }),
  }),

  resumeService: t.field({
    type: ServicePayload,
    errors: serviceResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => ({
      service: await ctx.registry.setPaused(await requireVisibleServiceId(ctx, String(id)), false),
    }),
  }),
}));
