import { checkLength, checkWellFormed, fail, validateLabels } from '../registry/validation.js';
import { validateWindowTimes, type WindowTimes } from './occurrences.js';

export const WINDOW_LIMITS = {
  name: { min: 1, max: 100 },
  recurrence: 500,
  services: 500,
} as const;

/** A maintenance window as an operator gives it. */
export interface MaintenanceWindowInput {
  name: string;
  startsAt: Date;
  endsAt: Date;
  recurrence?: string | null;
  timezone?: string | null;
  serviceIds?: string[] | null;
  labels?: string[] | null;
}

export interface ValidWindow extends WindowTimes {
  name: string;
  serviceIds: string[];
  labels: string[];
}

/**
 * Checks a whole window definition; every problem is a ValidationError naming its field (a bad
 * RRULE names `recurrence`, an unknown zone `timezone`, an end not after the start `endsAt`).
 * Whether the services exist is the store's to check.
 */
export function validateWindow(input: MaintenanceWindowInput): ValidWindow {
  const name = input.name.trim();
  checkLength('name', name, WINDOW_LIMITS.name);
  checkWellFormed('name', name);
  if (/\p{Cc}/u.test(name)) fail('name', 'must not hold control characters');
  const recurrence = input.recurrence?.trim() || null;
  if (recurrence !== null && recurrence.length > WINDOW_LIMITS.recurrence)
    fail('recurrence', `at most ${WINDOW_LIMITS.recurrence} characters`);
  // An RRULE is printable ASCII; anything else (NUL among it) would only reach the database.
  if (recurrence !== null && !/^[\x20-\x7e]+$/.test(recurrence))
    fail('recurrence', 'must be printable ASCII, e.g. FREQ=WEEKLY;BYDAY=SU');
  const times: WindowTimes = {
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    recurrence,
    timezone: input.timezone?.trim() || 'UTC',
  };
  const problem = validateWindowTimes(times);
  if (problem) fail(problem.field, problem.message);
  const serviceIds = [...new Set(input.serviceIds ?? [])];
  if (serviceIds.length > WINDOW_LIMITS.services) fail('serviceIds', `at most ${WINDOW_LIMITS.services} services`);
  const labels = validateLabels(input.labels ?? []);
  return { ...times, name, serviceIds, labels };
}
