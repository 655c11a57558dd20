import { createHmac } from 'node:crypto';
import type { Notification } from '../message.js';
import type { ChannelSender } from '../sender.js';

/** The JSON body of a WEBHOOK request (api-round2.graphql, "WEBHOOK request"). */
export function webhookBody(n: Notification): string {
  return JSON.stringify({
    deliveryId: n.deliveryId,
    event: n.event,
    at: n.at.toISOString(),
    summary: n.summary,
    services: n.services.map((s) => ({
      id: s.id,
      name: s.name,
      url: s.url,
      labels: s.labels,
      previous: s.previous,
      current: s.current,
      message: s.message,
      reason: s.reason,
      since: s.since.toISOString(),
      link: s.link,
    })),
  });
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the X-Statuschecker-Signature header. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const webhookSender: ChannelSender = {
  kind: 'WEBHOOK',
  send(n, channel, transports, signal) {
    const body = webhookBody(n);
    const headers: Record<string, string> = {
      'x-statuschecker-event': n.event,
      'x-statuschecker-delivery': n.deliveryId,
    };
    if (channel.secret) headers['x-statuschecker-signature'] = signature(channel.secret, body);
    return transports.postJson(channel.url ?? '', body, headers, signal);
  },
};
