import type { NotificationEvent } from '../channel-input.js';
import { headline, mainLink, type Notification, plainText } from '../message.js';
import type { ChannelSender } from '../sender.js';

/** ntfy priorities: 5 urgent … 1 min. */
const PRIORITY: Record<NotificationEvent, number> = {
  DOWN: 5,
  REMINDER: 4,
  UNREACHABLE: 4,
  FLAPPING: 4,
  DEGRADED: 4,
  CERTIFICATE_EXPIRING: 4,
  UP: 3,
  STABLE: 3,
  TEST: 2,
};
/** ntfy turns these tags into emojis. */
const TAGS: Record<NotificationEvent, string> = {
  DOWN: 'rotating_light',
  REMINDER: 'alarm_clock',
  UNREACHABLE: 'white_circle',
  FLAPPING: 'repeat',
  DEGRADED: 'warning',
  CERTIFICATE_EXPIRING: 'lock',
  UP: 'white_check_mark',
  STABLE: 'green_circle',
  TEST: 'test_tube',
};

/**
 * ntfy's JSON publishing: POST to the server's root with the topic in the body (so titles and
 * messages may hold any Unicode, which headers could not). The channel URL is the topic URL.
 */
export function ntfyRequest(n: Notification, topicUrl: string): { url: string; body: string } {
  const url = new URL(topicUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  const topic = segments.pop() ?? '';
  url.pathname = `/${segments.join('/')}`;
  url.search = '';
  const click = mainLink(n);
  const body = {
    topic,
    title: headline(n).slice(0, 250),
    message: plainText(n).slice(0, 4000),
    priority: PRIORITY[n.event],
    tags: [TAGS[n.event], n.event.toLowerCase()],
    ...(click ? { click } : {}),
  };
  return { url: url.toString(), body: JSON.stringify(body) };
}

export const ntfySender: ChannelSender = {
  kind: 'NTFY',
  send(n, channel, transports, signal) {
    const { url, body } = ntfyRequest(n, channel.url ?? '');
    const headers: Record<string, string> = channel.secret ? { authorization: `Bearer ${channel.secret}` } : {};
    return transports.postJson(url, body, headers, signal);
  },
};
