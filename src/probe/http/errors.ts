import type { CheckFailureReason } from '../prober.js';

/** Raised by the connector when the target policy forbids an address. */
export const POLICY_ERROR_CODE = 'ERR_TARGET_POLICY';
/** Raised on a connection attempt that no check waits for any more (it is torn down). */
export const ABANDONED_ERROR_CODE = 'ERR_PROBE_ABANDONED';

export class ProbeConnectError extends Error {
  constructor(
    readonly code: typeof POLICY_ERROR_CODE | typeof ABANDONED_ERROR_CODE,
    message: string,
  ) {
    super(message);
  }
}

export interface Failure {
  reason: CheckFailureReason;
  message: string;
}

export interface FailureContext {
  /** Host name (or address) of the hop that failed. */
  host: string;
  /** Whether the hop's connection was established (and TLS done) before the error. */
  connected: boolean;
  elapsedMs: number;
}

/** TLS verification codes (OpenSSL's X509_V_ERR_* names, as Node reports them), in words. */
const TLS_MESSAGES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate is not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate is not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate is not trusted (unknown issuer)',
  CERT_UNTRUSTED: 'certificate is not trusted',
  CERT_REJECTED: 'certificate was rejected',
  CERT_REVOKED: 'certificate has been revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature is invalid',
  CERT_CHAIN_TOO_LONG: 'certificate chain is too long',
  INVALID_CA: 'certificate chain has an invalid CA certificate',
  INVALID_PURPOSE: 'certificate is not meant for a TLS server',
  HOSTNAME_MISMATCH: 'certificate is for another host',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is for another host',
};

const NETWORK_MESSAGES: Readonly<Record<string, string>> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending the request',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  ENETDOWN: 'network is down',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_SOCKET: 'socket closed',
  UND_ERR_CLOSED: 'prober closed',
  UND_ERR_DESTROYED: 'prober closed',
  UND_ERR_HEADERS_OVERFLOW: 'response headers are too large',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response body does not match its Content-Length',
  UND_ERR_NOT_SUPPORTED: 'response not supported',
  UND_ERR_INFO: 'connection closed',
  [ABANDONED_ERROR_CODE]: 'aborted',
};

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'ENODATA',
  'ESERVFAIL',
  'ENONAME',
]);

/** Maps any error seen during a check to a reason and a short message a person understands. */
export function classifyError(err: unknown, context: FailureContext): Failure {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);

  if (code === POLICY_ERROR_CODE) return { reason: 'POLICY', message: `blocked by target policy: ${message}` };
  if (DNS_CODES.has(code)) {
    const detail = code === 'EAI_AGAIN' ? ' (DNS temporarily unavailable)' : '';
    return { reason: 'DNS', message: `could not resolve host ${context.host}${detail}` };
  }
  if (code === 'ECONNREFUSED') return { reason: 'CONNECT_REFUSED', message: 'connection refused' };
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return context.connected
      ? { reason: 'TIMEOUT', message: 'connection timed out' }
      : { reason: 'CONNECT_TIMEOUT', message: `could not connect within ${Math.round(context.elapsedMs)} ms` };
  }
  const tls = tlsMessage(code, err);
  if (tls !== null) return { reason: 'TLS', message: tls };
  if (code === 'ECONNRESET' && message.includes('TLS')) {
    return { reason: 'TLS', message: 'connection reset during the TLS handshake' };
  }
  if (code === 'UND_ERR_SOCKET' && message === 'other side closed') {
    return { reason: 'NETWORK', message: 'connection closed by the server' };
  }
  const network = NETWORK_MESSAGES[code];
  if (network !== undefined) return { reason: 'NETWORK', message: network };
  if (code.startsWith('HPE_')) return { reason: 'NETWORK', message: `invalid HTTP response (${message})` };
  if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_URL') {
    return { reason: 'NETWORK', message: `invalid request: ${message}` };
  }
  return { reason: 'NETWORK', message: message || code || 'unknown error' };
}

function tlsMessage(code: string, err: unknown): string | null {
  const known = TLS_MESSAGES[code];
  if (known !== undefined) return known;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    const reason = typeof (err as { reason?: unknown }).reason === 'string' ? (err as { reason: string }).reason : code;
    return `TLS handshake failed (${reason.toLowerCase()})`;
  }
  return null;
}

/** The Node/undici error code; an AggregateError (several addresses tried) takes its first error's. */
function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const first = (err as { errors?: unknown[] }).errors?.[0];
  return first === undefined ? '' : errorCode(first);
}
