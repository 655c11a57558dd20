import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './connect.js';

/**
 * A lookup that answers one address, already judged by the target policy: clients that resolve
 * on their own (ws, pg) then connect exactly there, while keeping the url's host name for the
 * Host header and TLS.
 */
export function pinnedLookup(resolved: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    const reply = callback as (err: null, address: unknown, family?: number) => void;
    if (options.all) process.nextTick(reply, null, [{ address: resolved.address, family: resolved.family }]);
    else process.nextTick(reply, null, resolved.address, resolved.family);
  };
}
