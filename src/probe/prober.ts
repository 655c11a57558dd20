import type { AssertionResult } from './assert/assertion.js';

/**
 * What every check kind has in common: a prober takes one target of its kind and resolves with
 * one result, never throwing. Each kind lives in its own folder beside this file (http/, …); the
 * monitor sees only this interface.
 */

/** Why a check failed, as stored in a service's state and exposed by the API. */
export const CHECK_FAILURE_REASONS = [
  'DNS',
  'CONNECT_REFUSED',
  'CONNECT_TIMEOUT',
  'TLS',
  'TIMEOUT',
  'HTTP_STATUS',
  'BODY_MISMATCH',
  'BODY_TOO_LARGE',
  'REDIRECT_LIMIT',
  'NETWORK',
  'POLICY',
  /** DNS: the resolver answered with an rcode other than NOERROR, or NOERROR with no record of the type. */
  'DNS_RCODE',
  /** The peer spoke, but not the expected protocol. */
  'PROTOCOL',
  // Named by the contract for what lands next (assertions, gRPC, databases, heartbeats).
  'ASSERTION',
  'GRPC_STATUS',
  'AUTH',
  'HEARTBEAT_MISSED',
  'HEARTBEAT_FAILED',
] as const;
export type CheckFailureReason = (typeof CHECK_FAILURE_REASONS)[number];

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
  /** Each assertion of the target, in order, with what was found (absent: the target has none). */
  assertions?: readonly AssertionResult[];
}

/** One bounded check of a target of kind `Target`. */
export interface Prober<Target> {
  probe(target: Target, signal?: AbortSignal): Promise<ProbeResult>;
  /** Ends every connection; checks still running resolve with a NETWORK failure. */
  close(): Promise<void>;
}
