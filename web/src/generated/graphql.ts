/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AssertionInput = {
  degrade?: boolean | null | undefined;
  operator: AssertionOperator;
  /** JSON: the JSONPath (RFC 9535); HEADER: the header name; others: none. */
  path?: string | null | undefined;
  source: AssertionSource;
  /** What is compared with; none for EXISTS and NOT_EXISTS. */
  value?: string | null | undefined;
};

export type AssertionOperator =
  | 'CONTAINS'
  /** Equal as text, or as numbers when both are numbers. */
  | 'EQUALS'
  /** The value is there (takes no value). */
  | 'EXISTS'
  /** Both numbers. */
  | 'GREATER_THAN'
  /** Both numbers. */
  | 'LESS_THAN'
  /** An RE2 regular expression (linear time), searched anywhere in the value: anchor with ^ and $. */
  | 'MATCHES'
  | 'NOT_CONTAINS'
  | 'NOT_EQUALS'
  /** The value is not there (takes no value). */
  | 'NOT_EXISTS';

export type AssertionSource =
  /** Response body text (first 64 KiB), or what a TCP/WebSocket peer sent (up to tcp.expect, or its first chunk/message). */
  | 'BODY'
  /** Whole days until the certificate expires (negative once expired). */
  | 'CERTIFICATE_DAYS'
  /** The answer records of the type asked for, as text, joined by ", ". */
  | 'DNS_ANSWER'
  /** A response header, path = header name (several values joined by ", "). */
  | 'HEADER'
  /** An RFC 9535 JSONPath into the JSON body (at most 64 KiB), e.g. $.checks[0].status; several matches compare as a JSON array. */
  | 'JSON'
  /** The check's latency in milliseconds. */
  | 'LATENCY_MS'
  /** HTTP status code, gRPC serving status, DNS rcode. With STATUS assertions, they decide instead of expectedStatus, SERVING or NOERROR. */
  | 'STATUS';

export type CheckFailureReason =
  /** An assertion failed. */
  | 'ASSERTION'
  /** The database or service refused the credentials. */
  | 'AUTH'
  | 'BODY_MISMATCH'
  | 'BODY_TOO_LARGE'
  | 'CONNECT_REFUSED'
  | 'CONNECT_TIMEOUT'
  | 'DNS'
  /** DNS checks: the resolver answered with an rcode other than NOERROR, or with no record of the type. */
  | 'DNS_RCODE'
  /** gRPC health checks: the service is not SERVING. */
  | 'GRPC_STATUS'
  /** Heartbeats: the job reported a failure. */
  | 'HEARTBEAT_FAILED'
  /** Heartbeats: no ping by the deadline. */
  | 'HEARTBEAT_MISSED'
  | 'HTTP_STATUS'
  | 'NETWORK'
  /** Blocked by the target policy (TARGET_POLICY). */
  | 'POLICY'
  /** The peer spoke, but not the expected protocol. */
  | 'PROTOCOL'
  | 'REDIRECT_LIMIT'
  | 'TIMEOUT'
  | 'TLS';

/** What is checked, chosen by the url's scheme (http, https, tcp, tls, dns, grpc, grpcs, ws, wss, postgres, redis, rediss). */
export type CheckKind =
  | 'DNS'
  | 'GRPC'
  | 'HEARTBEAT'
  | 'HTTP'
  | 'POSTGRES'
  | 'REDIS'
  | 'TCP'
  | 'TLS'
  | 'WEBSOCKET';

export type DeliveryStatus =
  /** Given up: refused by the receiver (4xx), by the target policy, or still failing after 24 h. */
  | 'FAILED'
  /** Waiting to be sent, or to be tried again. */
  | 'PENDING'
  | 'SENT'
  /** Held and never sent: the service was flapping. */
  | 'SUPPRESSED';

export type DnsOptionsInput = {
  /** A, AAAA, CNAME, MX, TXT, NS, SOA, SRV or CAA. */
  recordType?: string;
  /** Optional; when given, it must be the resolver of the url. */
  resolver?: string | null | undefined;
};

export type HeaderInput = {
  name: string;
  value: string;
};

