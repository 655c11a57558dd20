import type { ServiceStatus } from '../../checks/service-state.js';
import { HTTP_METHODS } from '../../probe/http/method.js';
import { CHECK_KINDS } from '../../probe/kinds.js';
import { CHECK_FAILURE_REASONS, type CheckFailureReason } from '../../probe/prober.js';
import { builder } from '../builder.js';

export const ServiceStatusEnum = builder.enumType('ServiceStatus', {
  values: {
    UNKNOWN: { description: 'Registered, not checked yet.' },
    UP: {},
    DEGRADED: { description: "Reachable and passing, but slower than the service's degradedAboveMs." },
    DOWN: {},
    PAUSED: { description: 'Checks are paused by an operator.' },
    MAINTENANCE: {
      description: 'Inside a maintenance window: still checked, never alerted, left out of uptime and SLA.',
    },
    UNREACHABLE: {
      description:
        'Failing while a service it depends on is DOWN or in a maintenance window: not alerted; state.rootCause names that service.',
    },
  } satisfies Record<ServiceStatus, object>,
});

export const HttpMethodEnum = builder.enumType('HttpMethod', { values: HTTP_METHODS });

const REASON_DESCRIPTIONS: Partial<Record<CheckFailureReason, string>> = {
  POLICY: 'Blocked by the target policy (TARGET_POLICY).',
  DNS_RCODE: 'DNS checks: the resolver answered with an rcode other than NOERROR, or with no record of the type.',
  PROTOCOL: 'The peer spoke, but not the expected protocol.',
  ASSERTION: 'An assertion failed.',
  GRPC_STATUS: 'gRPC health checks: the service is not SERVING.',
  AUTH: 'The database or service refused the credentials.',
  HEARTBEAT_MISSED: 'Heartbeats: no ping by the deadline.',
  HEARTBEAT_FAILED: 'Heartbeats: the job reported a failure.',
};

export const CheckFailureReasonEnum = builder.enumType('CheckFailureReason', {
  values: Object.fromEntries(
    CHECK_FAILURE_REASONS.map((reason) => [reason, { description: REASON_DESCRIPTIONS[reason] }]),
  ) as Record<CheckFailureReason, { description?: string }>,
});

export const CheckKindEnum = builder.enumType('CheckKind', {
  description:
    "What is checked, chosen by the url's scheme (http, https, tcp, tls, dns, grpc, grpcs, ws, wss, postgres, redis, rediss).",
  values: CHECK_KINDS,
});
