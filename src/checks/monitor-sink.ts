import type { Logger } from '../logger.js';
import type { ProbeResult } from '../probe/prober.js';
import type { CheckDefinition } from './check-definition.js';
import type { Transition } from './judge.js';
import type { ServiceState } from './service-state.js';

export interface CheckCompleted {
  service: CheckDefinition;
  at: Date;
  result: ProbeResult;
  state: ServiceState;
}

export interface StatusChanged {
  /** The transition's id (a UUIDv7, time-ordered): its StatusChange row's id and its live cursor. */
  id: string;
  service: CheckDefinition;
  transition: Transition;
  state: ServiceState;
}

/** Where the monitor reports; history, metrics and events each implement the parts they need. */
export interface MonitorSink {
  checkCompleted?(event: CheckCompleted): void;
  statusChanged?(event: StatusChanged): void;
  /** The state changed without a check (a heartbeat's run started): it is to be stored. */
  stateChanged?(service: CheckDefinition, state: ServiceState): void;
  /** A service's definition is new or changed (its name may have changed). */
  serviceDefined?(service: CheckDefinition, previous: CheckDefinition | undefined): void;
  serviceRemoved?(service: CheckDefinition): void;
}

export type Notify = <K extends keyof MonitorSink>(hook: K, ...args: Parameters<NonNullable<MonitorSink[K]>>) => void;

/** Calls `hook` on every sink that has it; a sink that throws is logged and the others still hear. */
export function fanOut(sinks: readonly MonitorSink[], log: Logger): Notify {
  return (hook, ...args) => {
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
}