/** Exactly one of periodSeconds and cron. */
export type HeartbeatOptionsInput = {
  /** 5-field cron expression, e.g. "0 2 * * *" (every day at 02:00 in `timezone`). */
  cron?: string | null | undefined;
  /** Default 60; 0 to 30 days. */
  graceSeconds?: number | null | undefined;
  /** Expected every periodSeconds (1 s to 1 year). */
  periodSeconds?: number | null | undefined;
  /** IANA time zone, e.g. Europe/Berlin. */
  timezone?: string | null | undefined;
};

export type HttpMethod =
  | 'GET'
  | 'HEAD'
  | 'POST';

export type NotificationChannelKind =
  | 'DISCORD'
  | 'EMAIL'
  | 'NTFY'
  | 'PAGERDUTY'
  | 'SLACK'
  | 'TEAMS'
  | 'WEBHOOK';

export type NotificationEvent =
  /** The TLS certificate expires within 14 days (sent at 14, 7 and 1). */
  | 'CERTIFICATE_EXPIRING'
  | 'DEGRADED'
  | 'DOWN'
  /** The service changed status more than 5 times in 10 minutes: its notifications are held (sent where DOWN or UP go). */
  | 'FLAPPING'
  /** The service is still DOWN (remindEveryMinutes). */
  | 'REMINDER'
  /** A flapping service has not changed for 5 minutes; names its status (sent where DOWN or UP go). */
  | 'STABLE'
  /** Sent by testNotificationChannel. */
  | 'TEST'
  | 'UNREACHABLE'
  | 'UP';

export type RegisterServiceInput = {
  /** At most 20, evaluated in order on every check. */
  assertions?: Array<AssertionInput> | null | undefined;
  bodyContains?: string | null | undefined;
  /** https, tls, grpcs, wss, rediss, postgres: PEM of private CAs to trust besides Node's roots. */
  caCertificate?: string | null | undefined;
  degradedAboveMs?: number | null | undefined;
  /** Services this one depends on (at most 20, no cycles): while one is DOWN, failing makes this one UNREACHABLE, not DOWN. */
  dependsOn?: Array<string | number> | null | undefined;
  /** DNS only (default: A records). */
  dns?: DnsOptionsInput | null | undefined;
  expectedStatus?: string | null | undefined;
  failureThreshold?: number | null | undefined;
  headers?: Array<HeaderInput> | null | undefined;
  /** HEARTBEAT only: expected every periodSeconds or on a cron schedule, with grace. */
  heartbeat?: HeartbeatOptionsInput | null | undefined;
  intervalSeconds?: number | null | undefined;
  /** Default: from the url's scheme; when given, it must match it. HEARTBEAT: a passive check, no url. */
  kind?: CheckKind | null | undefined;
  labels?: Array<string> | null | undefined;
  method?: HttpMethod | null | undefined;
  name: string;
  /** Channels this service notifies, besides those matching its labels and the defaults. */
  notificationChannelIds?: Array<string | number> | null | undefined;
  successThreshold?: number | null | undefined;
  /** TCP only. */
  tcp?: TcpOptionsInput | null | undefined;
  timeoutMs?: number | null | undefined;
  /** https, tls, grpcs, wss, rediss, postgres: accept any certificate (default false). */
  tlsSkipVerify?: boolean | null | undefined;
  /** What to check; required for every kind but HEARTBEAT. */
  url?: string | null | undefined;
};

export type ServiceStatus =
  /** Reachable and passing, but slower than the service's degradedAboveMs. */
  | 'DEGRADED'
  | 'DOWN'
  /** Inside a maintenance window: still checked, never alerted, left out of uptime and SLA. */
  | 'MAINTENANCE'
  /** Checks are paused by an operator. */
  | 'PAUSED'
  /** Registered, not checked yet. */
  | 'UNKNOWN'
  /** Failing while a service it depends on is DOWN or in a maintenance window: not alerted; state.rootCause names that service. */
  | 'UNREACHABLE'
  | 'UP';

export type TcpOptionsInput = {
  /** Expected in the first 64 KiB the peer sends. */
  expect?: string | null | undefined;
  /** Sent after connecting. */
  send?: string | null | undefined;
};

