import { Cron } from 'croner';

/** When a passive (HEARTBEAT) service is expected to call in: every periodSeconds, or on a cron schedule. */
export interface HeartbeatOptions {
  /** Exactly one of periodSeconds and cron is set. */
  periodSeconds: number | null;
  /** 5-field cron (minute hour day-of-month month day-of-week), read in `timezone`. */
  cron: string | null;
  /** IANA time zone of the cron expression (and of the times in messages). */
  timezone: string;
  /** How long after the expected time a ping may still arrive before the service is DOWN. */
  graceSeconds: number;
}

export const HEARTBEAT_DEFAULTS = { timezone: 'UTC', graceSeconds: 60 } as const;

export interface HeartbeatSchedule {
  /** The first expected ping strictly after `after`, or null when the schedule never fires again. */
  next(after: Date): Date | null;
  /** For messages: "every 1 h", or "at 02:00 Europe/Berlin (cron "0 2 * * *")". */
  describe(expectedAt: Date | null): string;
}

/** A schedule from options the registry validated (a bad cron or zone throws here). */
export function heartbeatSchedule(options: HeartbeatOptions): HeartbeatSchedule {
  if (options.periodSeconds !== null) {
    const periodMs = options.periodSeconds * 1000;
    const every = `every ${formatDuration(options.periodSeconds)}`;
    return { next: (after) => new Date(after.getTime() + periodMs), describe: () => every };
  }
  const pattern = options.cron ?? '';
  const cron = cronOf(pattern, options.timezone);
  return {
    // croner counts from the next whole minute; a ping exactly on the minute expects the next one.
    next: (after) => cron.nextRun(after),
    describe: (expectedAt) =>
      expectedAt === null
        ? `cron "${pattern}" ${options.timezone}`
        : `at ${formatTime(expectedAt, options.timezone)} by cron "${pattern}"`,
  };
}

/** Croner in 5-field mode (seconds and years are not part of a heartbeat's schedule), never started. */
export function cronOf(pattern: string, timezone: string): Cron {
  return new Cron(pattern, { timezone, mode: '5-part', paused: true });
}

/** Null, or why the cron expression cannot be used (it does not parse, or it never fires). */
export function cronProblem(pattern: string, timezone: string, from: Date): string | null {
  let cron: Cron;
  try {
    cron = cronOf(pattern, timezone);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
    return `"${pattern}" is not a 5-field cron expression (minute hour day month weekday): ${why}`;
  }
  if (cron.nextRun(from) === null) return `"${pattern}" never fires (no such date)`;
  return null;
}

/** True for a time zone name the runtime knows (IANA names, e.g. Europe/Berlin, or UTC). */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** "45 s", "5 min", "1 h", "1 h 30 min", "2 d". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', s > 0 ? `${s} s` : ''].filter(Boolean).join(' ');
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-12-03 02:00 UTC", in the given zone. */
export function formatTime(at: Date, timezone: string): string {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timezone}`;
}
