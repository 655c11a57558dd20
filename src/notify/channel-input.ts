import { checkInteger, checkLength, checkWellFormed, fail, validateLabels } from '../registry/validation.js';

export const CHANNEL_KINDS = ['WEBHOOK', 'SLACK', 'DISCORD', 'TEAMS', 'PAGERDUTY', 'NTFY', 'EMAIL'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const NOTIFICATION_EVENTS = [
  'DOWN',
  'UP',
  'DEGRADED',
  'UNREACHABLE',
  'CERTIFICATE_EXPIRING',
  'REMINDER',
  'TEST',
  'FLAPPING',
  'STABLE',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const DEFAULT_EVENTS: readonly NotificationEvent[] = ['DOWN', 'UP'];
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const SMTP_TLS_MODES = ['starttls', 'tls', 'none'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

export interface EmailOptions {
  smtpHost: string;
  smtpPort: number;
  tls: SmtpTlsMode;
  username: string | null;
  from: string;
  to: string[];
}

/** What an operator gives (GraphQL input or config file); absent values take the defaults. */
export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  url?: string | null;
  /** Absent on update: the stored secret stays. An empty string removes it. */
  secret?: string | null;
  email?: {
    smtpHost: string;
    smtpPort?: number | null;
    tls?: string | null;
    username?: string | null;
    from: string;
    to: string[];
  } | null;
  events?: readonly NotificationEvent[] | null;
  labels?: readonly string[] | null;
  isDefault?: boolean | null;
  remindEveryMinutes?: number | null;
  groupWindowSeconds?: number | null;
  rateLimitPerMinute?: number | null;
}

/** A checked channel definition, ready to store (the secret still in clear). */
export interface ChannelDefinition {
  name: string;
  kind: ChannelKind;
  url: string | null;
  /** undefined: keep the stored one; null: none. */
  secret: string | null | undefined;
  email: EmailOptions | null;
  events: NotificationEvent[];
  labels: string[];
  isDefault: boolean;
  remindEveryMinutes: number | null;
  groupWindowSeconds: number;
  rateLimitPerMinute: number;
}

export const CHANNEL_LIMITS = {
  name: { min: 1, max: 100 },
  urlLength: 2_048,
  secretLength: { min: 1, max: 4_096 },
  remindEveryMinutes: { min: 1, max: 7 * 24 * 60 },
  groupWindowSeconds: { min: 0, max: 3_600 },
  rateLimitPerMinute: { min: 1, max: 100_000 },
  recipients: 50,
} as const;

const URL_KINDS = new Set<ChannelKind>(['WEBHOOK', 'SLACK', 'DISCORD', 'TEAMS', 'NTFY']);
const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$|^\[?[0-9A-Fa-f:.]+\]?$/;
/** A plain address: enough to refuse typos and header injection, not a full RFC 5322 parser. */
const EMAIL_ADDRESS = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+\.[^\s@<>(),;:"\\[\]]+$/;

/**
 * Checks a channel definition and returns it normalised; throws ValidationError naming the field.
 * `checkUrl` is the target policy's verdict on a URL (null: allowed).
 */
export function validateChannel(input: ChannelInput, checkUrl: (url: string) => string | null): ChannelDefinition {
  const name = input.name.trim();
  checkLength('name', name, CHANNEL_LIMITS.name);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\x00-\x1f\x7f]/.test(name)) fail('name', 'must not contain control characters');
  checkWellFormed('name', name);
  const kind = input.kind;
  const url = validateChannelUrl(kind, input.url ?? null, checkUrl);
  const email = kind === 'EMAIL' ? validateEmail(input.email ?? null, checkUrl) : rejectEmail(input.email);
  const secret = validateSecret(kind, input.secret);
  const events = [...new Set(input.events ?? DEFAULT_EVENTS)];
  if (events.length === 0) fail('events', 'choose at least one event (default: DOWN, UP)');
  const remindEveryMinutes = input.remindEveryMinutes ?? null;
  if (remindEveryMinutes !== null)
    checkInteger('remindEveryMinutes', remindEveryMinutes, CHANNEL_LIMITS.remindEveryMinutes);
  const groupWindowSeconds = input.groupWindowSeconds ?? 0;
  checkInteger('groupWindowSeconds', groupWindowSeconds, CHANNEL_LIMITS.groupWindowSeconds);
  const rateLimitPerMinute = input.rateLimitPerMinute ?? 30;
  checkInteger('rateLimitPerMinute', rateLimitPerMinute, CHANNEL_LIMITS.rateLimitPerMinute);
  return {
    name,
    kind,
    url,
    secret,
    email,
    events,
    labels: validateLabels([...(input.labels ?? [])]),
    isDefault: input.isDefault ?? false,
    remindEveryMinutes,
    groupWindowSeconds,
    rateLimitPerMinute,
  };
}

function validateChannelUrl(
  kind: ChannelKind,
  raw: string | null,
  checkUrl: (url: string) => string | null,
): string | null {
  if (kind === 'EMAIL') {
    if (raw !== null) fail('url', 'EMAIL channels take no url; set email { smtpHost, ... }');
    return null;
  }
  if (raw === null) {
    if (kind === 'PAGERDUTY') return PAGERDUTY_EVENTS_URL;
    fail('url', `a ${kind} channel needs the URL to POST to`);
  }
  const url = raw.trim();
  if (url.length > CHANNEL_LIMITS.urlLength) fail('url', `must be at most ${CHANNEL_LIMITS.urlLength} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail('url', 'must be an absolute http:// or https:// URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail('url', 'must be an http:// or https:// URL');
  if (!URL_KINDS.has(kind) && kind !== 'PAGERDUTY') fail('url', `${kind} channels take no url`);
  const blocked = checkUrl(url);
  if (blocked !== null) fail('url', blocked);
  return url;
}

function validateSecret(kind: ChannelKind, secret: string | null | undefined): string | null | undefined {
  if (secret === undefined || secret === null) {
    return secret;
  }
  if (secret === '') {
    if (kind === 'PAGERDUTY') fail('secret', 'a PAGERDUTY channel needs its routing key');
    return null;
  }
  checkLength('secret', secret, CHANNEL_LIMITS.secretLength);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\x00-\x1f\x7f]/.test(secret)) fail('secret', 'must not contain control characters');
  checkWellFormed('secret', secret);
  return secret;
}

function rejectEmail(email: ChannelInput['email']): null {
  if (email) fail('email', 'only EMAIL channels take email options');
  return null;
}

function validateEmail(email: ChannelInput['email'] | null, checkUrl: (url: string) => string | null): EmailOptions {
  if (!email) fail('email', 'an EMAIL channel needs email { smtpHost, from, to }');
  const smtpHost = email.smtpHost.trim();
  if (!HOSTNAME.test(smtpHost)) fail('email.smtpHost', `"${smtpHost.slice(0, 60)}" is not a host name or address`);
  const blocked = checkUrl(
    `smtp://${smtpHost.includes(':') && !smtpHost.startsWith('[') ? `[${smtpHost}]` : smtpHost}`,
  );
  if (blocked !== null) fail('email.smtpHost', blocked);
  const smtpPort = email.smtpPort ?? 587;
  checkInteger('email.smtpPort', smtpPort, { min: 1, max: 65_535 });
  const tls = (email.tls ?? 'starttls').toLowerCase();
  if (!(SMTP_TLS_MODES as readonly string[]).includes(tls)) fail('email.tls', 'must be starttls, tls or none');
  const username = email.username?.trim() || null;
  if (username !== null) checkLength('email.username', username, { min: 1, max: 256 });
  const from = email.from.trim();
  checkAddress('email.from', from);
  if (email.to.length === 0) fail('email.to', 'name at least one recipient');
  if (email.to.length > CHANNEL_LIMITS.recipients) fail('email.to', `at most ${CHANNEL_LIMITS.recipients} recipients`);
  const to = email.to.map((address, i) => {
    const trimmed = address.trim();
    checkAddress(`email.to[${i}]`, trimmed);
    return trimmed;
  });
  return { smtpHost, smtpPort, tls: tls as SmtpTlsMode, username, from, to: [...new Set(to)] };
}

function checkAddress(field: string, address: string): void {
  if (address.length > 254 || !EMAIL_ADDRESS.test(address))
    fail(field, `"${address.slice(0, 60)}" is not an email address`);
}

/** What a channel shows instead of its settings: never a secret, never a URL path (Slack's holds one). */
export function channelTarget(kind: ChannelKind, url: string | null, email: EmailOptions | null): string {
  if (kind === 'EMAIL' && email) return `smtp://${email.smtpHost}:${email.smtpPort} → ${email.to.join(', ')}`;
  if (!url) return '';
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