/** Every field optional: only what is given changes. */
export type UpdateServiceInput = {
  /** Replaces them all; null or [] removes them. */
  assertions?: Array<AssertionInput> | null | undefined;
  bodyContains?: string | null | undefined;
  /** TLS only; null removes it. */
  caCertificate?: string | null | undefined;
  degradedAboveMs?: number | null | undefined;
  /** Replaces the services this one depends on; [] removes them all. */
  dependsOn?: Array<string | number> | null | undefined;
  /** DNS only. */
  dns?: DnsOptionsInput | null | undefined;
  expectedStatus?: string | null | undefined;
  failureThreshold?: number | null | undefined;
  headers?: Array<HeaderInput> | null | undefined;
  /** HEARTBEAT only; replaces the schedule whole. */
  heartbeat?: HeartbeatOptionsInput | null | undefined;
  intervalSeconds?: number | null | undefined;
  /** Default: from the url's scheme when the url changes. */
  kind?: CheckKind | null | undefined;
  labels?: Array<string> | null | undefined;
  method?: HttpMethod | null | undefined;
  name?: string | null | undefined;
  /** Replaces the named channels; [] removes them all. */
  notificationChannelIds?: Array<string | number> | null | undefined;
  successThreshold?: number | null | undefined;
  /** TCP only; null removes them. */
  tcp?: TcpOptionsInput | null | undefined;
  timeoutMs?: number | null | undefined;
  /** TLS only. */
  tlsSkipVerify?: boolean | null | undefined;
  url?: string | null | undefined;
};

export type ServiceRowFragment = { id: string, name: string, url: string, labels: Array<string>, paused: boolean, intervalSeconds: number, state: { status: ServiceStatus, latencyMs: number | null, message: string | null, since: string | null, lastCheckedAt: string | null } };

export type DashboardServicesQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type DashboardServicesQuery = { statusCursor: string | null, services: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, url: string, labels: Array<string>, paused: boolean, intervalSeconds: number, state: { status: ServiceStatus, latencyMs: number | null, message: string | null, since: string | null, lastCheckedAt: string | null } } }> } };

export type DashboardUptimeQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type DashboardUptimeQuery = { services: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, uptime24h: number | null } }> } };

export type SummaryCountsFragment = { total: number, up: number, down: number, degraded: number, paused: number, unknown: number };

export type RegisterServiceMutationVariables = Exact<{
  input: RegisterServiceInput;
}>;


export type RegisterServiceMutation = { registerService:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'ServicePayload', pushUrl: string | null, service: { id: string } }
    | { __typename: 'ValidationError', field: string | null, message: string }
   };

export type UpdateServiceMutationVariables = Exact<{
  id: string | number;
  input: UpdateServiceInput;
}>;


export type UpdateServiceMutation = { updateService:
    | { __typename: 'ConflictError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ServicePayload', service: { id: string } }
    | { __typename: 'ValidationError', field: string | null, message: string }
   };

export type TestCheckMutationVariables = Exact<{
  input: RegisterServiceInput;
}>;


export type TestCheckMutation = { testCheck:
    | { __typename: 'TestCheckPayload', ok: boolean, degraded: boolean, httpStatus: number | null, latencyMs: number | null, message: string | null, reason: CheckFailureReason | null, certificateExpiresAt: string | null }
    | { __typename: 'ValidationError', field: string | null, problem: string }
   };

export type CheckNowMutationVariables = Exact<{
  id: string | number;
}>;


export type CheckNowMutation = { checkServiceNow:
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ServicePayload' }
   };

export type PauseServiceMutationVariables = Exact<{
  id: string | number;
}>;


export type PauseServiceMutation = { pauseService:
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ServicePayload' }
   };

export type ResumeServiceMutationVariables = Exact<{
  id: string | number;
}>;


export type ResumeServiceMutation = { resumeService:
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ServicePayload' }
   };

export type UnregisterServiceMutationVariables = Exact<{
  id: string | number;
}>;


export type UnregisterServiceMutation = { unregisterService:
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ServicePayload' }
   };

export type RotatePushTokenMutationVariables = Exact<{
  id: string | number;
}>;


export type RotatePushTokenMutation = { rotatePushToken:
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'ServicePayload', pushUrl: string | null }
    | { __typename: 'ValidationError', message: string }
   };

export type ServiceDefinitionFragment = { id: string, name: string, kind: CheckKind, url: string, method: HttpMethod, expectedStatus: string, bodyContains: string | null, degradedAboveMs: number | null, failureThreshold: number, successThreshold: number, intervalSeconds: number, timeoutMs: number, labels: Array<string>, paused: boolean, createdAt: string, updatedAt: string, headers: Array<{ name: string, value: string }>, dependsOn: Array<{ id: string, name: string }>, dependents: Array<{ id: string, name: string }>, heartbeat: { periodSeconds: number | null, cron: string | null, timezone: string | null, graceSeconds: number } | null };

