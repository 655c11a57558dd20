import type { KindModule } from '../kind.js';
import type { ProbeResult, Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';
import { formatDuration, formatTime, heartbeatSchedule } from './schedule.js';

/**
 * HEARTBEAT: a passive check. Nothing is probed: the service calls its push URL and the deadline
 * tracker (checks/heartbeat-tracker.ts) judges the pings. It has no url and no scheme; its prober
 * only answers testCheck, with when pings would be expected.
 */
export const heartbeatKind: KindModule = {
  schemes: [],
  example: 'kind: HEARTBEAT, heartbeat: { periodSeconds: 3600 }',
  options: ['heartbeat'],
  // Nothing is probed, so there is nothing for an assertion to read (degradedAboveMs judges the run time).
  assertionSources: [],
  checkUrl: () => 'HEARTBEAT checks have no url: the service calls its push URL',
  createProber: () => createHeartbeatProber(),
};

/** testCheck of a heartbeat: the next two expected pings, so an operator sees what the schedule means. */
export function createHeartbeatProber(now: () => Date = () => new Date()): Prober<ProbeTarget> {
  return {
    probe(target) {
      return Promise.resolve(describeHeartbeat(target, now()));
    },
    close: async () => {},
  };
}

function describeHeartbeat(target: ProbeTarget, at: Date): ProbeResult {
  const result: ProbeResult = {
    ok: true,
    degraded: false,
    latencyMs: 0,
    httpStatus: null,
    reason: null,
    message: null,
    certificateExpiresAt: null,
  };
  const options = target.heartbeat;
  if (options === null) return { ...result, ok: false, reason: 'PROTOCOL', message: 'no heartbeat options' };
  const schedule = heartbeatSchedule(options);
  const first = schedule.next(at);
  const second = first && schedule.next(first);
  const zone = options.cron === null ? 'UTC' : options.timezone;
  const times = [first, second].filter((d): d is Date => d !== null).map((d) => formatTime(d, zone));
  return {
    ...result,
    message: `passive check: expects a ping ${schedule.describe(null)}, grace ${formatDuration(options.graceSeconds)}; from now: ${times.join(', then ')}`,
  };
}
