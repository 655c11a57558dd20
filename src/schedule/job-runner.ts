import { type Job, NEW_JOB_WINDOW_MS } from './job.js';
import type { JobHeap } from './job-heap.js';
import { ReadyQueue } from './ready-queue.js';
import { beginRun, settleRun } from './run-waiters.js';

export interface CheckRunOptions<Def, Result> {
  /** At most this many checks run at once; the rest wait their turn in due order. */
  concurrency: number;
  /** Performs one check; must settle soon after `signal` aborts. */
  check(def: Def, signal: AbortSignal): Promise<Result>;
  /** Receives each result that is still current: not from a removed, paused or changed job. */
  onResult(id: string, def: Def, result: Result): void;
  /** How late each check started, in ms after it was due. */
  onLag?(lagMs: number): void;
  onError?(err: unknown, id: string): void;
}

export interface JobRunnerParts<Def, Result> {
  options: CheckRunOptions<Def, Result>;
  heap: JobHeap<Job<Def, Result>>;
  now: () => number;
  random: () => number;
  stopped: () => boolean;
  /** Re-arms the due timer after a job went back on the heap. */
  arm: () => void;
}

export interface JobRunner<Def, Result> {
  /** Queues a due job for a slot; `front`: ahead of the others (asked for now). */
  enqueue(job: Job<Def, Result>, front: boolean): void;
  /** Starts queued jobs while slots are free. */
  pump(): void;
  readonly running: number;
}

/**
 * Runs due jobs, at most `concurrency` at once: starts each check, hands on the results that are
 * still current, and puts the job back on the heap for its next turn (fixed rate).
 */
export function createJobRunner<Def, Result>({
  options,
  heap,
  now,
  random,
  stopped,
  arm,
}: JobRunnerParts<Def, Result>): JobRunner<Def, Result> {
  const ready = new ReadyQueue<Job<Def, Result>>();
  let running = 0;

  const enqueue = (job: Job<Def, Result>, front: boolean) => {
    job.queued = true;
    if (front) ready.pushFront(job);
    else ready.pushBack(job);
  };

  const pump = () => {
    while (running < options.concurrency && ready.size > 0 && !stopped()) {
      const job = ready.shift()!;
      if (!job.queued) continue; // removed or moved while it waited
      job.queued = false;
      if (job.removed) continue;
      launch(job);
    }
  };

  const launch = (job: Job<Def, Result>) => {
    options.onLag?.(Math.max(0, now() - job.dueAt));
    running++;
    const { generation, def } = job;
    const controller = new AbortController();
    job.controller = controller;
    beginRun(job);
    let checking: Promise<Result>;
    try {
      checking = options.check(def, controller.signal);
    } catch (err) {
      checking = Promise.reject(err); // a check that throws instead of rejecting is still one failed check
    }
    job.inFlight = checking.then(
      (result) => finish(job, generation, def, result),
      (err: unknown) => {
        options.onError?.(err, job.id);
        finish(job, generation, def, null);
      },
    );
  };

  const finish = (job: Job<Def, Result>, generation: number, def: Def, result: Result | null) => {
    running--;
    job.controller = null;
    job.inFlight = null;
    const current = !job.removed && job.generation === generation && !stopped();
    if (current && result !== null) deliver(job, def, result);
    settleRun(job, result, current);
    if (!job.removed && !stopped()) reschedule(job, current);
    pump();
    arm();
  };

  const deliver = (job: Job<Def, Result>, def: Def, result: Result) => {
    try {
      options.onResult(job.id, def, result);
    } catch (err) {
      options.onError?.(err, job.id);
    }
  };

  /** After a check: again at once if asked meanwhile, else one interval after it was due (a replaced check: soon). */
  const reschedule = (job: Job<Def, Result>, current: boolean) => {
    const t = now();
    if (job.rerun) {
      job.rerun = false;
      job.dueAt = t;
      enqueue(job, true);
    } else {
      job.dueAt = current ? Math.max(job.dueAt + job.intervalMs, t) : t + random() * NEW_JOB_WINDOW_MS;
      heap.push(job);
    }
  };

  return {
    enqueue,
    pump,
    get running() {
      return running;
    },
  };
}
