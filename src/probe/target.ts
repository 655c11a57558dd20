import type { DnsOptions } from './dns/options.js';
import type { HeartbeatOptions } from './heartbeat/schedule.js';
import type { HttpProbeTarget } from './http/target.js';
import type { TcpOptions } from './tcp/options.js';
import type { TlsOptions } from './tls/options.js';

/**
 * One service's check as every kind sees it: the HTTP fields (which other kinds ignore) plus each
 * kind's own options, null where they do not apply. A kind reads only what it needs.
 */
export interface ProbeTarget extends HttpProbeTarget {
  tcp: TcpOptions | null;
  dns: DnsOptions | null;
  /** How TLS is verified, for kinds that speak TLS (null: verify against Node's roots). */
  tls: TlsOptions | null;
  /** HEARTBEAT: when pings are expected (testCheck describes it; nothing is probed). */
  heartbeat: HeartbeatOptions | null;
}
