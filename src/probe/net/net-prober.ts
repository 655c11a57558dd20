import type { Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';
import { type CheckFailure, type CheckRun, createCloseScope, type Passed, runCheck } from './check-run.js';
import { classifyNetError } from './connect.js';

/** Says which host a check is about, once known, so that a failure's message can name it. */
export type Reached = (host: string) => void;

/**
 * A prober of a network kind: each check is one `runCheck` (one deadline, cleanups) under the
 * prober's close scope, and a failure is classified for the host the check said it reached
 * (`classifyNetError` unless the kind reads its own errors first).
 */
export function netProber(
  check: (target: ProbeTarget, run: CheckRun, reached: Reached) => Promise<Passed>,
  classify: (err: unknown, host: string, run: CheckRun) => CheckFailure = classifyNetError,
): Prober<ProbeTarget> {
  const scope = createCloseScope();
  return {
    probe(target, signal) {
      let host = '';
      return runCheck(
        target,
        signal,
        (err, run) => classify(err, host, run),
        (run) =>
          check(target, run, (reachedHost) => {
            host = reachedHost;
          }),
        scope,
      );
    },
    close: async () => scope.close(),
  };
}
