import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import type { StatusRanges } from './expected-status.js';
import { runCheck, type ProbeContext } from './probe-check.js';
import { createConnector, type ConnectPolicy } from './probe-connector.js';
import type { CheckFailureReason } from './service-state.js';

export type { ConnectPolicy } from './probe-connector.js';

/** What to check: one service's endpoint and how to judge its answer. */
export interface ProbeTarget {
  url: string;
  method: 'GET' | 'HEAD' | 'POST';
  headers: readonly { name: string; value: string }[];
  /** One deadline for the whole check: DNS, connect, TLS, every redirect, headers and body. */
  timeoutMs: number;
  expectedStatus: StatusRanges;
  /** The same ranges as written by the operator, e.g. "200-299", for messages. */
  expectedStatusText: string;
  /** Plain substring that must appear in the first 64 KiB of the body. */
  bodyContains: string | null;
  degradedAboveMs: number | null;
}

/** The outcome of one check. A failed check is data: `probe()` never throws. */
export interface ProbeResult {
  ok: boolean;
  /** ok, but slower than `degradedAboveMs`. */
  degraded: boolean;
  /** Wall time from the start of the check to its verdict (headers, or the body when it is searched). */
  latencyMs: number;
  /** Status of the last response received (after redirects), if any. */
  httpStatus: number | null;
  reason: CheckFailureReason | null;
  /** For a person: why it failed or is degraded, e.g. "expected 200-299, got 503". */
  message: string | null;
  /** notAfter of the certificate of the last https hop that completed its TLS handshake. */
  certificateExpiresAt: Date | null;
}

export interface Prober {
  probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeResult>;
  /** Ends every connection; checks still running resolve with a NETWORK failure. */
  close(): Promise<void>;
}

export interface ProberOptions {
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

export function createProber(options: ProberOptions): Prober {
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
  const context: ProbeContext = {
    agent,
    connector,
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
      const clients = [...context.clients];
      context.clients.clear();
      await Promise.all([agent.destroy(), ...clients.map((client) => client.destroy())]);
    },
  };
}