export type AssertionOutcomeFragment = { ok: boolean, actual: string | null, assertion: { source: AssertionSource, path: string | null, operator: AssertionOperator, value: string | null, degrade: boolean } };

export type PhasesFragment = { dnsMs: number | null, connectMs: number | null, tlsMs: number | null, firstByteMs: number | null, transferMs: number | null };

export type ServiceStateDetailFragment = { status: ServiceStatus, message: string | null, reason: CheckFailureReason | null, httpStatus: number | null, latencyMs: number | null, since: string | null, lastCheckedAt: string | null, consecutiveFailures: number, certificateExpiresAt: string | null, flapping: boolean, lastPingAt: string | null, runStartedAt: string | null, assertions: Array<{ ok: boolean, actual: string | null, assertion: { source: AssertionSource, path: string | null, operator: AssertionOperator, value: string | null, degrade: boolean } }>, phases: { dnsMs: number | null, connectMs: number | null, tlsMs: number | null, firstByteMs: number | null, transferMs: number | null } | null, rootCause: { id: string, name: string } | null, maintenance: { name: string } | null };

export type LatencyFragment = { checks: number, failures: number, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null, averageMs: number };

export type ServiceDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type ServiceDetailQuery = { service: { id: string, name: string, kind: CheckKind, url: string, method: HttpMethod, expectedStatus: string, bodyContains: string | null, degradedAboveMs: number | null, failureThreshold: number, successThreshold: number, intervalSeconds: number, timeoutMs: number, labels: Array<string>, paused: boolean, createdAt: string, updatedAt: string, uptimeHour: number | null, uptimeDay: number | null, uptimeWeek: number | null, uptimeMonth: number | null, state: { status: ServiceStatus, message: string | null, reason: CheckFailureReason | null, httpStatus: number | null, latencyMs: number | null, since: string | null, lastCheckedAt: string | null, consecutiveFailures: number, certificateExpiresAt: string | null, flapping: boolean, lastPingAt: string | null, runStartedAt: string | null, assertions: Array<{ ok: boolean, actual: string | null, assertion: { source: AssertionSource, path: string | null, operator: AssertionOperator, value: string | null, degrade: boolean } }>, phases: { dnsMs: number | null, connectMs: number | null, tlsMs: number | null, firstByteMs: number | null, transferMs: number | null } | null, rootCause: { id: string, name: string } | null, maintenance: { name: string } | null }, latencyHour: { checks: number, failures: number, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null, averageMs: number } | null, latencyDay: { checks: number, failures: number, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null, averageMs: number } | null, latencyWeek: { checks: number, failures: number, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null, averageMs: number } | null, headers: Array<{ name: string, value: string }>, dependsOn: Array<{ id: string, name: string }>, dependents: Array<{ id: string, name: string }>, heartbeat: { periodSeconds: number | null, cron: string | null, timezone: string | null, graceSeconds: number } | null } | null };

export type ServiceHistoryQueryVariables = Exact<{
  id: string | number;
  first: number;
  after?: string | null | undefined;
}>;


export type ServiceHistoryQuery = { service: { id: string, statusChanges: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { at: string, previous: ServiceStatus, current: ServiceStatus, message: string | null } }> } } | null };

export type ServiceDeliveriesQueryVariables = Exact<{
  id: string | number;
  first: number;
}>;


export type ServiceDeliveriesQuery = { service: { id: string, notifications: { totalCount: number, edges: Array<{ node: { id: string, event: NotificationEvent, status: DeliveryStatus, attempts: number, lastError: string | null, createdAt: string, sentAt: string | null, nextAttemptAt: string | null, channel: { name: string, kind: NotificationChannelKind } } }> } } | null };

export type LiveStatusSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type LiveStatusSubscription = { statusChanged: { cursor: string, at: string, previous: ServiceStatus, current: ServiceStatus, message: string | null, service: { id: string, name: string, url: string, labels: Array<string>, paused: boolean }, state: { status: ServiceStatus, latencyMs: number | null, message: string | null, since: string | null, lastCheckedAt: string | null } } };

export type LiveChecksSubscriptionVariables = Exact<{
  serviceIds: Array<string | number> | string | number;
}>;


