import { asserts } from '../assert/assertion.js';
import { connectTcp, hostAndPort, type NetOptions } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import { readFirst, readUntil } from '../net/read-until.js';
import type { Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

/**
 * tcp://host:port — passes once connected; with `tcp.send` writes it first, with `tcp.expect`
 * waits for that text in the first 64 KiB the peer sends. A BODY assertion reads what the peer
 * sent up to `tcp.expect`, or else its first chunk (a banner).
 */
export function createTcpProber(options: NetOptions): Prober<ProbeTarget> {
  return netProber(async (target, run, reached) => {
    const address = hostAndPort(target.url);
    reached(address.host);
    const socket = await connectTcp(address.host, address.port, options, run);
    const { send, expect } = target.tcp ?? { send: null, expect: null };
    if (send !== null) socket.write(send);
    if (expect !== null) {
      const received = await readUntil(socket, expect, run);
      if (run.observing) run.observed.body = received;
    } else if (asserts(target.assertions, 'BODY')) {
      run.observed.body = await readFirst(socket, run);
    }
    return {};
  });
}
