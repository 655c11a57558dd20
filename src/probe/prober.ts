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
  /** What a transition to a passing status says (default "passed in N ms"); a heartbeat's ping says so. */
  summary?: string;
  /** Each assertion of the target, in order, with what was found (absent: the target has none). */
  assertions?: readonly AssertionResult[];
  /** Where the time went; absent from results of probers that do not measure it. */
  phases?: CheckPhases;
}

/** Where the time of one check went, in milliseconds; null where a phase did not happen. */
export interface CheckPhases {
  /** Resolving the host name (null: an address, or a connection reused). */
  dnsMs: number | null;
  /** Opening the TCP connection (null: reused). */
  connectMs: number | null;
  /** The TLS handshake. */
  tlsMs: number | null;
  /** From the request (or the connection) to the first byte of the answer. */
  firstByteMs: number | null;
  /** Reading the answer past its first byte (the body, when it is read). */
  transferMs: number | null;
}

export const CHECK_PHASES = ['dns', 'connect', 'tls', 'firstByte', 'transfer'] as const;

export function noPhases(): CheckPhases {
  return { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, transferMs: null };
}

/** Adds `ms` to a phase (a check with redirects may go through a phase more than once). */
export function addPhase(phases: CheckPhases, phase: keyof CheckPhases, ms: number): void {
  const rounded = Math.round(ms * 1000) / 1000;
  phases[phase] = phases[phase] === null ? rounded : Math.round(((phases[phase] as number) + rounded) * 1000) / 1000;
}

/** One bounded check of a target of kind `Target`. */
export interface Prober<Target> {
  probe(target: Target, signal?: AbortSignal): Promise<ProbeResult>;
  /** Ends every connection; checks still running resolve with a NETWORK failure. */
  close(): Promise<void>;
}
