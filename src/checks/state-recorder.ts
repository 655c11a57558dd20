import type { Logger } from '../logger.js';
import type { ProbeResult } from '../probe/prober.js';
import { uuidv7 } from '../uuidv7.js';
import type { CheckDefinition } from './check-definition.js';
import type { Dependencies } from './dependencies.js';
import { createFlapDetector } from './flap-detector.js';
import {
  dependencyJudgement,
  type Judgement,
  judge,
  type MaintenanceRef,
  maintenanceTransition,
  operatorTransition,
  type Transition,
} from './judge.js';
import type { Notify } from './monitor-sink.js';
import { initialState, nextVersion, type ServiceState } from './service-state.js';
import type { StatusCache } from './status-cache.js';

/** The heartbeat's part of a state, which the judge does not decide. */
export type HeartbeatPatch = Pick<ServiceState, 'lastPingAt' | 'runStartedAt'>;

export interface StateRecorder {
  /**
   * A check's result: judged against the cached state, cached, and reported to the sinks. A
   * heartbeat's state keeps its ping times, or takes those of `patch`.
   */
  result(service: CheckDefinition, result: ProbeResult, patch?: HeartbeatPatch): void;
  /** A heartbeat's run started: only its state changes (no check, no transition). */
  patch(service: CheckDefinition, patch: HeartbeatPatch): void;
  /** An operator paused or resumed the service; `remote`: already reported by the process that did it. */
  operator(service: CheckDefinition, paused: boolean, origin: 'local' | 'remote'): void;
  /**
   * A service's status changed (here or on another replica): the services that depend on it and
   * are checked here are judged again from their last results (a child that failed a moment
   * before its parent becomes UNREACHABLE now, not at its next check).
   */
  parentChanged(serviceId: string): void;
  /**
   * Judges one service this process has just taken over against the services it depends on: its
   * last owner may have lost it before hearing that a parent went DOWN (a DOWN child of a DOWN
   * parent is UNREACHABLE), and this process did not judge it when it heard.
   */
  adopted(service: CheckDefinition): void;
  /**
   * A maintenance window started or ended for the service. `record`: this process reports the
   * transition (it checks the service); otherwise it only shows it, and the checking process's
   * report follows.
   */
  maintenance(service: CheckDefinition, window: MaintenanceRef | null, record: boolean): void;
}

export interface RecorderDependencies {
  graph: Dependencies;
  /** The definition of a service this process judges (checks, and holds the lease of), or undefined. */
  judgedHere(serviceId: string): CheckDefinition | undefined;
}

/** The step after a probe: judge -> cache -> sinks. */
export function createStateRecorder(
  cache: StatusCache,
  notify: Notify,
  now: () => Date,
  log: Logger,
  dependencies?: RecorderDependencies,
  /** The maintenance window in force for a service now (maintenance/maintenance-schedule.ts). */
  maintenanceOf: (serviceId: string) => MaintenanceRef | null = () => null,
): StateRecorder {
  const flaps = createFlapDetector();
  const rootCauseOf = (service: CheckDefinition) =>
    service.dependsOn.length > 0 ? (dependencies?.graph.rootCauseOf(service.id) ?? null) : null;

  const apply = (service: CheckDefinition, judged: Judgement, at: Date, result?: ProbeResult) => {
    const { transition } = judged;
    // A state that goes out (a check's, a transition's) gets a new version; one that stays here
    // (a root cause moving deeper, an overlay that changed nothing shown) keeps the one it had.
    const published = result !== undefined || transition !== null;
    const state = {
      ...judged.state,
      // Into and out of a maintenance window is planned, not instability: not counted.
      flapping: flaps.observe(service.id, transition !== null && !maintenanceEdge(transition), at),
      version: published ? nextVersion(cache.get(service.id), at) : judged.state.version,
    };
    cache.set(service.id, state);
    if (result) notify('checkCompleted', { service, at, result, state });
    if (!transition) return;
    log.info(
      {
        serviceId: service.id,
        previous: transition.previous,
        current: transition.current,
        message: transition.message,
        rootCause: state.rootCause ?? undefined,
      },
      'status changed',
    );
    notify('statusChanged', { id: uuidv7(at.getTime()), service, transition, state });
    if (unavailabilityChanged(transition)) recorder.parentChanged(service.id);
  };

  const judgeDependencies = (service: CheckDefinition) => {
    const current = cache.get(service.id);
    if (!current) return;
    const at = now();
    const judged = dependencyJudgement(current, rootCauseOf(service), at);
    if (judged.state !== current) apply(service, judged, at);
  };

  const recorder: StateRecorder = {
    result(service, result, patch) {
      const at = now();
      const previous = cache.get(service.id) ?? initialState(service.paused, at);
      const context = { rootCause: rootCauseOf(service), maintenance: maintenanceOf(service.id) };
      const judged = judge(previous, result, service, at, context);
      // The judge does not decide a heartbeat's ping times: kept, or those of the ping.
      const heartbeat: HeartbeatPatch | undefined =
        service.kind === 'HEARTBEAT'
          ? (patch ?? { lastPingAt: previous.lastPingAt ?? null, runStartedAt: previous.runStartedAt ?? null })
          : undefined;
      apply(service, heartbeat ? { ...judged, state: { ...judged.state, ...heartbeat } } : judged, at, result);
    },
    maintenance(service, window, record) {
      const current = cache.get(service.id);
      if (!current) return;
      const at = now();
      const judged = maintenanceTransition(current, window, at);
      if (record) apply(service, judged, at);
      // Shown only, with the version it had: the checking process's report (newer) replaces it.
      else cache.set(service.id, judged.state);
    },
    parentChanged(serviceId) {
      if (!dependencies) return;
      for (const childId of dependencies.graph.dependentsOf(serviceId)) {
        const child = dependencies.judgedHere(childId);
        if (child) judgeDependencies(child);
      }
    },
    adopted(service) {
      if (service.dependsOn.length > 0) judgeDependencies(service);
    },
    patch(service, patch) {
      const at = now();
      const previous = cache.get(service.id) ?? initialState(service.paused, at);
      // Newer than what other replicas hold, so that their resync takes it from the database.
      const state: ServiceState = { ...previous, ...patch, version: nextVersion(previous, at) };
      cache.set(service.id, state);
      notify('stateChanged', service, state);
    },
    operator(service, paused, origin) {
      const at = now();
      const current = cache.get(service.id) ?? initialState(!paused, at);
      const judged = operatorTransition(current, paused, at);
      const { transition } = judged;
      const state = transition ? { ...judged.state, version: nextVersion(current, at) } : judged.state;
      cache.set(service.id, state);
      if (transition && origin === 'local') {
        notify('statusChanged', { id: uuidv7(at.getTime()), service, transition, state });
      }
    },
  };
  return recorder;
}

/** A transition into or out of MAINTENANCE (the flap rule leaves them out, here and in the outbox). */
function maintenanceEdge(transition: Transition): boolean {
  return transition.previous === 'MAINTENANCE' || transition.current === 'MAINTENANCE';
}

/** Whether its children's root cause may have changed: into or out of DOWN or MAINTENANCE. */
function unavailabilityChanged({ previous, current }: Transition): boolean {
  return [previous, current].some((status) => status === 'DOWN' || status === 'MAINTENANCE');
}
