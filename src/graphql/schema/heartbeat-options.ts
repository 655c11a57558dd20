import { HEARTBEAT_DEFAULTS, type HeartbeatOptions } from '../../probe/heartbeat/schedule.js';
import { builder } from '../builder.js';

export const HeartbeatOptionsObject = builder.objectRef<HeartbeatOptions>('HeartbeatOptions').implement({
  description: 'HEARTBEAT checks: when the service is expected to call its push URL.',
  fields: (t) => ({
    periodSeconds: t.exposeInt('periodSeconds', {
      nullable: true,
      description: 'Expected every periodSeconds, or on the cron schedule.',
    }),
    cron: t.exposeString('cron', {
      nullable: true,
      description: '5-field cron expression (minute hour day-of-month month day-of-week), read in `timezone`.',
    }),
    timezone: t.exposeString('timezone', { nullable: true, description: 'IANA time zone of the cron expression.' }),
    graceSeconds: t.exposeInt('graceSeconds', {
      description: 'How late a ping may be before the service is DOWN (HEARTBEAT_MISSED).',
    }),
  }),
});

export const HeartbeatOptionsInput = builder.inputType('HeartbeatOptionsInput', {
  description: 'Exactly one of periodSeconds and cron.',
  fields: (t) => ({
    periodSeconds: t.int({ description: 'Expected every periodSeconds (1 s to 1 year).' }),
    cron: t.string({ description: '5-field cron expression, e.g. "0 2 * * *" (every day at 02:00 in `timezone`).' }),
    timezone: t.string({
      defaultValue: HEARTBEAT_DEFAULTS.timezone,
      description: 'IANA time zone, e.g. Europe/Berlin.',
    }),
    graceSeconds: t.int({ defaultValue: HEARTBEAT_DEFAULTS.graceSeconds, description: 'Default 60; 0 to 30 days.' }),
  }),
});

/** The full push URL with its secret: PUBLIC_URL (or the request's origin) + /push/{id}/{secret}. */
export function pushUrlOf(base: string | null | undefined, serviceId: string, token: string): string {
  const origin = (base ?? '').replace(/\/+$/, '');
  return `${origin}/push/${serviceId}/${token}`;
}
