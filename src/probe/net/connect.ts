import dns from 'node:dns';
import net, { type LookupFunction, type Socket } from 'node:net';
import type { ConnectPolicy } from '../../policy/target-policy.js';
import { classifyError } from '../http/errors.js';
import { addPhase } from '../prober.js';
import { CheckFailure, type CheckRun } from './check-run.js';

/** How socket-based kinds reach a peer: the same lookup and target policy as HTTP. */
export interface NetOptions {
  policy?: ConnectPolicy;
  /** node:net-style lookup, replacing dns.lookup (tests, custom resolution). */
  lookup?: LookupFunction;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Host and port of a url like tcp://host:port (brackets of an IPv6 literal removed). */
export function hostAndPort(url: string, defaultPort?: number): { host: string; port: number } {
  const parsed = new URL(url);
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  if (port === undefined) throw new CheckFailure('NETWORK', `${url} names no port`);
  return { host, port };
}

/**
 * Resolves `host` and returns the first address the target policy allows: the address judged is
 * exactly the one connected to, so an answer that changes in between (DNS rebinding) cannot slip
 * through. A literal address is judged as it is.
 */
export async function resolveAllowed(host: string, options: NetOptions, run: CheckRun): Promise<ResolvedAddress> {
  const literal = net.isIP(host);
  const started = performance.now();
  const candidates =
    literal !== 0 ? [{ address: host, family: literal as 4 | 6 }] : await lookupAll(host, options.lookup, run);
  if (literal === 0) addPhase(run.phases, 'dnsMs', performance.now() - started);
  if (!options.policy) return candidates[0] as ResolvedAddress;
  let firstReason: string | null = null;
  for (const candidate of candidates) {
    const why = verdict(options.policy, candidate.address, candidate.family);
    if (why === null) return candidate;
    firstReason ??= why;
  }
  throw new CheckFailure('POLICY', `blocked by target policy: ${firstReason ?? `${host} has no address`}`);
}

/** Opens a TCP connection to host:port under the run's deadline; the socket is destroyed when the run settles. */
export async function connectTcp(host: string, port: number, options: NetOptions, run: CheckRun): Promise<Socket> {
  const { address } = await resolveAllowed(host, options, run);
  const started = performance.now();
  const socket = net.connect({ host: address, port, noDelay: true });
  run.defer(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
    run.signal.addEventListener('abort', () => reject(new CheckFailure('NETWORK', 'aborted')), { once: true });
  }).finally(() => socket.removeAllListeners('connect').removeAllListeners('error'));
  // Errors after this point are reported by whoever reads from the socket; never an unhandled 'error'.
  socket.on('error', () => {});
  addPhase(run.phases, 'connectMs', performance.now() - started);
  run.stage = 'connected';
  return socket;
}

/** A network error as a failure with a reason and a message a person understands. */
export function classifyNetError(err: unknown, host: string, run: CheckRun): CheckFailure {
  const { reason, message } = classifyError(err, {
    host,
    connected: run.stage === 'connected',
    elapsedMs: run.elapsed(),
  });
  return new CheckFailure(reason, message);
}

function lookupAll(host: string, lookup: LookupFunction | undefined, run: CheckRun): Promise<ResolvedAddress[]> {
  const resolve = lookup ?? (dns.lookup as unknown as LookupFunction);
  return new Promise((done, reject) => {
    resolve(host, { all: true }, (err, addresses) => {
      if (run.signal.aborted) return;
      if (err) {
        reject(err);
        return;
      }
      const list = Array.isArray(addresses) ? addresses : [{ address: addresses as string, family: 4 }];
      if (list.length === 0) {
        reject(Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' }));
        return;
      }
      done(list.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 })));
    });
  });
}

/** The policy's answer; a policy that throws blocks (and says why) rather than crash a check. */
function verdict(policy: ConnectPolicy, address: string, family: 4 | 6): string | null {
  try {
    const why = policy.check(address, family);
    return why === null ? null : why.replace(/^blocked by target policy: /, '');
  } catch (err) {
    return `policy check of ${address} failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}
