import {
  CHANNEL_KINDS,
  type ChannelDefinition,
  type ChannelInput,
  type ChannelKind,
  type EmailOptions,
  NOTIFICATION_EVENTS,
  type NotificationEvent,
  PAGERDUTY_EVENTS_URL,
  SMTP_TLS_MODES,
} from '../notify/channel-input.js';
import type { ChannelRow } from '../notify/channels.js';
import { bool, choice, int, optInt, optStr, type Shape, str, strings } from './shape.js';
import type { Spec } from './spec.js';

export const CHANNEL_SHAPE: Shape = {
  type: 'object',
  fields: {
    name: str,
    kind: choice(CHANNEL_KINDS),
    url: optStr,
    secret: optStr,
    email: {
      type: 'object',
      nullable: true,
      fields: {
        smtpHost: str,
        smtpPort: optInt,
        tls: choice(SMTP_TLS_MODES, true),
        username: optStr,
        from: str,
        to: { type: 'list', of: str },
      },
      required: ['smtpHost', 'from', 'to'],
    },
    events: { type: 'list', of: choice(NOTIFICATION_EVENTS), nullable: true },
    labels: strings,
    isDefault: { ...bool, nullable: true } as Shape,
    remindEveryMinutes: optInt,
    groupWindowSeconds: optInt,
    rateLimitPerMinute: { ...int, nullable: true } as Shape,
  },
  required: ['name', 'kind'],
};

export const CHANNEL_FIELD_ORDER: readonly string[] = Object.keys(
  CHANNEL_SHAPE.type === 'object' ? CHANNEL_SHAPE.fields : {},
);

/** Kinds whose url is a secret (a Slack, Discord or Teams webhook's path is its credential; ntfy's topic). */
const SECRET_URL_KINDS = new Set<ChannelKind>(['WEBHOOK', 'SLACK', 'DISCORD', 'TEAMS', 'NTFY']);

/** The fields of a channel that are secrets: never exported in clear. */
export function secretFieldsOf(kind: ChannelKind): readonly ('url' | 'secret')[] {
  return SECRET_URL_KINDS.has(kind) ? ['url', 'secret'] : ['secret'];
}

export function channelInputOf(object: Record<string, unknown>): ChannelInput {
  const { $comment: _comment, ...input } = object;
  return input as unknown as ChannelInput;
}

const DEFAULTS = { events: ['DOWN', 'UP'], groupWindowSeconds: 0, rateLimitPerMinute: 30, smtpPort: 587 };

/** A channel as a document writes it, defaults left out, its secret never (see secretFieldsOf for the url). */
export function channelSpec(def: Omit<ChannelDefinition, 'secret'>): Spec {
  const spec: Spec = { name: def.name, kind: def.kind };
  if (def.url !== null && !(def.kind === 'PAGERDUTY' && def.url === PAGERDUTY_EVENTS_URL)) spec.url = def.url;
  if (def.email) spec.email = emailSpec(def.email);
  const events = [...def.events].sort((a, b) => NOTIFICATION_EVENTS.indexOf(a) - NOTIFICATION_EVENTS.indexOf(b));
  if (JSON.stringify(events) !== JSON.stringify(DEFAULTS.events)) spec.events = events;
  if (def.labels.length > 0) spec.labels = def.labels;
  if (def.isDefault) spec.isDefault = true;
  if (def.remindEveryMinutes !== null) spec.remindEveryMinutes = def.remindEveryMinutes;
  if (def.groupWindowSeconds !== DEFAULTS.groupWindowSeconds) spec.groupWindowSeconds = def.groupWindowSeconds;
  if (def.rateLimitPerMinute !== DEFAULTS.rateLimitPerMinute) spec.rateLimitPerMinute = def.rateLimitPerMinute;
  return spec;
}

function emailSpec(email: EmailOptions): Spec {
  return {
    smtpHost: email.smtpHost,
    ...(email.smtpPort === DEFAULTS.smtpPort ? {} : { smtpPort: email.smtpPort }),
    ...(email.tls === 'starttls' ? {} : { tls: email.tls }),
    ...(email.username === null ? {} : { username: email.username }),
    from: email.from,
    to: email.to,
  };
}

/** A stored channel as its definition (without the secret). */
export function storedChannel(row: ChannelRow): Omit<ChannelDefinition, 'secret'> {
  return {
    name: row.name,
    kind: row.kind,
    url: row.url,
    email: (row.email as EmailOptions | null) ?? null,
    events: row.events as NotificationEvent[],
    labels: row.labels,
    isDefault: row.isDefault,
    remindEveryMinutes: row.remindEveryMinutes,
    groupWindowSeconds: row.groupWindowSeconds,
    rateLimitPerMinute: row.rateLimitPerMinute,
  };
}
