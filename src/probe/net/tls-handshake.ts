import net, { type Socket } from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import { addPhase } from '../prober.js';
import type { TlsOptions } from '../tls/options.js';
import type { CheckRun } from './check-run.js';

/** What a completed handshake tells a person: protocol, cipher, certificate expiry. */
export interface Handshake {
  socket: TLSSocket;
  protocol: string;
  cipher: string;
  certificateExpiresAt: Date | null;
}

/** Secure contexts of private CAs, built once per PEM (a `ca` option would rebuild one per connection). */
const contexts = new Map<string, SecureContext>();
const MAX_CONTEXTS = 1_000;

/**
 * A TLS handshake over an open connection to `host` (SNI from the host name, never for an
 * address literal), verifying the certificate chain and the host name unless told to skip it.
 */
export function handshake(socket: Socket, host: string, options: TlsOptions | null, run: CheckRun): Promise<Handshake> {
  const secureContext = options?.caCertificate ? contextFor(options.caCertificate) : undefined;
  const secure = tls.connect({
    socket,
    host,
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    rejectUnauthorized: !(options?.skipVerify ?? false),
    ...(secureContext ? { secureContext } : {}),
  });
  run.defer(() => secure.destroy());
  const started = performance.now();
  return new Promise<Handshake>((resolve, reject) => {
    secure.once('secureConnect', () => {
      addPhase(run.phases, 'tlsMs', performance.now() - started);
      const validTo = secure.getPeerCertificate().valid_to;
      resolve({
        socket: secure,
        protocol: secure.getProtocol() ?? 'unknown protocol',
        cipher: secure.getCipher().standardName ?? secure.getCipher().name,
        certificateExpiresAt: validTo ? new Date(validTo) : null,
      });
    });
    secure.once('error', reject);
    // A peer that closes during the handshake fails with ECONNRESET on the socket.
  }).finally(() => {
    secure.removeAllListeners('secureConnect').removeAllListeners('error');
    secure.on('error', () => {});
  });
}

/** "TLSv1.3, TLS_AES_256_GCM_SHA384, certificate expires 2027-01-31 (60 days)". */
export function describeHandshake(done: Handshake, now = Date.now()): string {
  const expiry = done.certificateExpiresAt;
  const days = expiry === null ? null : Math.floor((expiry.getTime() - now) / 86_400_000);
  const certificate =
    expiry === null
      ? 'no certificate'
      : days !== null && days < 0
        ? `certificate expired ${expiry.toISOString().slice(0, 10)}`
        : `certificate expires ${expiry.toISOString().slice(0, 10)} (${days} ${days === 1 ? 'day' : 'days'})`;
  return `${done.protocol}, ${done.cipher}, ${certificate}`;
}

function contextFor(pem: string): SecureContext {
  let context = contexts.get(pem);
  if (context === undefined) {
    if (contexts.size >= MAX_CONTEXTS) contexts.clear();
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, pem] });
    contexts.set(pem, context);
  }
  return context;
}
