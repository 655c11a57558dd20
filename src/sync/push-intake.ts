import type { HeartbeatPing } from '../checks/heartbeat-ping.js';
import type { Monitor } from '../checks/monitor.js';
import type { MonitorEvents } from '../checks/monitor-topics.js';
import type { Logger } from '../logger.js';
import type { ServiceDirectory } from '../registry/directory.js';
import { pushTokenMatches } from '../registry/push-token.js';

/** What the push endpoint answers: the ping was taken, or why not. */
export type PushAnswer = 'accepted' | 'forwarded' | 'not_found' | 'limited' | 'paused';

export interface PushIntake {
  /** A ping with the secret presented for it; nothing is recorded unless the secret is right. */
  push(serviceId: string, secret: string, ping: HeartbeatPing): PushAnswer;
  /** Seconds until a limited service may push again. */
  retryAfterSeconds(): number;
}

export interface PushIntakeParts {
  directory: Pick<ServiceDirectory, 'get'>;
  monitor: Pick<Monitor, 'push'>;
  events: MonitorEvents;
  now: () => Date;
  logger: Logger;
  /** Pushes one service may make in a burst, and per second after it (a runaway loop cannot flood the database). */
  rate?: { burst: number; perSecond: number };
}

export const PUSH_RATE = { burst: 60, perSecond: 5 } as const;

/**
 * Where a push goes. The secret is checked against the directory in memory (no query per push).
 * A push is a result for the owner's state machine: recorded here when this process owns the
 * service, else handed to the owner over the event bus, once. Recording it on the replica that
 * received it would judge it against a state that is not the owner's and write history outside
 * the owner's fencing token; the owner is the one place where its consecutive counts, deadline and
 * run start live. Without a shared bus (one process, or an API-only process on its own) nobody
 * else can record it, so it is recorded here, as checkServiceNow does.
 */
export function createPushIntake(parts: PushIntakeParts): PushIntake {
  const { directory, monitor, events, now } = parts;
  const log = parts.logger.child({ component: 'push' });
  const rate = parts.rate ?? PUSH_RATE;
  const buckets = new Map<string, { tokens: number; at: number }>();

  // The owner side: pings other processes received for services this one owns.
  events.subscribe('heartbeatPushed', null, ({ serviceId, ping }, remote) => {
    if (!remote) return;
    const outcome = monitor.push(serviceId, ping);
    if (outcome !== 'not-owner') log.debug({ serviceId, kind: ping.kind, outcome }, 'forwarded ping');
  });

  const take = (serviceId: string): boolean => {
    const t = now().getTime();
    const bucket = buckets.get(serviceId) ?? { tokens: rate.burst, at: t };
    bucket.tokens = Math.min(rate.burst, bucket.tokens + (Math.max(0, t - bucket.at) / 1000) * rate.perSecond);
    bucket.at = t;
    buckets.set(serviceId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  return {
    push(serviceId, secret, ping) {
      const row = directory.get(serviceId);
      // Hashed and compared even for an unknown id: the answer and its timing say nothing of which it was.
      const matches = pushTokenMatches(row?.kind === 'HEARTBEAT' ? row.pushTokenHash : null, secret);
      if (!row || !matches) return 'not_found';
      if (!take(serviceId)) return 'limited';
      if (row.paused) return 'paused';
      const outcome = monitor.push(serviceId, ping);
      if (outcome === 'recorded') return 'accepted';
      if (outcome === 'paused') return 'paused';
      if (outcome === 'unknown') return 'not_found';
      if (events.shared) {
        events.publish('heartbeatPushed', { serviceId, ping });
        return 'forwarded';
      }
      monitor.push(serviceId, ping, true);
      return 'accepted';
    },
    retryAfterSeconds: () => Math.max(1, Math.ceil(1 / rate.perSecond)),
  };
}