export type LiveChecksSubscription = { checkCompleted: { at: string, ok: boolean, degraded: boolean, latencyMs: number | null, httpStatus: number | null, message: string | null, assertions: Array<{ ok: boolean, actual: string | null, assertion: { source: AssertionSource, path: string | null, operator: AssertionOperator, value: string | null, degrade: boolean } }>, phases: { dnsMs: number | null, connectMs: number | null, tlsMs: number | null, firstByteMs: number | null, transferMs: number | null } | null } };

export type ServiceLiveSubscriptionVariables = Exact<{
  serviceIds?: Array<string | number> | string | number | null | undefined;
}>;


export type ServiceLiveSubscription = { statusChanged: { at: string, current: ServiceStatus, service: { id: string, paused: boolean }, state: { status: ServiceStatus, message: string | null, reason: CheckFailureReason | null, httpStatus: number | null, latencyMs: number | null, since: string | null, lastCheckedAt: string | null, consecutiveFailures: number, certificateExpiresAt: string | null, flapping: boolean, lastPingAt: string | null, runStartedAt: string | null, assertions: Array<{ ok: boolean, actual: string | null, assertion: { source: AssertionSource, path: string | null, operator: AssertionOperator, value: string | null, degrade: boolean } }>, phases: { dnsMs: number | null, connectMs: number | null, tlsMs: number | null, firstByteMs: number | null, transferMs: number | null } | null, rootCause: { id: string, name: string } | null, maintenance: { name: string } | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ServiceRowFragmentDoc = new TypedDocumentString(`
    fragment ServiceRow on Service {
  id
  name
  url
  labels
  paused
  intervalSeconds
  state {
    status
    latencyMs
    message
    since
    lastCheckedAt
  }
}
    `, {"fragmentName":"ServiceRow"}) as unknown as TypedDocumentString<ServiceRowFragment, unknown>;
export const SummaryCountsFragmentDoc = new TypedDocumentString(`
    fragment SummaryCounts on StatusSummary {
  total
  up
  down
  degraded
  paused
  unknown
}
    `, {"fragmentName":"SummaryCounts"}) as unknown as TypedDocumentString<SummaryCountsFragment, unknown>;
export const ServiceDefinitionFragmentDoc = new TypedDocumentString(`
    fragment ServiceDefinition on Service {
  id
  name
  kind
  url
  method
  expectedStatus
  bodyContains
  degradedAboveMs
  failureThreshold
  successThreshold
  intervalSeconds
  timeoutMs
  labels
  paused
  createdAt
  updatedAt
  headers {
    name
    value
  }
  dependsOn {
    id
    name
  }
  dependents {
    id
    name
  }
  heartbeat {
    periodSeconds
    cron
    timezone
    graceSeconds
  }
}
    `, {"fragmentName":"ServiceDefinition"}) as unknown as TypedDocumentString<ServiceDefinitionFragment, unknown>;
export const AssertionOutcomeFragmentDoc = new TypedDocumentString(`
    fragment AssertionOutcome on AssertionResult {
  ok
  actual
  assertion {
    source
    path
    operator
    value
    degrade
  }
}
    `, {"fragmentName":"AssertionOutcome"}) as unknown as TypedDocumentString<AssertionOutcomeFragment, unknown>;
export const PhasesFragmentDoc = new TypedDocumentString(`
    fragment Phases on CheckPhases {
  dnsMs
  connectMs
  tlsMs
  firstByteMs
  transferMs
}
    `, {"fragmentName":"Phases"}) as unknown as TypedDocumentString<PhasesFragment, unknown>;
export const ServiceStateDetailFragmentDoc = new TypedDocumentString(`
    fragment ServiceStateDetail on ServiceState {
  status
  message
  reason
  httpStatus
  latencyMs
  since
  lastCheckedAt
  consecutiveFailures
  certificateExpiresAt
  flapping
  assertions {
    ...AssertionOutcome
  }
  phases {
    ...Phases
  }
  rootCause {
    id
    name
  }
  maintenance {
    name
  }
  lastPingAt
  runStartedAt
}
    fragment AssertionOutcome on AssertionResult {
  ok
  actual
  assertion {
    source
    path
    operator
    value
    degrade
  }
}
fragment Phases on CheckPhases {
  dnsMs
  connectMs
  tlsMs
  firstByteMs
  transferMs
}`, {"fragmentName":"ServiceStateDetail"}) as unknown as TypedDocumentString<ServiceStateDetailFragment, unknown>;
export const LatencyFragmentDoc = new TypedDocumentString(`
    fragment Latency on LatencyStats {
  checks
  failures
  p50Ms
  p95Ms
  p99Ms
  averageMs
}
    `, {"fragmentName":"Latency"}) as unknown as TypedDocumentString<LatencyFragment, unknown>;
export const DashboardServicesDocument = new TypedDocumentString(`
    query DashboardServices($first: Int!, $after: String) {
  statusCursor
  services(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        ...ServiceRow
      }
    }
  }
}
    fragment ServiceRow on Service {
  id
  name
  url
  labels
  paused
  intervalSeconds
  state {
    status
    latencyMs
    message
    since
    lastCheckedAt
  }
}`) as unknown as TypedDocumentString<DashboardServicesQuery, DashboardServicesQueryVariables>;
export const DashboardUptimeDocument = new TypedDocumentString(`
    query DashboardUptime($first: Int!, $after: String) {
  services(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        uptime24h: uptime(window: LAST_24_HOURS)
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardUptimeQuery, DashboardUptimeQueryVariables>;
export const RegisterServiceDocument = new TypedDocumentString(`
    mutation RegisterService($input: RegisterServiceInput!) {
  registerService(input: $input) {
    __typename
    ... on ServicePayload {
      service {
        id
      }
      pushUrl
    }
    ... on ValidationError {
      field
      message
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<RegisterServiceMutation, RegisterServiceMutationVariables>;
export const UpdateServiceDocument = new TypedDocumentString(`
    mutation UpdateService($id: ID!, $input: UpdateServiceInput!) {
  updateService(id: $id, input: $input) {
    __typename
    ... on ServicePayload {
      service {
        id
      }
    }
    ... on ValidationError {
      field
      message
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<UpdateServiceMutation, UpdateServiceMutationVariables>;
export const TestCheckDocument = new TypedDocumentString(`
    mutation TestCheck($input: RegisterServiceInput!) {
  testCheck(input: $input) {
    __typename
    ... on TestCheckPayload {
      ok
      degraded
      httpStatus
      latencyMs
      message
      reason
      certificateExpiresAt
    }
    ... on ValidationError {
      field
      problem: message
    }
  }
}
    `) as unknown as TypedDocumentString<TestCheckMutation, TestCheckMutationVariables>;
export const CheckNowDocument = new TypedDocumentString(`
    mutation CheckNow($id: ID!) {
  checkServiceNow(id: $id) {
    __typename
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<CheckNowMutation, CheckNowMutationVariables>;
export const PauseServiceDocument = new TypedDocumentString(`
    mutation PauseService($id: ID!) {
  pauseService(id: $id) {
    __typename
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<PauseServiceMutation, PauseServiceMutationVariables>;
export const ResumeServiceDocument = new TypedDocumentString(`
    mutation ResumeService($id: ID!) {
  resumeService(id: $id) {
    __typename
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ResumeServiceMutation, ResumeServiceMutationVariables>;
export const UnregisterServiceDocument = new TypedDocumentString(`
    mutation UnregisterService($id: ID!) {
  unregisterService(id: $id) {
    __typename
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<UnregisterServiceMutation, UnregisterServiceMutationVariables>;
export const RotatePushTokenDocument = new TypedDocumentString(`
    mutation RotatePushToken($id: ID!) {
  rotatePushToken(id: $id) {
    __typename
    ... on ServicePayload {
      pushUrl
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<RotatePushTokenMutation, RotatePushTokenMutationVariables>;
export const ServiceDetailDocument = new TypedDocumentString(`
    query ServiceDetail($id: ID!) {
  service(id: $id) {
    ...ServiceDefinition
    state {
      ...ServiceStateDetail
    }
    uptimeHour: uptime(window: LAST_HOUR)
    uptimeDay: uptime(window: LAST_24_HOURS)
    uptimeWeek: uptime(window: LAST_7_DAYS)
    uptimeMonth: uptime(window: LAST_30_DAYS)
    latencyHour: latency(window: LAST_HOUR) {
      ...Latency
    }
    latencyDay: latency(window: LAST_24_HOURS) {
      ...Latency
    }
    latencyWeek: latency(window: LAST_7_DAYS) {
      ...Latency
    }
  }
}
    fragment ServiceDefinition on Service {
  id
  name
  kind
  url
  method
  expectedStatus
  bodyContains
  degradedAboveMs
  failureThreshold
  successThreshold
  intervalSeconds
  timeoutMs
  labels
  paused
  createdAt
  updatedAt
  headers {
    name
    value
  }
  dependsOn {
    id
    name
  }
  dependents {
    id
    name
  }
  heartbeat {
    periodSeconds
    cron
    timezone
    graceSeconds
  }
}
fragment AssertionOutcome on AssertionResult {
  ok
  actual
  assertion {
    source
    path
    operator
    value
    degrade
  }
}
fragment Phases on CheckPhases {
  dnsMs
  connectMs
  tlsMs
  firstByteMs
  transferMs
}
fragment ServiceStateDetail on ServiceState {
  status
  message
  reason
  httpStatus
  latencyMs
  since
  lastCheckedAt
  consecutiveFailures
  certificateExpiresAt
  flapping
  assertions {
    ...AssertionOutcome
  }
  phases {
    ...Phases
  }
  rootCause {
    id
    name
  }
  maintenance {
    name
  }
  lastPingAt
  runStartedAt
}
fragment Latency on LatencyStats {
  checks
  failures
  p50Ms
  p95Ms
  p99Ms
  averageMs
}`) as unknown as TypedDocumentString<ServiceDetailQuery, ServiceDetailQueryVariables>;
export const ServiceHistoryDocument = new TypedDocumentString(`
    query ServiceHistory($id: ID!, $first: Int!, $after: String) {
  service(id: $id) {
    id
    statusChanges(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          at
          previous
          current
          message
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ServiceHistoryQuery, ServiceHistoryQueryVariables>;
export const ServiceDeliveriesDocument = new TypedDocumentString(`
    query ServiceDeliveries($id: ID!, $first: Int!) {
  service(id: $id) {
    id
    notifications(first: $first) {
      totalCount
      edges {
        node {
          id
          event
          status
          attempts
          lastError
          createdAt
          sentAt
          nextAttemptAt
          channel {
            name
            kind
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ServiceDeliveriesQuery, ServiceDeliveriesQueryVariables>;
export const LiveStatusDocument = new TypedDocumentString(`
    subscription LiveStatus($after: String) {
  statusChanged(after: $after) {
    cursor
    at
    previous
    current
    message
    service {
      id
      name
      url
      labels
      paused
    }
    state {
      status
      latencyMs
      message
      since
      lastCheckedAt
    }
  }
}
    `) as unknown as TypedDocumentString<LiveStatusSubscription, LiveStatusSubscriptionVariables>;
export const LiveChecksDocument = new TypedDocumentString(`
    subscription LiveChecks($serviceIds: [ID!]!) {
  checkCompleted(serviceIds: $serviceIds) {
    at
    ok
    degraded
    latencyMs
    httpStatus
    message
    assertions {
      ...AssertionOutcome
    }
    phases {
      ...Phases
    }
  }
}
    fragment AssertionOutcome on AssertionResult {
  ok
  actual
  assertion {
    source
    path
    operator
    value
    degrade
  }
}
fragment Phases on CheckPhases {
  dnsMs
  connectMs
  tlsMs
  firstByteMs
  transferMs
}`) as unknown as TypedDocumentString<LiveChecksSubscription, LiveChecksSubscriptionVariables>;
export const ServiceLiveDocument = new TypedDocumentString(`
    subscription ServiceLive($serviceIds: [ID!]) {
  statusChanged(serviceIds: $serviceIds) {
    at
    current
    service {
      id
      paused
    }
    state {
      ...ServiceStateDetail
    }
  }
}
    fragment AssertionOutcome on AssertionResult {
  ok
  actual
  assertion {
    source
    path
    operator
    value
    degrade
  }
}
fragment Phases on CheckPhases {
  dnsMs
  connectMs
  tlsMs
  firstByteMs
  transferMs
}
fragment ServiceStateDetail on ServiceState {
  status
  message
  reason
  httpStatus
  latencyMs
  since
  lastCheckedAt
  consecutiveFailures
  certificateExpiresAt
  flapping
  assertions {
    ...AssertionOutcome
  }
  phases {
    ...Phases
  }
  rootCause {
    id
    name
  }
  maintenance {
    name
  }
  lastPingAt
  runStartedAt
}`) as unknown as TypedDocumentString<ServiceLiveSubscription, ServiceLiveSubscriptionVariables>;