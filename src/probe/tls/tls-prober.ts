import { connectTcp, hostAndPort, type NetOptions } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import { describeHandshake, handshake } from '../net/tls-handshake.js';
import type { Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

/**
 * tls://host:port — connects and completes a TLS handshake, verifying the certificate (chain and
 * host name) unless `tlsSkipVerify`; reports protocol, cipher and the certificate's expiry.
 */
export function createTlsProber(options: NetOptions): Prober<ProbeTarget> {
  return netProber(async (target, run, reached) => {
    const address = hostAndPort(target.url);
    reached(address.host);
    const socket = await connectTcp(address.host, address.port, options, run);
    const done = await handshake(socket, address.host, target.tls, run);
    return { certificateExpiresAt: done.certificateExpiresAt, message: describeHandshake(done) };
  });
}
