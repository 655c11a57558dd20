import { describe, expect, it } from 'vitest';
import { downStatuses, slaReport } from '../../src/history/sla.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 30);
const minutesAgo = (m: number) => new Date(NOW - m * 60_000);

// UP for the whole window but for 20 minutes UNREACHABLE and 10 minutes DOWN, both within the last hour.
const timeline = {
  atStart: 'UP' as const,
  changes: [
    { at: minutesAgo(50), current: 'UNREACHABLE' as const },
    { at: minutesAgo(30), current: 'UP' as const },
    { at: minutesAgo(20), current: 'DOWN' as const },
    { at: minutesAgo(10), current: 'UP' as const },
  ],
};

describe('SLA: what UNREACHABLE time spends (SLA_UNREACHABLE_IS_DOWN)', () => {
  it('counts as down by default: the service was unavailable to its own users', () => {
    const report = slaReport(0.999, 30 * DAY_MS, NOW, timeline, downStatuses(true));
    expect(report.downtimeSeconds).toBe(1_800);
    expect(report.allowedDowntimeSeconds).toBe(2_592);
    expect(report.burnRate).toBeCloseTo(1_800 / 3_600 / 0.001, 6);
  });

  it('is left out when the setting is false: only its own DOWN time spends the budget', () => {
    const report = slaReport(0.999, 30 * DAY_MS, NOW, timeline, downStatuses(false));
    expect(report.downtimeSeconds).toBe(600);
    expect(report.errorBudgetRemaining).toBeCloseTo(1 - 600 / 2_592, 6);
  });
});
