import type { Logger } from '../logger.js';
import type { ProbeResult } from '../probe/prober.js';
import { uuidv7 } from '../uuidv7.js';
import type { CheckDefinition } from './check-definition.js';
import { createFlapDetector } from './flap-detector.js';
import {
  type JudgeContext,
  judge,
  type MaintenanceRef,
  maintenanceTransition,
  operatorTransition,
  type Transition,
} from './judge.js';
import type { Notify } from './monitor-sink.js';
import { initialState } from './service-state.js';
import type { StatusCache } from './status-cache.js';

export interface StateRecorder {
  /** A check's result: judged against the cached state, cached, and reported to the sinks. */
  result(service: CheckDefinition, result: ProbeResult): void;
  /** An operator paused or resumed the service; `remote`: already reported by the process that did it. */
  operator(service: CheckDefinition, paused: boolean, origin: 'local' | 'remote'): void;
  /**
   * A maintenance window started or ended for the service. `record`: this process reports the
   * transition (it checks the service); otherwise it only shows it, and the checking process's
   * report follows.
   */
  maintenance(service: CheckDefinition, window: MaintenanceRef | null, record: boolean): void;
}

/** The step after a probe: judge -> cache -> sinks. */
export function createStateRecorder(
  cache: StatusCache,
  notify: Notify,
  now: () => Date,
  log: Logger,
  contextOf: (serviceId: string) => JudgeContext = () => ({}),
): StateRecorder {
  const flaps = createFlapDetector();
  const changed = (service: CheckDefinition, transition: Transition) =>
    log.info(
      {
        serviceId: service.id,
        previous: transition.previous,
        current: transition.current,
        message: transition.message,
      },
      'status changed',
    );
  return {
    result(service, result) {
      const at = now();
      const previous = cache.get(service.id) ?? initialState(service.paused, at);
      const judged = judge(previous, result, service, at, contextOf(service.id));
      const { transition } = judged;
      const state = { ...judged.state, flapping: flaps.observe(service.id, transition !== null, at) };
      cache.set(service.id, state);
      notify('checkCompleted', { service, at, result, state });
      if (transition) {
        changed(service, transition);
        notify('statusChanged', { id: uuidv7(at.getTime()), service, transition, state });
      }
    },
    operator(service, paused, origin) {
      const at = now();
      const current = cache.get(service.id) ?? initialState(!paused, at);
      const { state, transition } = operatorTransition(current, paused, at);
      cache.set(service.id, state);
      if (transition && origin === 'local') {
        notify('statusChanged', { id: uuidv7(at.getTime()), service, transition, state });
      }
    },
    maintenance(service, window, record) {
      const at = now();
      const current = cache.get(service.id);
      if (!current) return;
      const { state, transition } = maintenanceTransition(current, window, at);
      cache.set(service.id, state);
      if (transition && record) {
        changed(service, transition);
        notify('statusChanged', { id: uuidv7(at.getTime()), service, transition, state });
      }
    },
  };
}
