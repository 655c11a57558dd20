import type { HttpMethod as StoredHttpMethod } from '../generated/prisma/enums.js';
import type { Assertion } from '../probe/assert/assertion.js';
import type { DnsOptions } from '../probe/dns/options.js';
import { HEARTBEAT_DEFAULTS, type HeartbeatOptions } from '../probe/heartbeat/schedule.js';
import type { HttpMethod } from '../probe/http/method.js';
import type { CheckKind } from '../probe/kinds.js';
import type { TcpOptions } from '../probe/tcp/options.js';
import type { TlsOptions } from '../probe/tls/options.js';

// The database's enum and the prober's list name the same methods (a migration changes both).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<HttpMethod, StoredHttpMethod>;

export interface Header {
  name: string;
  value: string;
}

/** A complete service definition as an operator writes it (before validation). */
export interface ServiceInput {
  name: string;
  /** null: chosen by the url's scheme (validation fills it in). */
  kind: CheckKind | null;
  /** '' for HEARTBEAT, which has no url (the registry stores its push path, /push/{id}). */
  url: string;
  method: HttpMethod;
  headers: Header[];
  intervalSeconds: number;
  timeoutMs: number;
  expectedStatus: string;
  bodyContains: string | null;
  failureThreshold: number;
  successThreshold: number;
  degradedAboveMs: number | null;
  labels: string[];
  /** TCP only: what to send and expect. */
  tcp: TcpOptions | null;
  /** DNS only: the record type asked for (the resolver and name are in the url). */
  dns: DnsOptions | null;
  /** Kinds speaking TLS (tls://): accept any certificate. */
  tlsSkipVerify: boolean;
  /** Kinds speaking TLS: PEM of private CAs to trust besides Node's roots. */
  caCertificate: string | null;
  /** HEARTBEAT only: when pings are expected. */
  heartbeat: HeartbeatOptions | null;
  /** Evaluated in order on every check (src/probe/assert/). */
  assertions: Assertion[];
}

/** The defaults of RegisterServiceInput in the public contract (the schema declares these). */
export const SERVICE_DEFAULTS = {
  method: 'GET',
  headers: [],
  intervalSeconds: 30,
  timeoutMs: 5_000,
  expectedStatus: '200-299',
  bodyContains: null,
  failureThreshold: 1,
  successThreshold: 1,
  degradedAboveMs: null,
  labels: [],
  kind: null,
  tcp: null,
  dns: null,
  tlsSkipVerify: false,
  caCertificate: null,
  heartbeat: null,
  assertions: [],
} as const satisfies Omit<ServiceInput, 'name' | 'url'>;

/** Heartbeat options as given (validated later: exactly one of periodSeconds and cron). */
export interface HeartbeatInput {
  periodSeconds?: number | null;
  cron?: string | null;
  timezone?: string | null;
  graceSeconds?: number | null;
}

export function heartbeatInputOf(input: HeartbeatInput | null | undefined): HeartbeatOptions | null {
  if (!input) return null;
  return {
    periodSeconds: input.periodSeconds ?? null,
    cron: input.cron ?? null,
    timezone: input.timezone ?? HEARTBEAT_DEFAULTS.timezone,
    graceSeconds: input.graceSeconds ?? HEARTBEAT_DEFAULTS.graceSeconds,
  };
}

/** DNS options as given; `resolver`, when given, must agree with the url's. */
export interface DnsInput {
  recordType?: string | null;
  resolver?: string | null;
}

/** The record type as given (validated later); the resolver is checked against the url by validation. */
export function dnsInputOf(input: DnsInput | null | undefined): DnsOptions | null {
  if (!input) return null;
  return {
    recordType: (input.recordType ?? 'A') as DnsOptions['recordType'],
    ...(input.resolver ? { resolver: input.resolver } : {}),
  } as DnsOptions;
}

/** TCP options as given: either part may be left out. */
export interface TcpInput {
  send?: string | null;
  expect?: string | null;
}

/**
 * Registration input: the name is required, and the url for every kind but HEARTBEAT; everything
 * else falls back to SERVICE_DEFAULTS.
 */
export type RegisterInput = Pick<ServiceInput, 'name'> & {
  url?: string | null;
} & Partial<NullableFields<Omit<ServiceInput, 'name' | 'url' | 'tcp' | 'dns' | 'heartbeat' | 'assertions'>>> & {
    tcp?: TcpInput | null;
    dns?: DnsInput | null;
    heartbeat?: HeartbeatInput | null;
    assertions?: readonly AssertionInput[] | null;
  };

/** Update input: only what is given (not undefined) changes; null clears an optional field. */
export type UpdateInput = Partial<NullableFields<Omit<ServiceInput, 'tcp' | 'dns' | 'heartbeat' | 'assertions'>>> & {
  tcp?: TcpInput | null;
  dns?: DnsInput | null;
  heartbeat?: HeartbeatInput | null;
  assertions?: readonly AssertionInput[] | null;
};

/** An assertion as given: path, value and degrade may be left out. */
export interface AssertionInput {
  source: Assertion['source'];
  path?: string | null;
  operator: Assertion['operator'];
  value?: string | null;
  degrade?: boolean | null;
}

export function assertionsOf(input: readonly AssertionInput[] | null | undefined): Assertion[] {
  return (input ?? []).map((given) => ({
    source: given.source,
    path: given.path ?? null,
    operator: given.operator,
    value: given.value ?? null,
    degrade: given.degrade ?? false,
  }));
}

/** What a TLS check reads of a definition: null when it verifies against Node's roots only. */
export function tlsOptionsOf(service: Pick<ServiceInput, 'tlsSkipVerify' | 'caCertificate'>): TlsOptions | null {
  return service.tlsSkipVerify || service.caCertificate !== null
    ? { skipVerify: service.tlsSkipVerify, caCertificate: service.caCertificate }
    : null;
}

export function tcpOptionsOf(input: TcpInput | null | undefined): TcpOptions | null {
  return input ? { send: input.send ?? null, expect: input.expect ?? null } : null;
}

type NullableFields<T> = { [K in keyof T]: T[K] | null };

export function withDefaults(input: RegisterInput): ServiceInput {
  return {
    name: input.name,
    url: input.url ?? '',
    method: input.method ?? SERVICE_DEFAULTS.method,
    headers: input.headers ?? [],
    intervalSeconds: input.intervalSeconds ?? SERVICE_DEFAULTS.intervalSeconds,
    timeoutMs: input.timeoutMs ?? SERVICE_DEFAULTS.timeoutMs,
    expectedStatus: input.expectedStatus ?? SERVICE_DEFAULTS.expectedStatus,
    bodyContains: input.bodyContains ?? null,
    failureThreshold: input.failureThreshold ?? SERVICE_DEFAULTS.failureThreshold,
    successThreshold: input.successThreshold ?? SERVICE_DEFAULTS.successThreshold,
    degradedAboveMs: input.degradedAboveMs ?? null,
    labels: input.labels ?? [],
    kind: input.kind ?? null,
    tcp: tcpOptionsOf(input.tcp),
    dns: dnsInputOf(input.dns),
    tlsSkipVerify: input.tlsSkipVerify ?? false,
    caCertificate: input.caCertificate ?? null,
    heartbeat: heartbeatInputOf(input.heartbeat),
    assertions: assertionsOf(input.assertions),
  };
}
