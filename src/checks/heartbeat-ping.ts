import type { ProbeResult } from '../probe/prober.js';
import type { CheckDefinition } from './check-definition.js';
import type { ServiceState } from './service-state.js';

/** What a job said on its push URL. */
export type HeartbeatPing =
  | { kind: 'success' }
  | { kind: 'start' }
  /** /fail, with the request body (at most 10 KiB) as the message. */
  | { kind: 'fail'; body: string | null }
  /** /{exitCode}: 0 is a success, anything else a failure. */
  | { kind: 'exit'; code: number; body: string | null };

export const PING_KINDS = ['success', 'start', 'fail', 'exit'] as const;

/** How much of a request body becomes the message. */
export const PING_BODY_BYTES = 10 * 1024;

export interface PingEffect {
  /** The result to judge, or null for a start (which only starts the clock). */
  result: ProbeResult | null;
  /** The heartbeat's part of the state after the ping. */
  patch: Pick<ServiceState, 'lastPingAt' | 'runStartedAt'>;
}

/**
 * A ping as a check result: success or failure, its latency the run time (start → this ping,
 * 0 without a start), DEGRADED when the run took longer than degradedAboveMs.
 */
export function pingEffect(
  service: CheckDefinition,
  state: ServiceState | undefined,
  ping: HeartbeatPing,
  at: Date,
): PingEffect {
  if (ping.kind === 'start')
    return { result: null, patch: { lastPingAt: state?.lastPingAt ?? null, runStartedAt: at } };
  const started = state?.runStartedAt ?? null;
  const runMs = started === null ? 0 : Math.max(0, at.getTime() - started.getTime());
  const patch = { lastPingAt: at, runStartedAt: null };
  const base = { latencyMs: runMs, httpStatus: null, certificateExpiresAt: null };
  const ran = started === null ? '' : ` after a run of ${formatRun(runMs)}`;
  if (ping.kind === 'success' || (ping.kind === 'exit' && ping.code === 0)) {
    const slow = service.degradedAboveMs !== null && started !== null && runMs > service.degradedAboveMs;
    return {
      result: {
        ...base,
        ok: true,
        degraded: slow,
        reason: null,
        message: slow ? `the run took ${formatRun(runMs)}, above ${formatRun(service.degradedAboveMs ?? 0)}` : null,
        summary: `ping received${ran}`,
      },
      patch,
    };
  }
  const body = ping.body === null ? '' : cleanBody(ping.body);
  const said =
    ping.kind === 'exit'
      ? `the job exited with code ${ping.code}${body === '' ? '' : `: ${body}`}`
      : body === ''
        ? 'the job reported a failure'
        : body;
  return { result: { ...base, ok: false, degraded: false, reason: 'HEARTBEAT_FAILED', message: said }, patch };
}

/**
 * A body as a message: valid text without NUL or other control characters (PostgreSQL text holds
 * no NUL), newlines and tabs kept, trimmed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function cleanBody(body: string): string {
  return body
    .replace(CONTROL, '')
    .trim()
    .replace(/\p{Surrogate}/gu, '\uFFFD');
}

function formatRun(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
