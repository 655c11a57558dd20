import type { NotificationEvent } from './channel-input.js';

/** One service's part of a notification, as receivers see it. */
export interface ServiceNotice {
  id: string;
  name: string;
  url: string;
  labels: string[];
  previous: string | null;
  current: string;
  message: string | null;
  reason: string | null;
  since: Date;
  /** The service's page (PUBLIC_URL), when PUBLIC_URL is set. */
  link: string | null;
}

/** What a sender sends: one delivery, of one service or several (grouped, or a rate-limit summary). */
export interface Notification {
  deliveryId: string;
  event: NotificationEvent;
  at: Date;
  services: ServiceNotice[];
  /** Several notices gathered because the channel's rate limit was reached. */
  summary: boolean;
  /** PUBLIC_URL, for a link to the dashboard when the message is about several services. */
  publicUrl: string | null;
}

/** Services named in a headline before "… and N more". */
const NAMED_IN_HEADLINE = 3;

const VERB: Record<NotificationEvent, string> = {
  DOWN: 'DOWN',
  UP: 'UP again',
  DEGRADED: 'DEGRADED',
  UNREACHABLE: 'UNREACHABLE (a service it depends on is down)',
  CERTIFICATE_EXPIRING: 'certificate expiring',
  REMINDER: 'still DOWN',
  TEST: 'test',
  FLAPPING: 'FLAPPING',
  STABLE: 'stable again',
};

export const EMOJI: Record<NotificationEvent, string> = {
  DOWN: '🔴',
  UP: '✅',
  DEGRADED: '🟠',
  UNREACHABLE: '⚪',
  CERTIFICATE_EXPIRING: '🔐',
  REMINDER: '⏰',
  TEST: '🧪',
  FLAPPING: '🔁',
  STABLE: '🟢',
};

/** One line a person reads first: "api is DOWN", "12 services DOWN: a, b, c … and 9 more". */
export function headline(n: Notification): string {
  if (n.event === 'TEST') return 'Test notification from statuschecker';
  if (n.summary) return `${n.services.length} notifications held by the rate limit: ${namedList(n.services)}`;
  const [only] = n.services;
  if (n.services.length === 1 && only)
    return `${only.name} is ${n.event === 'STABLE' ? `stable again (${only.current})` : VERB[n.event]}`;
  return `${n.services.length} services ${VERB[n.event]}: ${namedList(n.services)}`;
}

function namedList(services: readonly ServiceNotice[]): string {
  const names = services.slice(0, NAMED_IN_HEADLINE).map((s) => s.name);
  const more = services.length - names.length;
  return more > 0 ? `${names.join(', ')} … and ${more} more` : names.join(', ');
}

/** The details of one service: "UP → DOWN · HTTP_STATUS: expected 200-299, got 503 · since 2026-…Z". */
export function detailLine(s: ServiceNotice): string {
  const change = s.previous ? `${s.previous} → ${s.current}` : s.current;
  const why = [s.reason, s.message].filter(Boolean).join(': ');
  return [change, why, `since ${s.since.toISOString()}`].filter(Boolean).join(' · ');
}

/** Plain text for kinds without markup (email text part, ntfy, PagerDuty's summary uses the headline). */
export function plainText(n: Notification): string {
  const lines = [headline(n), ''];
  if (n.event === 'TEST') lines.push('If you can read this, the channel works.');
  for (const s of n.services) {
    lines.push(`${s.name} (${s.url})`, `  ${detailLine(s)}`);
    if (s.link) lines.push(`  ${s.link}`);
  }
  if (n.services.length > 1 && n.publicUrl) lines.push('', n.publicUrl);
  lines.push('', `Delivery ${n.deliveryId}`);
  return lines.join('\n');
}

/** The link of the notification as a whole: the service's page, or the dashboard for several. */
export function mainLink(n: Notification): string | null {
  return n.services.length === 1 ? (n.services[0]?.link ?? null) : n.publicUrl;
}

/** The service page link for a PUBLIC_URL (the dashboard's route for one service). */
export function serviceLink(publicUrl: string | null, serviceId: string): string | null {
  return publicUrl ? `${publicUrl}/services/${encodeURIComponent(serviceId)}` : null;
}
