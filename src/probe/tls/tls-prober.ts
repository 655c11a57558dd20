import { createCloseScope, runCheck } from '../net/check-run.js';
import { classifyNetError, connectTcp, hostAndPort, type NetOptions } from '../net/connect.js';
import { describeHandshake, handshake } from '../net/tls-handshake.js';
import type { Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

/**
 * tls://host:port — connects and completes a TLS handshake, verifying the certificate (chain and
 * host name) unless `tlsSkipVerify`; reports protocol, cipher and the certificate's expiry.
 */
export function createTlsProber(options: NetOptions): Prober<ProbeTarget> {
  const scope = createCloseScope();
  return {
    probe(target, signal) {
      let host = '';
      return runCheck(
        target,
        scope.signal(signal),
        (err, run) => classifyNetError(err, host, run),
        async (run) => {
          const address = hostAndPort(target.url);
          host = address.host;
          const socket = await connectTcp(address.host, address.port, options, run);
          const done = await handshake(socket, address.host, target.tls, run);
          return { certificateExpiresAt: done.certificateExpiresAt, message: describeHandshake(done) };
        },
      );
    },
    close: async () => scope.close(),
  };
}
