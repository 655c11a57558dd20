import type { Logger } from '../logger.js';
import type { CheckDefinition } from './check-definition.js';
import { judge, operatorTransition, type Transition } from './judge.js';
import type { Prober, ProbeResult } from './probe.js';
import { createScheduler, MAX_START_SPREAD_MS, NEW_JOB_WINDOW_MS } from './scheduler.js';
import { initialState, type ServiceState } from './service-state.js';
import type { StatusCache } from './status-cache.js';

export interface CheckCompleted {
  service: CheckDefinition;
  at: Date;
  result: ProbeResult;
  state: ServiceState;
}

export interface StatusChanged {
  service: CheckDefinition;
  transition: Transition;
  state: ServiceState;
}

/** Where the monitor reports; history, metrics and events each implement the parts they need. */
export interface MonitorSink {
  checkCompleted?(event: CheckCompleted): void;
  statusChanged?(event: StatusChanged): void;
  /** A service's definition is new or changed (its name may have changed). */
  serviceDefined?(service: CheckDefinition, previous: CheckDefinition | undefined): void;
  serviceRemoved?(service: CheckDefinition): void;
}

export interface MonitorOptions {
  prober: Prober;
  cache: StatusCache;
  sinks: MonitorSink[];
  logger: Logger;
  concurrency: number;
  /** false: an API-only process that keeps the cache but runs no checks. */
  schedulerEnabled?: boolean;
  now?: () => Date;
  onLag?: (lagMs: number) => void;
}

export interface Monitor {
  /** Seeds the cache (restored states, or UNKNOWN/PAUSED) and schedules every unpaused service. */
  load(services: CheckDefinition[], restored: ReadonlyMap<string, ServiceState>): void;
  define(service: CheckDefinition): void;
  remove(serviceId: string): void;
  /** Runs one check now and resolves with the state after it (null: unknown or paused service). */
  checkNow(serviceId: string): Promise<ServiceState | null>;
  /** One check of an unsaved definition; nothing is stored or published. */
  testCheck(service: Omit<CheckDefinition, 'id'>, signal?: AbortSignal): Promise<ProbeResult>;
  /** True when this process runs the checks of the service (its state here is the freshest). */
  checksLocally(serviceId: string): boolean;
  /** Ids of every service the monitor knows. */
  serviceIds(): IterableIterator<string>;
  start(): void;
  stop(timeoutMs?: number): Promise<void>;
  readonly running: number;
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
  const definitions = new Map<string, CheckDefinition>();

  const notify = <K extends keyof MonitorSink>(hook: K, ...args: Parameters<NonNullable<MonitorSink[K]>>) => {
    for (const sink of sinks) {
      const fn = sink[hook] as ((...a: typeof args) => void) | undefined;
      if (!fn) continue;
      try {
        fn.apply(sink, args);
      } catch (err) {
        log.error({ err, hook }, 'monitor sink failed');
      }
    }
  };

  const record = (service: CheckDefinition, result: ProbeResult) => {
    const at = now();
    const previous = cache.get(service.id) ?? initialState(service.paused, at);
    const { state, transition } = judge(previous, result, service, at);
    cache.set(service.id, state);
    notify('checkCompleted', { service, at, result, state });
    if (transition) {
      log.info({ serviceId: service.id, previous: transition.previous, current: transition.current, message: transition.message }, 'status changed');
      notify('statusChanged', { service, transition, state });
    }
  };

  const scheduler = createScheduler<CheckDefinition, ProbeResult>({
    concurrency: options.concurrency,
    check: (service, signal) => options.prober.probe(service, signal),
    onResult: (_id, service, result) => record(service, result),
    onLag: options.onLag,
    onError: (err, id) => log.error({ err, serviceId: id }, 'check failed unexpectedly'),
  });

  const schedule = (service: CheckDefinition, firstDueAt?: number) => {
    if (!schedulerEnabled) return;
    if (service.paused) scheduler.remove(service.id);
    else scheduler.upsert(service.id, service, service.intervalSeconds * 1000, firstDueAt);
  };

  const applyOperator = (service: CheckDefinition, paused: boolean) => {
    const at = now();
    const current = cache.get(service.id) ?? initialState(!paused, at);
    const { state, transition } = operatorTransition(current, paused, at);
    cache.set(service.id, state);
    if (transition) notify('statusChanged', { service, transition, state });
  };

  return {
    load(services, restored) {
      const t = Date.now();
      for (const service of services) {
        definitions.set(service.id, service);
        const saved = restored.get(service.id);
        const state = saved && (saved.status === 'PAUSED') === service.paused ? saved : initialState(service.paused, now());
        cache.set(service.id, state);
        notify('serviceDefined', service, undefined);
        schedule(service, firstDueAt(service, state, t));
      }
    },

    define(service) {
      const previous = definitions.get(service.id);
      if (previous && sameDefinition(previous, service)) return;
      definitions.set(service.id, service);
      notify('serviceDefined', service, previous);
      if (!previous) {
        if (!cache.has(service.id)) cache.set(service.id, initialState(service.paused, now()));
      } else if (previous.paused !== service.paused) {
        applyOperator(service, service.paused);
      }
      schedule(service);
    },

    remove(serviceId) {
      const service = definitions.get(serviceId);
      definitions.delete(serviceId);
      scheduler.remove(serviceId);
      cache.delete(serviceId);
      if (service) notify('serviceRemoved', service);
    },

    async checkNow(serviceId) {
      const service = definitions.get(serviceId);
      if (!service || service.paused) return null;
      if (!schedulerEnabled || !scheduler.has(serviceId)) {
        // Not scheduled here (an API-only process): check directly, still through the judge.
        record(service, await options.prober.probe(service));
        return cache.get(serviceId) ?? null;
      }
      await scheduler.runNow(serviceId);
      return cache.get(serviceId) ?? null;
    },

    testCheck: (service, signal) => options.prober.probe(service, signal),

    checksLocally: (serviceId) => scheduler.has(serviceId),
    serviceIds: () => definitions.keys(),

    start() {
      if (schedulerEnabled) scheduler.start();
      log.info({ services: definitions.size, schedulerEnabled, concurrency: options.concurrency }, 'monitor started');
    },

    async stop(timeoutMs) {
      await scheduler.stop(timeoutMs);
    },

    get running() {
      return scheduler.running;
    },
  };
}

/** Equal definitions need no rescheduling (a resync re-defines every service). */
function sameDefinition(a: CheckDefinition, b: CheckDefinition): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * After a restart, a service checked recently keeps its phase (due one interval after its last
 * check); one that is overdue or never checked starts at a random point of its first interval
 * (at most a minute), so a restart does not check everything at once.
 */
function firstDueAt(service: CheckDefinition, state: ServiceState, nowMs: number): number {
  const intervalMs = service.intervalSeconds * 1000;
  const last = state.lastCheckedAt?.getTime();
  if (last !== undefined && last + intervalMs > nowMs && last <= nowMs) return last + intervalMs;
  return nowMs + Math.random() * Math.max(NEW_JOB_WINDOW_MS, Math.min(intervalMs, MAX_START_SPREAD_MS));
}
