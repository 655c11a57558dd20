type Resolve<Result> = (result: Result | null) => void;

/** Callers of runNow, kept on the job itself (null while nobody waits: most jobs, most of the time). */
export interface RunWaiters<Result> {
  /** Waiting for a check that has not started yet. */
  waiters: Resolve<Result>[] | null;
  /** Waiting for the check in flight (they asked before it started). */
  runWaiters: Resolve<Result>[] | null;
}

export function addWaiter<Result>(job: RunWaiters<Result>, resolve: Resolve<Result>): void {
  job.waiters ??= [];
  job.waiters.push(resolve);
}

/** A check starts: whoever waited for "the next check" now waits for this one. */
export function beginRun<Result>(job: RunWaiters<Result>): void {
  job.runWaiters = job.waiters;
  job.waiters = null;
}

/**
 * A check settled. Current: its waiters get its result. Replaced meanwhile (upsert): they wait for
 * the next check, of the new definition.
 */
export function settleRun<Result>(job: RunWaiters<Result>, result: Result | null, current: boolean): void {
  const run = job.runWaiters;
  job.runWaiters = null;
  if (current) {
    for (const resolve of run ?? []) resolve(result);
  } else if (run) {
    job.waiters = [...run, ...(job.waiters ?? [])];
  }
}

/** The job is gone (removed, or the scheduler stopped): every waiter gets null. */
export function cancelWaiters<Result>(job: RunWaiters<Result>): void {
  const all = [...(job.runWaiters ?? []), ...(job.waiters ?? [])];
  job.waiters = null;
  job.runWaiters = null;
  for (const resolve of all) resolve(null);
}
