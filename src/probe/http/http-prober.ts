import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import type { ConnectPolicy } from '../../policy/target-policy.js';
import type { Prober } from '../prober.js';
import type { TlsOptions } from '../tls/options.js';
import { type Lane, type ProbeContext, runCheck } from './check.js';
import { createConnector } from './connector.js';
import type { HttpProbeTarget } from './target.js';

/** Checks HTTP(S) endpoints: one deadline per check, redirects followed, the target policy enforced. */
export type HttpProber = Prober<HttpProbeTarget>;

export interface HttpProberOptions {
  userAgent: string;
  /**
   * 'keep-alive' (default): one connection pool per origin, connections reused between checks.
   * 'fresh': every check opens its own connection (full TLS handshake, no session resumption)
   * and closes it once judged.
   */
  connectionMode?: 'keep-alive' | 'fresh';
  /** Enforced on every resolved (or literal) address, on every hop, before connecting. */
  policy?: ConnectPolicy;
  /** node:net-style lookup, replacing dns.lookup (tests, custom resolution). */
  lookup?: LookupFunction;
  /** Extra certificate authorities to trust besides Node's bundled roots (PEM). */
  ca?: string | readonly string[];
  /**
   * Keep-alive mode: connections per origin at most; more concurrent checks of one origin wait.
   * Unlimited by default: many services often sit behind one origin (an ingress, a load balancer),
   * and a wait for a connection would be counted as their latency. CHECK_CONCURRENCY bounds it.
   */
  maxConnectionsPerOrigin?: number;
}

export function createHttpProber(options: HttpProberOptions): HttpProber {
  const fresh = options.connectionMode === 'fresh';
  const connector = createConnector({
    policy: options.policy,
    lookup: options.lookup,
    ca: options.ca,
    tlsSessionCache: !fresh,
  });
  const clientOptions = {
    connect: connector.connect,
    pipelining: 1,
    // The check's own deadline bounds every phase; undici's per-phase timers would only cost CPU.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  const agent = new Agent({
    ...clientOptions,
    connections: options.maxConnectionsPerOrigin ?? null,
  });
  const lanes = new Map<string, Lane>();
  const laneFor = (tls: TlsOptions | null | undefined): Lane => {
    if (!tls || (!tls.skipVerify && tls.caCertificate === null)) return base;
    const key = `${tls.skipVerify ? 'skip' : 'verify'}|${tls.caCertificate ?? ''}`;
    let lane = lanes.get(key);
    if (lane === undefined) {
      const extra = typeof options.ca === 'string' ? [options.ca] : [...(options.ca ?? [])];
      const own = createConnector({
        policy: options.policy,
        lookup: options.lookup,
        ca: tls.caCertificate === null ? options.ca : [...extra, tls.caCertificate],
        tlsSessionCache: !fresh,
        skipVerify: tls.skipVerify,
      });
      const ownClientOptions = { ...clientOptions, connect: own.connect };
      lane = {
        connector: own,
        clientOptions: ownClientOptions,
        agent: new Agent({ ...ownClientOptions, connections: options.maxConnectionsPerOrigin ?? null }),
      };
      lanes.set(key, lane);
    }
    return lane;
  };
  const base: Lane = { agent, connector, clientOptions };
  const context: ProbeContext = {
    agent,
    connector,
    laneFor,
    fresh,
    clientOptions,
    clients: new Set(),
    userAgent: options.userAgent,
    waiting: new Map(),
    closed: false,
  };

  return {
    probe: (target, signal) => runCheck(context, target, signal),
    async close() {
      if (context.closed) return;
      context.closed = true;
      connector.destroyAll();
      for (const lane of lanes.values()) lane.connector.destroyAll();
      const clients = [...context.clients];
      context.clients.clear();
      await Promise.all([
        agent.destroy(),
        ...[...lanes.values()].map((lane) => lane.agent.destroy()),
        ...clients.map((client) => client.destroy()),
      ]);
    },
  };
}
