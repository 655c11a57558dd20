import { connectTcp, hostAndPort, type NetOptions } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import { readUntil } from '../net/read-until.js';
import type { Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

/**
 * tcp://host:port — passes once connected; with `tcp.send` writes it first, with `tcp.expect`
 * waits for that text in the first 64 KiB the peer sends.
 */
export function createTcpProber(options: NetOptions): Prober<ProbeTarget> {
  return netProber(async (target, run, reached) => {
    const address = hostAndPort(target.url);
    reached(address.host);
    const socket = await connectTcp(address.host, address.port, options, run);
    const { send, expect } = target.tcp ?? { send: null, expect: null };
    if (send !== null) socket.write(send);
    if (expect !== null) await readUntil(socket, expect, run);
    return {};
  });
}
