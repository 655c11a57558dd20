import { describe, expect, it } from 'vitest';
import {
  nextBoundary,
  occurrenceAt,
  occurrences,
  validateWindowTimes,
  type WindowTimes,
} from '../../src/maintenance/occurrences.js';

const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);

describe('maintenance window occurrences', () => {
  // Sundays 04:00-06:00 in New York; daylight saving starts 2026-03-08 and ends 2026-11-01.
  const weekly: WindowTimes = {
    startsAt: at('2026-03-01T09:00:00Z'), // 04:00 EST
    endsAt: at('2026-03-01T11:00:00Z'),
    recurrence: 'FREQ=WEEKLY;BYDAY=SU',
    timezone: 'America/New_York',
  };

  it('keeps a weekly window at its wall-clock time across daylight-saving changes', () => {
    const spring = occurrences(weekly, at('2026-02-28T00:00:00Z'), 3);
    expect(spring.map((o) => [iso(o.start), iso(o.end)])).toEqual([
      ['2026-03-01T09:00:00.000Z', '2026-03-01T11:00:00.000Z'], // 04:00 EST
      ['2026-03-08T08:00:00.000Z', '2026-03-08T10:00:00.000Z'], // 04:00 EDT
      ['2026-03-15T08:00:00.000Z', '2026-03-15T10:00:00.000Z'],
    ]);
    const autumn = occurrences(weekly, at('2026-10-24T00:00:00Z'), 2);
    expect(autumn.map((o) => iso(o.start))).toEqual([
      '2026-10-25T08:00:00.000Z', // 04:00 EDT
      '2026-11-01T09:00:00.000Z', // 04:00 EST, the day the clocks go back
    ]);
  });

  it('is in force exactly from its start to its end, to the second', () => {
    expect(occurrenceAt(weekly, at('2026-03-08T07:59:59Z'))).toBeNull();
    expect(iso(occurrenceAt(weekly, at('2026-03-08T08:00:00Z'))!.start)).toBe('2026-03-08T08:00:00.000Z');
    expect(occurrenceAt(weekly, at('2026-03-08T09:59:59Z'))).not.toBeNull();
    expect(occurrenceAt(weekly, at('2026-03-08T10:00:00Z'))).toBeNull();
    expect(iso(nextBoundary(weekly, at('2026-03-08T07:00:00Z'))!)).toBe('2026-03-08T08:00:00.000Z');
    expect(iso(nextBoundary(weekly, at('2026-03-08T08:00:00Z'))!)).toBe('2026-03-08T10:00:00.000Z');
    expect(iso(nextBoundary(weekly, at('2026-03-08T10:00:00Z'))!)).toBe('2026-03-15T08:00:00.000Z');
  });

  it('moves a wall-clock time skipped by the change forward by the gap', () => {
    // 02:30 does not exist in New York on 2026-03-08: the clocks jump from 02:00 to 03:00.
    const skipped: WindowTimes = {
      ...weekly,
      startsAt: at('2026-03-01T07:30:00Z'),
      endsAt: at('2026-03-01T08:00:00Z'),
    };
    expect(occurrences(skipped, at('2026-03-02T00:00:00Z'), 1).map((o) => iso(o.start))).toEqual([
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
    ]);
  });

  it('lists the occurrence in force first, then the next ones', () => {
    const list = occurrences(weekly, at('2026-03-08T09:00:00Z'), 2);
    expect(list.map((o) => iso(o.start))).toEqual(['2026-03-08T08:00:00.000Z', '2026-03-15T08:00:00.000Z']);
    expect(occurrences(weekly, at('2026-03-08T09:00:00Z'), 5, at('2026-03-20T00:00:00Z'))).toHaveLength(2);
  });

  it('has one occurrence when it does not repeat', () => {
    const once: WindowTimes = { ...weekly, recurrence: null };
    expect(occurrences(once, at('2026-02-01T00:00:00Z'), 5)).toEqual([{ start: once.startsAt, end: once.endsAt }]);
    expect(occurrences(once, once.endsAt, 5)).toEqual([]);
    expect(nextBoundary(once, once.endsAt)).toBeNull();
  });

  it('refuses bad times, naming the field', () => {
    expect(validateWindowTimes(weekly)).toBeNull();
    expect(validateWindowTimes({ ...weekly, endsAt: weekly.startsAt })?.field).toBe('endsAt');
    expect(validateWindowTimes({ ...weekly, timezone: 'Mars/Olympus' })?.field).toBe('timezone');
    expect(validateWindowTimes({ ...weekly, recurrence: 'FREQ=SOMETIMES' })?.field).toBe('recurrence');
    expect(validateWindowTimes({ ...weekly, recurrence: 'BYDAY=SU' })?.message).toBe('FREQ is required');
    expect(validateWindowTimes({ ...weekly, recurrence: 'FREQ=MINUTELY' })?.field).toBe('recurrence');
    expect(validateWindowTimes({ ...weekly, recurrence: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY' })?.field).toBe(
      'recurrence',
    );
  });
});
