import { judgeAssertions } from './assert/verdict.js';
import { dnsKind } from './dns/kind.js';
import { grpcKind } from './grpc/kind.js';
import { heartbeatKind } from './heartbeat/kind.js';
import { httpKind } from './http/kind.js';
import type { KindModule, ProberOptions } from './kind.js';
import { postgresKind } from './postgres/kind.js';
import type { Prober } from './prober.js';
import { redisKind } from './redis/kind.js';
import type { ProbeTarget } from './target.js';
import { tcpKind } from './tcp/kind.js';
import { tlsKind } from './tls/kind.js';
import { wsKind } from './ws/kind.js';

/**
 * Every kind of check, by the name the API gives it. Adding a kind is one folder beside these and
 * one line here (plus its name in the database's and the API's enum).
 */
export const KINDS = {
  HTTP: httpKind,
  TCP: tcpKind,
  TLS: tlsKind,
  DNS: dnsKind,
  GRPC: grpcKind,
  WEBSOCKET: wsKind,
  POSTGRES: postgresKind,
  REDIS: redisKind,
  HEARTBEAT: heartbeatKind,
} as const satisfies Record<string, KindModule>;

export type CheckKind = keyof typeof KINDS;
export const CHECK_KINDS = Object.keys(KINDS) as CheckKind[];

const BY_SCHEME = new Map<string, CheckKind>(
  CHECK_KINDS.flatMap((kind) => KINDS[kind].schemes.map((scheme) => [scheme, kind] as const)),
);

/** Every scheme a url may use, for messages. */
export const SCHEMES: readonly string[] = [...BY_SCHEME.keys()];

/** The kind a url's scheme selects (scheme without ':'), or null. */
export function kindOfScheme(scheme: string): CheckKind | null {
  return BY_SCHEME.get(scheme.toLowerCase()) ?? null;
}

/** A target and the kind that checks it. */
export type KindTarget = ProbeTarget & { kind: CheckKind };

/**
 * One prober for every kind: each check goes to its kind's prober; `close()` closes them all.
 */
export function createProber(options: ProberOptions): Prober<KindTarget> {
  const probers = new Map<CheckKind, Prober<ProbeTarget>>(
    CHECK_KINDS.map((kind) => [kind, KINDS[kind].createProber(options)]),
  );
  return {
    probe(target, signal) {
      const prober = probers.get(target.kind);
      if (prober === undefined) {
        return Promise.resolve({
          ok: false,
          degraded: false,
          latencyMs: 0,
          httpStatus: null,
          reason: 'NETWORK',
          message: `unknown kind of check ${String(target.kind)}`,
          certificateExpiresAt: null,
        });
      }
      const checked = prober.probe(target, signal);
      const { assertions } = target;
      if (assertions === undefined || assertions.length === 0) return checked;
      return checked.then((result) => judgeAssertions(assertions, result));
    },
    async close() {
      await Promise.all([...probers.values()].map((prober) => prober.close()));
    },
  };
}
