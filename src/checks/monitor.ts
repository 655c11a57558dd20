import type { Logger } from '../logger.js';
import type { ProbeResult, Prober } from '../probe/prober.js';
import { createScheduler } from '../schedule/scheduler.js';
import type { CheckDefinition } from './check-definition.js';
import { adoptedDueAt, firstDueAt } from './check-phase.js';
import { createDependencies, type Dependencies } from './dependencies.js';
import { type HeartbeatPing, pingEffect } from './heartbeat-ping.js';
import { createHeartbeatTracker } from './heartbeat-tracker.js';
import type { MaintenanceRef } from './judge.js';
import { fanOut, type MonitorSink } from './monitor-sink.js';
import { initialState, type ServiceState } from './service-state.js';
import { createStateRecorder } from './state-recorder.js';
import type { StatusCache } from './status-cache.js';

/** Which services this process checks (see cluster/ownership.ts); everything when absent. */
export interface CheckOwnership {
  owns(serviceId: string): boolean;
  accepts(serviceId: string): boolean;
}

export interface MonitorOptions {
  /** Checks a definition (its id plays no part in a check: testCheck probes unsaved ones). */
  prober: Prober<Omit<CheckDefinition, 'id'>>;
  ownership?: CheckOwnership;
  cache: StatusCache;
  sinks: MonitorSink[];
  logger: Logger;
  concurrency: number;
  /** false: an API-only process that keeps the cache but runs no checks. */
  schedulerEnabled?: boolean;
  now?: () => Date;
  onLag?: (lagMs: number) => void;
  /** A result was dropped because this process could not vouch for the service's lease. */
  onDiscard?: () => void;
  /**
   * Asks the process that checks a service to check it now; resolves true once its result has
   * arrived (through the event stream), false when nobody answered within `timeoutMs`.
   */
  requestRemoteCheck?: (serviceId: string, timeoutMs: number) => Promise<boolean>;
  /** How often the heartbeat deadlines are looked at, at most (default 1 s; tests with a moved clock: less). */
  heartbeatPollMs?: number;
  /** The maintenance window in force for a service now, if any. */
  maintenanceOf?: (serviceId: string) => MaintenanceRef | null;
  /**
   * True when transitions that happen between checks (a maintenance window starting) are this
   * process's to report although it does not check the service (events are not shared).
   */
  reportsUnchecked?: boolean;
}

/**
 * What became of a ping: recorded; not this process's to record (another replica owns the
 * service); or ignored (no such heartbeat, or paused).
 */
export type PushOutcome = 'recorded' | 'not-owner' | 'unknown' | 'paused';

export interface Monitor {
  /** Seeds the cache (restored states, or UNKNOWN/PAUSED) and schedules every unpaused service. */
  load(services: CheckDefinition[], restored: ReadonlyMap<string, ServiceState>): void;
  /**
   * Adds or changes a service. `remote`: the change was made in another process, which already
   * recorded the operator's transition (pause, resume); this one only follows it.
   */
  define(service: CheckDefinition, origin?: 'local' | 'remote'): void;
  remove(serviceId: string): void;
  /** These services became this process's to check: schedule them, keeping their phase. */
  adopt(serviceIds: readonly string[]): void;
  /** These services are no longer this process's: stop checking them (the cache keeps their state). */
  release(serviceIds: readonly string[]): void;
  /** Runs one check now and resolves with the state after it (null: unknown or paused service). */
  checkNow(serviceId: string): Promise<ServiceState | null>;
  /**
   * A heartbeat's ping, judged like a check's result when this process owns the service (or
   * `anyway`: nobody else can, see sync/push-intake.ts).
   */
  push(serviceId: string, ping: HeartbeatPing, anyway?: boolean): PushOutcome;
  /** When a heartbeat is DOWN if no ping comes (null: not tracked here). */
  heartbeatDeadline(serviceId: string): Date | null;
  /** One check of an unsaved definition; nothing is stored or published. */
  testCheck(service: Omit<CheckDefinition, 'id'>, signal?: AbortSignal): Promise<ProbeResult>;
  /** True when this process runs the checks of the service (its state here is the freshest). */
  checksLocally(serviceId: string): boolean;
  /**
   * A maintenance window started (or, with null, ended) for a service now. The process that checks
   * the service reports the transition; the others only show it until that report arrives.
   */
  setMaintenance(serviceId: string, window: MaintenanceRef | null): void;
  /** Ids of every service the monitor knows. */
  serviceIds(): IterableIterator<string>;
  /** The dependency graph of the services it knows (with root causes from the cache). */
  readonly dependencies: Dependencies;
  /**
   * A service's state changed on another replica (the sync applied it): the services depending on
   * it that are checked here are judged again.
   */
  parentChanged(serviceId: string): void;
  start(): void;
  stop(timeoutMs?: number): Promise<void>;
  readonly running: number;
  /** Services scheduled here. */
  readonly scheduled: number;
}

