import type { MaintenanceRef } from '../checks/judge.js';
import type { MonitorEvents } from '../checks/monitor-topics.js';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { DbClient, RowMarks } from '../registry/registry.js';
import { createMaintenanceSchedule, type MaintenanceSchedule } from './maintenance-schedule.js';
import { occurrences } from './occurrences.js';
import type { MaintenanceWindowInput } from './window-input.js';
import { createWindowStore, type MaintenanceWindowRow } from './window-store.js';

export interface MaintenanceOptions {
  prisma: PrismaClient;
  events: MonitorEvents;
  logger: Logger;
  now: () => Date;
  /** A window started or ended for a service (the monitor shows and reports it). */
  onChange: (serviceId: string, window: MaintenanceRef | null) => void;
  guard?: <T>(operation: () => Promise<T>) => Promise<T>;
  /** True while the config file's windows may not be changed through the API (CONFIG_FILE, not merge). */
  protectManaged?: () => boolean;
  /** How often the windows are reloaded from the database when events are shared (a lost event). */
  resyncEveryMs?: number;
}

/** Window writes inside a caller's transaction: in force, and announced, only on `committed()`. */
export interface MaintenanceBatch {
  create(input: MaintenanceWindowInput, marks?: RowMarks): Promise<MaintenanceWindowRow>;
  update(id: string, input: MaintenanceWindowInput, marks?: RowMarks): Promise<MaintenanceWindowRow>;
  delete(id: string): Promise<MaintenanceWindowRow>;
  committed(): void;
}

export interface Maintenance {
  batch(tx: DbClient): MaintenanceBatch;
  create(input: MaintenanceWindowInput): Promise<MaintenanceWindowRow>;
  update(id: string, input: MaintenanceWindowInput): Promise<MaintenanceWindowRow>;
  delete(id: string): Promise<MaintenanceWindowRow>;
  /** Every window (or those in force), from memory. */
  list(activeOnly?: boolean): MaintenanceWindowRow[];
  get(id: string): MaintenanceWindowRow | undefined;
  isActive(windowId: string): boolean;
  /** Starts of the next `count` occurrences, the one in force first. */
  upcoming(row: MaintenanceWindowRow, count: number): Date[];
  /** The window in force for a service now. */
  inForce(serviceId: string): MaintenanceRef | null;
  servicesOf(row: MaintenanceWindowRow): string[];
  /** Services as the sync defines and removes them (windows apply by label too). */
  readonly services: Pick<MaintenanceSchedule, 'defineService' | 'removeService'>;
  /** Reads every window from the database (start-up, after a reconnect). */
  load(): Promise<void>;
  /** Looks at the clock now (tests that move an injected clock). */
  evaluate(): void;
  start(): void;
  stop(): void;
}

/**
 * Maintenance windows: stored (window-store.ts), in force on time in every process
 * (maintenance-schedule.ts), and kept in step across replicas by the event bus: a change made here
 * is announced, and the others reload that window.
 */
export function createMaintenance(options: MaintenanceOptions): Maintenance {
  const { events, now } = options;
  const log = options.logger.child({ component: 'maintenance' });
  const store = createWindowStore(options.prisma, { guard: options.guard, protectManaged: options.protectManaged });
  const schedule = createMaintenanceSchedule({ now, onChange: options.onChange });
  let resyncTimer: NodeJS.Timeout | null = null;

  const announce = (row: MaintenanceWindowRow) => {
    events.publish('maintenanceChanged', { serviceId: '', windowId: row.id });
    return row;
  };
  const reloadOne = async (windowId: string) => {
    const row = await store.get(windowId);
    if (row) schedule.upsertWindow(row);
    else schedule.removeWindow(windowId);
  };
  const load = async () => {
    const rows = await store.list();
    schedule.setWindows(rows);
    log.info({ windows: rows.length }, 'maintenance windows loaded');
  };

  events.subscribe('maintenanceChanged', null, ({ windowId }, remote) => {
    if (!remote) return;
    reloadOne(windowId).catch((err: unknown) =>
      log.warn({ err, windowId }, 'could not load a maintenance window changed elsewhere; the next resync will'),
    );
  });
  events.onReset(() => {
    load().catch((err: unknown) => log.warn({ err }, 'maintenance windows reload after reconnect failed'));
  });

  return {
    batch(tx) {
      const inner = store.within(tx);
      const written: { row: MaintenanceWindowRow; deleted: boolean }[] = [];
      const keep = (deleted: boolean) => (row: MaintenanceWindowRow) => {
        written.push({ row, deleted });
        return row;
      };
      return {
        create: (input, marks) => inner.create(input, marks).then(keep(false)),
        update: (id, input, marks) => inner.update(id, input, marks).then(keep(false)),
        delete: (id) => inner.delete(id).then(keep(true)),
        committed() {
          for (const { row, deleted } of written.splice(0)) {
            if (deleted) schedule.removeWindow(row.id);
            else schedule.upsertWindow(row);
            announce(row);
          }
        },
      };
    },
    async create(input) {
      const row = await store.create(input);
      schedule.upsertWindow(row);
      log.info({ windowId: row.id, name: row.name }, 'maintenance window created');
      return announce(row);
    },
    async update(id, input) {
      const row = await store.update(id, input);
      schedule.upsertWindow(row);
      log.info({ windowId: row.id, name: row.name }, 'maintenance window updated');
      return announce(row);
    },
    async delete(id) {
      const row = await store.delete(id);
      schedule.removeWindow(row.id);
      log.info({ windowId: row.id, name: row.name }, 'maintenance window deleted');
      return announce(row);
    },
    list: (activeOnly) =>
      schedule
        .windows()
        .filter((row) => !activeOnly || schedule.isActive(row.id))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    get: (id) => schedule.window(id),
    isActive: (id) => schedule.isActive(id),
    upcoming: (row, count) => occurrences(row, now(), count).map((o) => o.start),
    inForce: (serviceId) => schedule.inForce(serviceId),
    servicesOf: (row) => schedule.servicesOf(row),
    services: schedule,
    load,
    evaluate: () => schedule.evaluate(),
    start() {
      schedule.start();
      if (events.shared && !resyncTimer) {
        resyncTimer = setInterval(() => {
          load().catch((err: unknown) => log.warn({ err }, 'periodic maintenance reload failed'));
        }, options.resyncEveryMs ?? 60_000);
        resyncTimer.unref();
      }
    },
    stop() {
      schedule.stop();
      if (resyncTimer) clearInterval(resyncTimer);
      resyncTimer = null;
    },
  };
}
