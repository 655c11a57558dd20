import { DateTime, IANAZone } from 'luxon';
import * as rruleModule from 'rrule';

// rrule ships CommonJS whose exports Node's ESM loader cannot detect: there they sit on `default`.
const { Frequency, RRule } =
  'RRule' in rruleModule ? rruleModule : (rruleModule as unknown as { default: typeof rruleModule }).default;

/** When a maintenance window is in force: once, or repeating its span by an RFC 5545 RRULE. */
export interface WindowTimes {
  startsAt: Date;
  endsAt: Date;
  /** RRULE parts, e.g. "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"; null = once. */
  recurrence: string | null;
  /** IANA time zone the rule's wall-clock times are in. */
  timezone: string;
}

export interface Occurrence {
  start: Date;
  end: Date;
}

export interface TimesProblem {
  field: 'startsAt' | 'endsAt' | 'recurrence' | 'timezone';
  message: string;
}

/** Finer rules would make thousands of windows a day; nobody plans maintenance that way. */
const FINEST_FREQUENCY = Frequency.HOURLY;

/** The first problem with a window's times, or null. */
export function validateWindowTimes(times: WindowTimes): TimesProblem | null {
  if (Number.isNaN(times.startsAt.getTime())) return { field: 'startsAt', message: 'not a date' };
  if (!(times.endsAt.getTime() > times.startsAt.getTime()))
    return { field: 'endsAt', message: 'must be after startsAt' };
  if (!IANAZone.isValidZone(times.timezone))
    return { field: 'timezone', message: `not an IANA time zone: ${JSON.stringify(times.timezone.slice(0, 64))}` };
  if (times.recurrence !== null) {
    if (/DTSTART|TZID/i.test(times.recurrence))
      return {
        field: 'recurrence',
        message: 'give the rule only (FREQ=...); startsAt and timezone say when it starts',
      };
    let options: ReturnType<typeof RRule.parseString>;
    try {
      options = RRule.parseString(times.recurrence.replace(/^RRULE:/i, ''));
    } catch (err) {
      return { field: 'recurrence', message: `not an RRULE: ${(err as Error).message}` };
    }
    if (options.freq === undefined) return { field: 'recurrence', message: 'FREQ is required' };
    if (options.freq > FINEST_FREQUENCY) return { field: 'recurrence', message: 'FREQ must be HOURLY or coarser' };
  }
  return null;
}

/**
 * Occurrences whose end is after `from`, oldest first, at most `limit` of them (and, with `until`,
 * only those starting before it). The rule runs on wall-clock times in the window's zone ("floating"
 * times, as rrule computes them without a TZID) and each is then placed in the zone by luxon, so a
 * weekly 02:00 stays 02:00 across daylight-saving changes; a wall-clock time that does not exist that
 * day (skipped by the change) moves forward by the gap, as luxon does. The span is the absolute
 * duration of startsAt..endsAt.
 */
export function occurrences(times: WindowTimes, from: Date, limit: number, until?: Date): Occurrence[] {
  const spanMs = times.endsAt.getTime() - times.startsAt.getTime();
  const fromMs = from.getTime();
  const untilMs = until?.getTime() ?? Number.POSITIVE_INFINITY;
  if (times.recurrence === null) {
    if (times.endsAt.getTime() <= fromMs || times.startsAt.getTime() >= untilMs || limit < 1) return [];
    return [{ start: times.startsAt, end: times.endsAt }];
  }
  const zone = times.timezone;
  const options = RRule.parseString(times.recurrence.replace(/^RRULE:/i, ''));
  const rule = new RRule({ ...options, dtstart: toFloating(times.startsAt, zone) });
  // Wall-clock times earlier than this cannot end after `from` (a day of slack for any offset change).
  const skipBefore = toFloating(new Date(fromMs - spanMs - 86_400_000), zone).getTime();
  const out: Occurrence[] = [];
  rule.all((floating) => {
    if (floating.getTime() < skipBefore) return true;
    const start = fromFloating(floating, zone);
    if (start.getTime() >= untilMs) return false;
    const end = new Date(start.getTime() + spanMs);
    if (end.getTime() > fromMs) out.push({ start, end });
    return out.length < limit;
  });
  return out;
}

/** The occurrence in force at `at` ([start, end)), if any. */
export function occurrenceAt(times: WindowTimes, at: Date): Occurrence | null {
  const [next] = occurrences(times, at, 1);
  return next && next.start.getTime() <= at.getTime() ? next : null;
}

/** The next instant after `at` when the window starts or ends (null: never again), for a timer. */
export function nextBoundary(times: WindowTimes, at: Date): Date | null {
  const [next] = occurrences(times, at, 1);
  if (!next) return null;
  return next.start.getTime() > at.getTime() ? next.start : next.end;
}

/** The wall-clock time of an instant in `zone`, as a Date whose UTC fields carry it. */
function toFloating(instant: Date, zone: string): Date {
  const local = DateTime.fromJSDate(instant, { zone });
  return new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
}

/** The instant at which the wall clock in `zone` shows the UTC fields of `floating`. */
function fromFloating(floating: Date, zone: string): Date {
  return DateTime.fromObject(
    {
      year: floating.getUTCFullYear(),
      month: floating.getUTCMonth() + 1,
      day: floating.getUTCDate(),
      hour: floating.getUTCHours(),
      minute: floating.getUTCMinutes(),
      second: floating.getUTCSeconds(),
    },
    { zone },
  ).toJSDate();
}
