const HOUR_MS = 60 * 60 * 1000;

export const UPTIME_WINDOWS = {
  LAST_HOUR: HOUR_MS,
  LAST_24_HOURS: 24 * HOUR_MS,
  LAST_7_DAYS: 7 * 24 * HOUR_MS,
  LAST_30_DAYS: 30 * 24 * HOUR_MS,
} as const;

export type UptimeWindow = keyof typeof UPTIME_WINDOWS;