/**
 * The check loop: scheduler tick -> probe -> judge -> cache, then the sinks. Knows nothing of
 * storage or transports; what happens to a result is up to the sinks it is given.
 */
export function createMonitor(options: MonitorOptions): Monitor {
  const { cache, sinks } = options;
  const now = options.now ?? (() => new Date());
  const log = options.logger.child({ component: 'monitor' });
  const schedulerEnabled = options.schedulerEnabled ?? true;
  const ownership: CheckOwnership = options.ownership ?? { owns: () => true, accepts: () => true };
  const definitions = new Map<string, CheckDefinition>();

  const notify = fanOut(sinks, log);
  const dependencies = createDependencies(definitions, cache);

  const record = (service: CheckDefinition, result: ProbeResult) => {
    // A result that arrives after the lease is gone (or unconfirmed) belongs to nobody: drop it.
    if (!ownership.accepts(service.id)) {
      options.onDiscard?.();
      return;
    }
    recorder.result(service, result);
  };

  const scheduler = createScheduler<CheckDefinition, ProbeResult>({
    concurrency: options.concurrency,
    check: (service, signal) => options.prober.probe(service, signal),
    onResult: (_id, service, result) => record(service, result),
    onLag: options.onLag,
    onError: (err, id) => log.error({ err, serviceId: id }, 'check failed unexpectedly'),
  });
  const recorder = createStateRecorder(
    cache,
    notify,
    now,
    log,
    {
      graph: dependencies,
      // Only the process that checks a service (and holds its lease) judges it.
      judgedHere: (id) =>
        (scheduler.has(id) || heartbeats.has(id)) && ownership.accepts(id) ? definitions.get(id) : undefined,
    },
    options.maintenanceOf,
  );

  // Passive checks are not probed: their deadlines wait here, and a missed one is a failed check.
  const heartbeats = createHeartbeatTracker({
    now,
    missed: (service, result) => record(service, result),
    pollMs: options.heartbeatPollMs,
  });

  const schedule = (service: CheckDefinition, firstDueAt?: number) => {
    if (!schedulerEnabled) return;
    if (service.kind === 'HEARTBEAT') {
      scheduler.remove(service.id);
      if (service.paused || !ownership.owns(service.id)) heartbeats.untrack(service.id);
      else heartbeats.track(service, cache.get(service.id));
      return;
    }
    heartbeats.untrack(service.id);
    if (service.paused || !ownership.owns(service.id)) scheduler.remove(service.id);
    else scheduler.upsert(service.id, service, service.intervalSeconds * 1000, firstDueAt);
  };

  return {
    load(services, restored) {
      const t = Date.now();
      for (const service of services) {
        definitions.set(service.id, service);
        const saved = restored.get(service.id);
        const state =
          saved && (saved.status === 'PAUSED') === service.paused ? saved : initialState(service.paused, now());
        cache.set(service.id, state);
        notify('serviceDefined', service, undefined);
        schedule(service, firstDueAt(service, state, t));
      }
      dependencies.changed();
      // Root causes are not stored: found again from the restored states of the parents.
      for (const service of services) {
        const state = cache.get(service.id);
        if (state?.status === 'UNREACHABLE') {
          cache.set(service.id, {
            ...state,
            rootCause: dependencies.rootCauseOf(service.id) ?? state.rootCause ?? null,
          });
        }
      }
    },

    define(service, origin = 'local') {
      const previous = definitions.get(service.id);
      if (previous && sameDefinition(previous, service)) return;
      definitions.set(service.id, service);
      dependencies.changed();
      notify('serviceDefined', service, previous);
      if (!previous) {
        if (!cache.has(service.id)) cache.set(service.id, initialState(service.paused, now()));
      } else if (previous.paused !== service.paused) {
        recorder.operator(service, service.paused, origin);
      }
      schedule(service);
    },

    adopt(serviceIds) {
      const t = Date.now();
      for (const id of serviceIds) {
        const service = definitions.get(id);
        const state = cache.get(id);
        if (!service || !state) continue;
        schedule(service, adoptedDueAt(service, state, t));
        // A state restored from the database may say MAINTENANCE for a window that has ended since
        // (or not yet say it for one in force): this process reports it now that it checks the service.
        if (!scheduler.has(id)) continue;
        recorder.maintenance(service, options.maintenanceOf?.(id) ?? null, true);
        recorder.adopted(definitions.get(id) ?? service);
      }
    },

    release(serviceIds) {
      for (const id of serviceIds) {
        scheduler.remove(id);
        heartbeats.untrack(id);
      }
    },

    remove(serviceId) {
      const service = definitions.get(serviceId);
      definitions.delete(serviceId);
      dependencies.changed();
      scheduler.remove(serviceId);
      heartbeats.untrack(serviceId);
      cache.delete(serviceId);
      if (service) notify('serviceRemoved', service);
    },

    async checkNow(serviceId) {
      const service = definitions.get(serviceId);
      if (!service || service.paused) return null;
      // A heartbeat is not probed: checking it now judges its deadline now.
      if (service.kind === 'HEARTBEAT') {
        heartbeats.evaluate(serviceId);
        return cache.get(serviceId) ?? null;
      }
      if (scheduler.has(serviceId)) {
        await scheduler.runNow(serviceId);
        return cache.get(serviceId) ?? null;
      }
      // Checked by another process: ask it, and take its result from the event stream.
      if (await options.requestRemoteCheck?.(serviceId, service.timeoutMs + 2_000)) return cache.get(serviceId) ?? null;
      // Nobody else checks it (an API-only process on its own, a service not claimed yet): check
      // here, through the judge, so that the answer is still a real check.
      const result = await options.prober.probe(service);
      recorder.result(service, result);
      return cache.get(serviceId) ?? null;
    },

    push(serviceId, ping, anyway = false) {
      const service = definitions.get(serviceId);
      if (service?.kind !== 'HEARTBEAT') return 'unknown';
      if (service.paused) return 'paused';
      if (!anyway && !(heartbeats.has(serviceId) && ownership.accepts(serviceId))) return 'not-owner';
      const at = now();
      const { result, patch } = pingEffect(service, cache.get(serviceId), ping, at);
      if (result === null) recorder.patch(service, patch);
      else {
        recorder.result(service, result, patch);
        heartbeats.pinged(service, at);
      }
      return 'recorded';
    },

    heartbeatDeadline: (serviceId) => heartbeats.deadlineOf(serviceId),

    testCheck: (service, signal) => options.prober.probe(service, signal),

    checksLocally: (serviceId) => scheduler.has(serviceId) || heartbeats.has(serviceId),
    setMaintenance(serviceId, window) {
      const service = definitions.get(serviceId);
      if (!service) return;
      recorder.maintenance(
        service,
        window,
        scheduler.has(serviceId) || heartbeats.has(serviceId) || options.reportsUnchecked === true,
      );
    },
    serviceIds: () => definitions.keys(),
    dependencies,
    parentChanged: (serviceId) => recorder.parentChanged(serviceId),

    start() {
      if (schedulerEnabled) {
        scheduler.start();
        heartbeats.start();
      }
      log.info({ services: definitions.size, schedulerEnabled, concurrency: options.concurrency }, 'monitor started');
    },

    async stop(timeoutMs) {
      heartbeats.stop();
      await scheduler.stop(timeoutMs);
    },

    get running() {
      return scheduler.running;
    },
    get scheduled() {
      return scheduler.size + heartbeats.size;
    },
  };
}

/** Equal definitions need no rescheduling (a resync re-defines every service). */
function sameDefinition(a: CheckDefinition, b: CheckDefinition): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
