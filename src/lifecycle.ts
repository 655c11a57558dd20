import type { Logger } from './logger.js';

/** One part of the app that runs in the background or holds a resource. */
export interface LifecycleStep {
  name: string;
  start?(): void;
  stop?(): Promise<void> | void;
  /** Logged once the step has stopped (operators read these during a shutdown). */
  stoppedMessage?: string;
}

export interface Lifecycle {
  /** Starts the steps in order; later calls do nothing. */
  start(): void;
  /** Stops the steps in reverse order, each after the one before has finished; idempotent. */
  stop(): Promise<void>;
}

/** The start and stop order of the app, written once: parts stop in the reverse of their start. */
export function createLifecycle(steps: readonly LifecycleStep[], log: Logger): Lifecycle {
  let started = false;
  let stopping: Promise<void> | undefined;
  return {
    start() {
      if (started) return;
      started = true;
      for (const step of steps) step.start?.();
    },
    stop() {
      stopping ??= (async () => {
        log.info('shutting down');
        for (const step of [...steps].reverse()) {
          await step.stop?.();
          if (step.stoppedMessage) log.info(step.stoppedMessage);
        }
      })();
      return stopping;
    },
  };
}
