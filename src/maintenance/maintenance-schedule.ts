import type { MaintenanceRef } from '../checks/judge.js';
import { type Occurrence, occurrences } from './occurrences.js';
import type { MaintenanceWindowRow } from './window-store.js';

/** The longest a timer sleeps before looking again (a clock that jumps is noticed within this). */
const MAX_SLEEP_MS = 60_000;

export interface MaintenanceScheduleOptions {
  now: () => Date;
  /** The window in force for a service changed (null: none any more); called at once, in order. */
  onChange: (serviceId: string, window: MaintenanceRef | null) => void;
}

/**
 * Which maintenance window is in force for which service, in memory, on one timer armed for the
 * next start or end of any window (computed from its occurrences, never by polling a database).
 * Every replica keeps its own, fed with the same windows.
 */
export interface MaintenanceSchedule {
  /** Replaces every window (start-up, resync). */
  setWindows(rows: readonly MaintenanceWindowRow[]): void;
  upsertWindow(row: MaintenanceWindowRow): void;
  removeWindow(id: string): void;
  /** A service and its labels (windows apply by id and by label). */
  defineService(serviceId: string, labels: readonly string[]): void;
  removeService(serviceId: string): void;
  window(id: string): MaintenanceWindowRow | undefined;
  windows(): MaintenanceWindowRow[];
  /** The window in force for a service now, if any. */
  inForce(serviceId: string): MaintenanceRef | null;
  /** Whether the window is in force now. */
  isActive(windowId: string): boolean;
  /** Services the window applies to (named, or by label), known to this process. */
  servicesOf(row: Pick<MaintenanceWindowRow, 'serviceIds' | 'labels'>): string[];
  /** Looks at the clock now: windows that started or ended take effect, and the timer is re-armed. */
  evaluate(): void;
  /** Reports the window in force (or none) for every known service, then evaluates on time from now on. */
  start(): void;
  stop(): void;
}

interface Entry {
  row: MaintenanceWindowRow;
  /** The occurrence in force, or the next one (null: none any more). */
  occurrence: Occurrence | null;
  /** When `occurrence` stops telling the truth: its start (not in force yet) or its end. */
  validUntil: number;
}

export function createMaintenanceSchedule(options: MaintenanceScheduleOptions): MaintenanceSchedule {
  const { now, onChange } = options;
  const entries = new Map<string, Entry>();
  const labelsOf = new Map<string, readonly string[]>();
  /** serviceId -> id of the window in force. */
  const inForce = new Map<string, string>();
  let timer: NodeJS.Timeout | null = null;
  let started = false;

  const refresh = (entry: Entry, t: number) => {
    if (t < entry.validUntil) return;
    const [next] = occurrences(entry.row, new Date(t), 1);
    entry.occurrence = next ?? null;
    entry.validUntil = !next
      ? Number.POSITIVE_INFINITY
      : next.start.getTime() > t
        ? next.start.getTime()
        : next.end.getTime();
  };
  const active = (entry: Entry, t: number) =>
    entry.occurrence !== null && entry.occurrence.start.getTime() <= t && t < entry.occurrence.end.getTime();
  const applies = (row: MaintenanceWindowRow, serviceId: string) =>
    row.serviceIds.includes(serviceId) || (labelsOf.get(serviceId) ?? []).some((l) => row.labels.includes(l));

  /** The window in force for a service: of several, the one that started first (then by name). */
  const windowFor = (serviceId: string, t: number): Entry | null => {
    let best: Entry | null = null;
    for (const entry of entries.values()) {
      if (!active(entry, t) || !applies(entry.row, serviceId)) continue;
      if (
        !best ||
        entry.occurrence!.start < best.occurrence!.start ||
        (entry.occurrence!.start.getTime() === best.occurrence!.start.getTime() && entry.row.name < best.row.name)
      )
        best = entry;
    }
    return best;
  };
  const ref = (entry: Entry | null): MaintenanceRef | null =>
    entry ? { id: entry.row.id, name: entry.row.name } : null;

  const settle = (serviceId: string, t: number) => {
    const entry = windowFor(serviceId, t);
    const was = inForce.get(serviceId) ?? null;
    const is = entry?.row.id ?? null;
    if (was === is) return;
    if (is) inForce.set(serviceId, is);
    else inForce.delete(serviceId);
    if (started) onChange(serviceId, ref(entry));
  };

  const arm = (t: number) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!started) return;
    let next = Number.POSITIVE_INFINITY;
    for (const entry of entries.values()) next = Math.min(next, entry.validUntil);
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, next - t));
    timer = setTimeout(evaluate, delay);
    timer.unref();
  };

  function evaluate() {
    const t = now().getTime();
    for (const entry of entries.values()) refresh(entry, t);
    for (const serviceId of labelsOf.keys()) settle(serviceId, t);
    arm(t);
  }

  const put = (row: MaintenanceWindowRow) =>
    entries.set(row.id, { row, occurrence: null, validUntil: Number.NEGATIVE_INFINITY });

  return {
    setWindows(rows) {
      entries.clear();
      for (const row of rows) put(row);
      evaluate();
    },
    upsertWindow(row) {
      put(row);
      evaluate();
    },
    removeWindow(id) {
      if (entries.delete(id)) evaluate();
    },
    defineService(serviceId, labels) {
      labelsOf.set(serviceId, labels);
      settle(serviceId, now().getTime());
    },
    removeService(serviceId) {
      labelsOf.delete(serviceId);
      inForce.delete(serviceId);
    },
    window: (id) => entries.get(id)?.row,
    windows: () => [...entries.values()].map((e) => e.row),
    inForce(serviceId) {
      const id = inForce.get(serviceId);
      return id ? ref(entries.get(id) ?? null) : null;
    },
    isActive(windowId) {
      const entry = entries.get(windowId);
      return entry !== undefined && active(entry, now().getTime());
    },
    servicesOf(row) {
      const out: string[] = [];
      for (const [serviceId, labels] of labelsOf)
        if (row.serviceIds.includes(serviceId) || labels.some((l) => row.labels.includes(l))) out.push(serviceId);
      return out;
    },
    evaluate,
    start() {
      started = true;
      const t = now().getTime();
      for (const entry of entries.values()) refresh(entry, t);
      for (const serviceId of labelsOf.keys()) {
        const entry = windowFor(serviceId, t);
        if (entry) inForce.set(serviceId, entry.row.id);
        else inForce.delete(serviceId);
        onChange(serviceId, ref(entry));
      }
      arm(t);
    },
    stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
