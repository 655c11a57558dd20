import type { ServiceState } from '../../checks/service-state.js';
import { initialState } from '../../checks/service-state.js';
import { type DnsOptions, resolverOf } from '../../probe/dns/options.js';
import type { CheckKind } from '../../probe/kinds.js';
import { withoutPassword } from '../../probe/net/redact.js';
import type { TcpOptions } from '../../probe/tcp/options.js';
import { assertionsOfRow, headersOf, kindOptionsOf } from '../../registry/registry.js';
import type { Header } from '../../registry/service-input.js';
import { visibleWhere } from '../access.js';
import { builder } from '../builder.js';
import { ASSERTION_LIST_COMPLEXITY, AssertionObject, AssertionResultObject, CheckPhasesObject } from './assertions.js';
import { CheckFailureReasonEnum, CheckKindEnum, HttpMethodEnum, ServiceStatusEnum } from './enums.js';
import { HeartbeatOptionsObject } from './heartbeat-options.js';

export const HeaderObject = builder.objectRef<Header>('Header').implement({
  fields: (t) => ({ name: t.exposeString('name'), value: t.exposeString('value') }),
});

export const TcpOptionsObject = builder.objectRef<TcpOptions>('TcpOptions').implement({
  fields: (t) => ({
    send: t.exposeString('send', { nullable: true, description: 'Sent after connecting.' }),
    expect: t.exposeString('expect', { nullable: true, description: 'Expected in the first 64 KiB the peer sends.' }),
  }),
});

export const DnsOptionsObject = builder.objectRef<DnsOptions & { url: string }>('DnsOptions').implement({
  fields: (t) => ({
    recordType: t.exposeString('recordType'),
    resolver: t.string({
      nullable: true,
      description: "Resolver address; null = the system's.",
      resolve: (options) => resolverOf(options.url),
    }),
  }),
});

export const ServiceStateObject = builder.objectRef<ServiceState>('ServiceState').implement({
  description: "The current, in-memory view of one service's health (served from the cache, never a DB query per row).",
  fields: (t) => ({
    status: t.expose('status', { type: ServiceStatusEnum }),
    since: t.expose('since', { type: 'DateTime', nullable: true, description: 'When the current status began.' }),
    lastCheckedAt: t.expose('lastCheckedAt', { type: 'DateTime', nullable: true }),
    latencyMs: t.exposeFloat('latencyMs', {
      nullable: true,
      description: 'Wall time of the last check, in milliseconds.',
    }),
    httpStatus: t.exposeInt('httpStatus', {
      nullable: true,
      description: 'HTTP status code of the last response, if any.',
    }),
    message: t.exposeString('message', {
      nullable: true,
      description:
        'Why the last check failed or degraded, for a person: "expected 200-299, got 503", "timed out after 800 ms".',
    }),
    reason: t.expose('reason', {
      type: CheckFailureReasonEnum,
      nullable: true,
      description: 'Why the last check failed, for a program.',
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures'),
    lastPingAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'HEARTBEAT: the last ping (success or failure).',
      resolve: (state) => state.lastPingAt ?? null,
    }),
    runStartedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'HEARTBEAT: when the run in progress started (/start), until its ping.',
      resolve: (state) => state.runStartedAt ?? null,
    }),
    certificateExpiresAt: t.expose('certificateExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: "Expiry of the target's TLS certificate, for https targets.",
    }),
    phases: t.field({
      type: CheckPhasesObject,
      nullable: true,
      description: 'Where the time of the check went.',
      resolve: (state) => state.phases ?? null,
    }),
    assertions: t.field({
      type: [AssertionResultObject],
      complexity: ASSERTION_LIST_COMPLEXITY,
      description: "The last check's assertions, in order, each with its outcome and what was found.",
      resolve: (state) => state.assertions ?? [],
    }),
  }),
});

