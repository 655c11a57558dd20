import dns from 'node:dns';
import net, { type LookupFunction, type Socket } from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import type { ConnectPolicy } from '../../policy/target-policy.js';
import { addPhase, type CheckPhases } from '../prober.js';
import { ABANDONED_ERROR_CODE, POLICY_ERROR_CODE, ProbeConnectError } from './errors.js';

/** Decides which resolved addresses a check may connect to (e.g. no private networks). */
export interface ConnectorOptions {
  policy: ConnectPolicy | undefined;
  lookup: LookupFunction | undefined;
  /** Extra certificate authorities trusted besides Node's bundled roots (PEM). */
  ca: string | readonly string[] | undefined;
  /** Resume TLS sessions across connections (keep-alive mode) or always do a full handshake (fresh). */
  tlsSessionCache: boolean;
  /** Accept any certificate (tlsSkipVerify); its expiry is still read. */
  skipVerify?: boolean;
}

/** The `connect` function handed to undici, plus what it learned about each origin. */
export interface Connector {
  readonly connect: buildConnector.connector;
  /** notAfter of the certificate seen on the latest TLS connection to `origin`, if any. */
  certificateExpiry(origin: string): Date | null;
  /** Tears down connection attempts to `origin` that no check waits for any more. */
  abandon(origin: string): void;
  /** Tears down every connection attempt still in progress (on close). */
  destroyAll(): void;
  /**
   * Where the phases of a connection opened right now go: undici opens a connection synchronously
   * inside the dispatch that needs it, so a check sets this around its dispatch and clears it after.
   */
  attribute: CheckPhases | null;
}

/**
 * Never more than this per connection attempt, whatever the checks' deadlines: a safety net only,
 * each check ends at its own deadline and attempts nobody waits for are abandoned sooner.
 */
const CONNECT_ATTEMPT_CAP_MS = 65_000;
/** Origins whose certificate dates are remembered; past this the memory is simply reset. */
const MAX_REMEMBERED_ORIGINS = 10_000;

type SocketConnector = (options: buildConnector.Options, callback: buildConnector.Callback) => Socket;

export function createConnector(options: ConnectorOptions): Connector {
  const { policy } = options;
  const lookup = policy ? guardedLookup(options.lookup ?? dns.lookup, policy) : options.lookup;
  const base = buildConnector({
    timeout: CONNECT_ATTEMPT_CAP_MS,
    maxCachedSessions: options.tlsSessionCache ? 100 : 0,
    ...(lookup ? { lookup } : {}),
    ...(options.ca ? { secureContext: trustingContext(options.ca) } : {}),
    ...(options.skipVerify ? { rejectUnauthorized: false } : {}),
  }) as unknown as SocketConnector;

  const expiries = new Map<string, Date>();
  const connecting = new Map<string, Set<Socket>>();

  const track = (origin: string, socket: Socket) => {
    let sockets = connecting.get(origin);
    if (!sockets) {
      sockets = new Set();
      connecting.set(origin, sockets);
    }
    sockets.add(socket);
  };
  const untrack = (origin: string, socket: Socket | null) => {
    const sockets = connecting.get(origin);
    if (!sockets || !socket) return;
    sockets.delete(socket);
    if (sockets.size === 0) connecting.delete(origin);
  };
  const remember = (origin: string, socket: TLSSocket) => {
    const validTo = socket.getPeerCertificate().valid_to;
    if (!validTo) return;
    if (expiries.size >= MAX_REMEMBERED_ORIGINS) expiries.clear();
    expiries.set(origin, new Date(validTo));
  };

  const connect: buildConnector.connector = (connectOptions, callback) => {
    const origin = `${connectOptions.protocol}//${connectOptions.host}`;
    // net.connect skips the lookup for an address literal, so the policy sees literals here.
    const blocked = policy ? literalBlocked(policy, connectOptions.hostname) : null;
    if (blocked !== null) {
      queueMicrotask(() => callback(new ProbeConnectError(POLICY_ERROR_CODE, blocked), null));
      return;
    }
    let socket: Socket | null = null;
    const timing = connector.attribute === null ? null : timeConnection(connector.attribute);
    socket = base(connectOptions, (err, connected) => {
      untrack(origin, socket);
      if (err === null && connectOptions.protocol === 'https:') remember(origin, connected as TLSSocket);
      if (err === null) timing?.secured(connectOptions.protocol === 'https:');
      if (err === null) callback(null, connected);
      else callback(err, null);
    });
    track(origin, socket);
    timing?.watch(socket);
  };

  const destroySockets = (sockets: Iterable<Socket>) => {
    for (const socket of sockets) {
      socket.destroy(new ProbeConnectError(ABANDONED_ERROR_CODE, 'connection attempt abandoned'));
    }
  };

  const connector: Connector = {
    connect,
    attribute: null,
    certificateExpiry: (origin) => expiries.get(origin) ?? null,
    abandon(origin) {
      const sockets = connecting.get(origin);
      if (!sockets) return;
      connecting.delete(origin);
      destroySockets(sockets);
    },
    destroyAll() {
      const all = [...connecting.values()];
      connecting.clear();
      for (const sockets of all) destroySockets(sockets);
    },
  };
  return connector;
}

/** Times one new connection: name resolution, TCP connect, TLS handshake (the socket's own events). */
function timeConnection(phases: CheckPhases) {
  const started = performance.now();
  let resolvedAt: number | null = null;
  let connectedAt: number | null = null;
  return {
    watch(socket: Socket) {
      socket.once('lookup', () => {
        resolvedAt = performance.now();
        addPhase(phases, 'dnsMs', resolvedAt - started);
      });
      socket.once('connect', () => {
        connectedAt = performance.now();
        addPhase(phases, 'connectMs', connectedAt - (resolvedAt ?? started));
      });
    },
    secured(https: boolean) {
      if (https && connectedAt !== null) addPhase(phases, 'tlsMs', performance.now() - connectedAt);
    },
  };
}

function literalBlocked(policy: ConnectPolicy, hostname: string): string | null {
  const family = net.isIP(hostname);
  return family === 0 ? null : verdict(policy, hostname, family);
}

/** The policy's answer; a policy that throws blocks (and says why) rather than crash a socket callback. */
function verdict(policy: ConnectPolicy, address: string, family: number | undefined): string | null {
  try {
    return policy.check(address, family === 6 ? 6 : 4);
  } catch (err) {
    return `policy check of ${address} failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * Resolves, then lets the socket connect only to addresses the policy allows: the addresses
 * checked are exactly the ones connected to, so a DNS answer that changes between a check and
 * the connection (DNS rebinding) cannot slip through.
 */
function guardedLookup(base: LookupFunction, policy: ConnectPolicy): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, options, (err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      if (typeof address === 'string') {
        const why = verdict(policy, address, family);
        if (why === null) callback(null, address, family);
        else callback(new ProbeConnectError(POLICY_ERROR_CODE, why), '', 0);
        return;
      }
      let firstReason: string | null = null;
      const allowed = address.filter((entry) => {
        const why = verdict(policy, entry.address, entry.family);
        firstReason ??= why;
        return why === null;
      });
      if (allowed.length > 0) callback(null, allowed, family);
      else callback(new ProbeConnectError(POLICY_ERROR_CODE, firstReason ?? `${hostname} has no address`), [], 0);
    });
  };
}

/** Node's bundled roots plus the given CAs, built once (a `ca` option would rebuild it per connection). */
function trustingContext(ca: string | readonly string[]): SecureContext {
  const extra = typeof ca === 'string' ? [ca] : ca;
  return tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
}
