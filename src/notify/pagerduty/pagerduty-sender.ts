import { detailLine, headline, type Notification, type ServiceNotice } from '../message.js';
import type { ChannelSender, SendOutcome } from '../sender.js';

type EventAction = 'trigger' | 'resolve';

/**
 * PagerDuty Events API v2: one event per service, `dedup_key` = the service id, so PagerDuty's
 * incident opens on DOWN and closes on UP with ours. Certificate notices are an incident of their own.
 */
export function pagerDutyEvents(n: Notification, routingKey: string): unknown[] {
  if (n.event === 'TEST') {
    const dedupKey = `statuschecker-test-${n.deliveryId}`;
    return [trigger(routingKey, dedupKey, headline(n), 'info', 'statuschecker', n, {}), resolve(routingKey, dedupKey)];
  }
  return n.services.map((s) => {
    const action = actionOf(n, s);
    const dedupKey = n.event === 'CERTIFICATE_EXPIRING' ? `${s.id}:certificate` : s.id;
    if (action === 'resolve') return resolve(routingKey, dedupKey);
    const severity = n.event === 'DOWN' || n.event === 'REMINDER' ? 'critical' : 'warning';
    return trigger(
      routingKey,
      dedupKey,
      `${s.name}: ${headline({ ...n, services: [s] })}`,
      severity,
      s.name,
      n,
      details(s),
    );
  });
}

function actionOf(n: Notification, s: ServiceNotice): EventAction {
  if (n.event === 'UP') return 'resolve';
  if (n.event === 'STABLE') return s.current === 'UP' ? 'resolve' : 'trigger';
  if (n.summary) return s.current === 'UP' ? 'resolve' : 'trigger';
  return 'trigger';
}

function details(s: ServiceNotice) {
  return {
    url: s.url,
    previous: s.previous,
    current: s.current,
    reason: s.reason,
    message: s.message,
    since: s.since.toISOString(),
    detail: detailLine(s),
  };
}

function trigger(
  routingKey: string,
  dedupKey: string,
  summary: string,
  severity: string,
  source: string,
  n: Notification,
  custom: object,
) {
  const link = n.services.length === 1 ? n.services[0]?.link : n.publicUrl;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: summary.slice(0, 1024),
      source,
      severity,
      timestamp: n.at.toISOString(),
      component: source,
      custom_details: custom,
    },
    ...(link ? { links: [{ href: link, text: 'statuschecker' }] } : {}),
    client: 'statuschecker',
  };
}

function resolve(routingKey: string, dedupKey: string) {
  return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
}

export const pagerDutySender: ChannelSender = {
  kind: 'PAGERDUTY',
  async send(n, channel, transports, signal) {
    // One request per service; a retry re-sends them all, which PagerDuty folds by dedup_key.
    for (const event of pagerDutyEvents(n, channel.secret ?? '')) {
      const outcome: SendOutcome = await transports.postJson(channel.url ?? '', JSON.stringify(event), {}, signal);
      if (!outcome.ok) return outcome;
    }
    return { ok: true };
  },
};
