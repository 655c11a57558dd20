import type { MaintenanceWindowInput, ValidWindow } from '../maintenance/window-input.js';
import { ValidationError } from '../registry/errors.js';
import { optStr, type Shape, str, strings } from './shape.js';
import type { Spec } from './spec.js';

export const WINDOW_SHAPE: Shape = {
  type: 'object',
  fields: {
    name: str,
    startsAt: str,
    endsAt: str,
    recurrence: optStr,
    timezone: optStr,
    services: strings,
    labels: strings,
  },
  required: ['name', 'startsAt', 'endsAt'],
};

export const WINDOW_FIELD_ORDER: readonly string[] = Object.keys(
  WINDOW_SHAPE.type === 'object' ? WINDOW_SHAPE.fields : {},
);

/** An instant as a document gives it: ISO 8601 with a zone, as the API takes it (a zone-less time is ambiguous). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function instantOf(field: 'startsAt' | 'endsAt', text: string): Date {
  const date = new Date(text.trim());
  if (!INSTANT.test(text.trim()) || Number.isNaN(date.getTime())) {
    throw new ValidationError(
      field,
      'must be an ISO 8601 date-time with its offset, e.g. 2026-12-06T02:00:00Z (the recurrence follows timezone)',
    );
  }
  return date;
}

/** A document's window as the windows' input, its services still by name (in `serviceIds`); throws for a bad instant. */
export function windowInputOf(object: Record<string, unknown>): MaintenanceWindowInput {
  const { services, startsAt, endsAt, $comment: _comment, ...rest } = object;
  return {
    ...(rest as unknown as Pick<MaintenanceWindowInput, 'name' | 'recurrence' | 'timezone' | 'labels'>),
    startsAt: instantOf('startsAt', startsAt as string),
    endsAt: instantOf('endsAt', endsAt as string),
    serviceIds: (services as string[] | null | undefined) ?? [],
  };
}

/** A window as a document writes it; `serviceNames` sorted, so the order they were named in does not count. */
export function windowSpec(window: Omit<ValidWindow, 'serviceIds'>, serviceNames: readonly string[]): Spec {
  return {
    name: window.name,
    startsAt: window.startsAt.toISOString(),
    endsAt: window.endsAt.toISOString(),
    ...(window.recurrence === null ? {} : { recurrence: window.recurrence }),
    ...(window.timezone === 'UTC' ? {} : { timezone: window.timezone }),
    ...(serviceNames.length > 0 ? { services: [...serviceNames].sort() } : {}),
    ...(window.labels.length > 0 ? { labels: window.labels } : {}),
  };
}
