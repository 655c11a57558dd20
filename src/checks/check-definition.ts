import type { Assertion } from '../probe/assert/assertion.js';
import type { DnsOptions } from '../probe/dns/options.js';
import type { HeartbeatOptions } from '../probe/heartbeat/schedule.js';
import type { StatusRanges } from '../probe/http/expected-status.js';
import type { HttpMethod } from '../probe/http/method.js';
import type { CheckKind } from '../probe/kinds.js';
import type { TcpOptions } from '../probe/tcp/options.js';
import type { TlsOptions } from '../probe/tls/options.js';

/** Everything the checker needs to know about one service, with expectedStatus already parsed. */
export interface CheckDefinition {
  id: string;
  name: string;
  kind: CheckKind;
  url: string;
  method: HttpMethod;
  headers: readonly { name: string; value: string }[];
  intervalSeconds: number;
  timeoutMs: number;
  expectedStatus: StatusRanges;
  expectedStatusText: string;
  bodyContains: string | null;
  degradedAboveMs: number | null;
  failureThreshold: number;
  successThreshold: number;
  paused: boolean;
  tcp: TcpOptions | null;
  dns: DnsOptions | null;
  tls: TlsOptions | null;
  /** HEARTBEAT: when pings are expected; `url` is then the push path /push/{id}. */
  heartbeat: HeartbeatOptions | null;
  /** Ids of the services this one depends on: while one is DOWN, failing makes it UNREACHABLE. */
  dependsOn: readonly string[];
  /** Evaluated in order after the kind's own verdict. */
  assertions: readonly Assertion[];
}
