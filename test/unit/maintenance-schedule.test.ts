import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CheckOutcome, dependencyJudgement, judge, maintenanceTransition } from '../../src/checks/judge.js';
import { initialState, type ServiceState } from '../../src/checks/service-state.js';
import { createMaintenanceSchedule } from '../../src/maintenance/maintenance-schedule.js';
import type { MaintenanceWindowRow } from '../../src/maintenance/window-store.js';

const window = (row: Partial<MaintenanceWindowRow>): MaintenanceWindowRow => ({
  id: 'w1',
  name: 'weekly',
  startsAt: new Date('2026-03-01T09:00:00Z'),
  endsAt: new Date('2026-03-01T11:00:00Z'),
  recurrence: null,
  timezone: 'UTC',
  labels: [],
  serviceIds: [],
  managedBy: null,
  configRefs: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...row,
});

describe('the maintenance schedule, on a fake clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts and ends a weekly window at its wall-clock times across a daylight-saving change, on its timer', async () => {
    // Sundays 04:00-06:00 in New York; the clocks go forward on 2026-03-08 (EST -> EDT).
    vi.setSystemTime(new Date('2026-02-28T12:00:00Z'));
    const changes: [string, string | null][] = [];
    const schedule = createMaintenanceSchedule({
      now: () => new Date(),
      onChange: (serviceId, w) => changes.push([new Date().toISOString(), w ? `${serviceId} in ${w.name}` : null]),
    });
    schedule.setWindows([window({ recurrence: 'FREQ=WEEKLY;BYDAY=SU', timezone: 'America/New_York', labels: ['db'] })]);
    schedule.defineService('s1', ['db']);
    schedule.defineService('s2', ['web']);
    schedule.start();
    expect(changes).toEqual([
      ['2026-02-28T12:00:00.000Z', null],
      ['2026-02-28T12:00:00.000Z', null],
    ]);
    changes.length = 0;
    // Nothing but the timers moves the schedule: 16 days of fake time, no call to evaluate().
    await vi.advanceTimersByTimeAsync(16 * 86_400_000);
    expect(changes).toEqual([
      ['2026-03-01T09:00:00.000Z', 's1 in weekly'], // 04:00 EST
      ['2026-03-01T11:00:00.000Z', null], // 06:00 EST
      ['2026-03-08T08:00:00.000Z', 's1 in weekly'], // 04:00 EDT: an hour earlier in UTC
      ['2026-03-08T10:00:00.000Z', null],
      ['2026-03-15T08:00:00.000Z', 's1 in weekly'],
      ['2026-03-15T10:00:00.000Z', null],
    ]);
    schedule.stop();
  });

  it('applies a window created while it is in force at once, and a deleted one ends at once', async () => {
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const changes: (string | null)[] = [];
    const schedule = createMaintenanceSchedule({
      now: () => new Date(),
      onChange: (_id, w) => changes.push(w?.id ?? null),
    });
    schedule.defineService('s1', []);
    schedule.start();
    schedule.upsertWindow(window({ serviceIds: ['s1'] }));
    expect(schedule.inForce('s1')).toEqual({ id: 'w1', name: 'weekly' });
    expect(schedule.isActive('w1')).toBe(true);
    schedule.removeWindow('w1');
    expect(changes).toEqual([null, 'w1', null]);
    expect(schedule.inForce('s1')).toBeNull();
    schedule.stop();
  });
});

const pass: CheckOutcome = {
  ok: true,
  degraded: false,
  latencyMs: 10,
  httpStatus: 200,
  reason: null,
  message: null,
  certificateExpiresAt: null,
};
const fail: CheckOutcome = { ...pass, ok: false, httpStatus: 503, reason: 'HTTP_STATUS', message: 'got 503' };
const thresholds = { failureThreshold: 2, successThreshold: 1 };
const ref = { id: 'w1', name: 'db upgrade' };

describe('judging under maintenance', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const up: ServiceState = { ...initialState(false, t(0)), status: 'UP' };

  it('shows MAINTENANCE while the thresholds run underneath, and returns to what the checks say', () => {
    const started = maintenanceTransition(up, ref, t(1));
    expect(started.transition).toMatchObject({ previous: 'UP', current: 'MAINTENANCE' });
    expect(started.state).toMatchObject({ status: 'MAINTENANCE', checkStatus: 'UP', maintenance: 'w1' });
    const once = judge(started.state, fail, thresholds, t(2), { maintenance: ref });
    const twice = judge(once.state, fail, thresholds, t(3), { maintenance: ref });
    expect([once.transition, twice.transition]).toEqual([null, null]);
    expect(twice.state).toMatchObject({ status: 'MAINTENANCE', checkStatus: 'DOWN', consecutiveFailures: 2 });
    const ended = maintenanceTransition(twice.state, null, t(4));
    expect(ended.transition).toMatchObject({
      previous: 'MAINTENANCE',
      current: 'DOWN',
      message: 'maintenance ended: got 503',
    });
    expect(ended.state.status).toBe('DOWN');
    expect(ended.state.checkStatus).toBeUndefined();
    expect(ended.state.maintenance).toBeUndefined();
  });

  it('leaves a paused service PAUSED, and a window already shown unchanged', () => {
    const paused = initialState(true, t(0));
    expect(maintenanceTransition(paused, ref, t(1)).transition).toBeNull();
    expect(maintenanceTransition(paused, ref, t(1)).state.status).toBe('PAUSED');
    const inside = maintenanceTransition(up, ref, t(1)).state;
    expect(maintenanceTransition(inside, ref, t(2))).toEqual({ state: inside, transition: null });
  });

  it('wins over UNREACHABLE, and gives it back when it ends', () => {
    const threshold1 = { failureThreshold: 1, successThreshold: 1 };
    const inside = maintenanceTransition(up, ref, t(1)).state;
    // Failing while its parent is DOWN, during the window: still MAINTENANCE, UNREACHABLE underneath.
    const failed = judge(inside, fail, threshold1, t(2), { rootCause: 'parent', maintenance: ref });
    expect(failed.transition).toBeNull();
    expect(failed.state).toMatchObject({ status: 'MAINTENANCE', checkStatus: 'UNREACHABLE', rootCause: 'parent' });
    // A parent going DOWN later changes only what is underneath.
    const own = judge(inside, fail, threshold1, t(2), { maintenance: ref }).state;
    expect(own.checkStatus).toBe('DOWN');
    const parentDown = dependencyJudgement(own, 'parent', t(3));
    expect(parentDown.transition).toBeNull();
    expect(parentDown.state).toMatchObject({ status: 'MAINTENANCE', checkStatus: 'UNREACHABLE', rootCause: 'parent' });
    const ended = maintenanceTransition(parentDown.state, null, t(4));
    expect(ended.transition).toMatchObject({ previous: 'MAINTENANCE', current: 'UNREACHABLE' });
    expect(ended.state).toMatchObject({ status: 'UNREACHABLE', rootCause: 'parent' });
  });
});