export const ServiceNode = builder.prismaNode('Service', {
  id: { field: 'id' },
  // node(id:) of a service outside a limited token's labels is null, as if it did not exist.
  findUnique: (id, ctx) => ({ id, ...visibleWhere(ctx.principal) }),
  // node(id:) of a service that does not exist (or no longer does) is null, not an unexpected error.
  nullable: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.field({ type: CheckKindEnum, resolve: (service) => service.kind as CheckKind }),
    url: t.string({
      description:
        'What is checked; a password in it (postgres://, redis://) is never shown. HEARTBEAT: the push path "/push/{id}", without its secret.',
      // HTTP urls and push paths are shown as stored, as before; the database kinds' passwords never are.
      resolve: (service) =>
        service.kind === 'HTTP' || service.kind === 'HEARTBEAT' ? service.url : withoutPassword(service.url),
    }),
    method: t.expose('method', { type: HttpMethodEnum }),
    // At most 32 small objects: no list multiplier, so a full page of services stays within budget.
    headers: t.field({
      type: [HeaderObject],
      complexity: { field: 1, multiplier: 1 },
      resolve: (service) => headersOf(service),
    }),
    intervalSeconds: t.exposeInt('intervalSeconds'),
    timeoutMs: t.exposeInt('timeoutMs'),
    expectedStatus: t.exposeString('expectedStatus', {
      description: 'Accepted HTTP status codes, e.g. "200-299" or "200,204,301-302".',
    }),
    bodyContains: t.exposeString('bodyContains', {
      nullable: true,
      description: 'If set, the response body must contain this text.',
    }),
    failureThreshold: t.exposeInt('failureThreshold', {
      description: 'Consecutive failed checks before the service is DOWN.',
    }),
    successThreshold: t.exposeInt('successThreshold', {
      description: 'Consecutive passing checks before a DOWN service is UP again.',
    }),
    degradedAboveMs: t.exposeInt('degradedAboveMs', {
      nullable: true,
      description: 'Latency above which a passing check counts as DEGRADED.',
    }),
    labels: t.exposeStringList('labels'),
    assertions: t.field({
      type: [AssertionObject],
      complexity: ASSERTION_LIST_COMPLEXITY,
      description: 'Evaluated in order on every check.',
      resolve: (service) => assertionsOfRow(service),
    }),
    tcp: t.field({
      type: TcpOptionsObject,
      nullable: true,
      description: 'TCP checks: what is sent and expected.',
      resolve: (service) => kindOptionsOf(service).tcp ?? null,
    }),
    dns: t.field({
      type: DnsOptionsObject,
      nullable: true,
      description: 'DNS checks: the record type asked for, and the resolver (from the url).',
      resolve: (service) => {
        const dns = kindOptionsOf(service).dns;
        return service.kind === 'DNS' ? { recordType: dns?.recordType ?? 'A', url: service.url } : null;
      },
    }),
    heartbeat: t.field({
      type: HeartbeatOptionsObject,
      nullable: true,
      description: 'HEARTBEAT checks: when pings are expected.',
      resolve: (service) => (service.kind === 'HEARTBEAT' ? (kindOptionsOf(service).heartbeat ?? null) : null),
    }),
    tlsSkipVerify: t.boolean({
      description: 'TLS checks: any certificate is accepted (its expiry is still reported).',
      resolve: (service) => kindOptionsOf(service).tls?.skipVerify ?? false,
    }),
    caCertificate: t.string({
      nullable: true,
      description: "TLS checks: PEM of private CAs trusted besides Node's bundled roots.",
      resolve: (service) => kindOptionsOf(service).tls?.caCertificate ?? null,
    }),
    paused: t.exposeBoolean('paused'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    state: t.field({
      type: ServiceStateObject,
      // From the cache; a service another process registered a moment ago may not be there yet.
      resolve: (service, _args, ctx) => ctx.cache.get(service.id) ?? initialState(service.paused, service.createdAt),
    }),
  }),
});
