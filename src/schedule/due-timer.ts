import type { HeapEntry, JobHeap } from './job-heap.js';

export interface DueTimerOptions<T extends HeapEntry> {
  heap: JobHeap<T>;
  now: () => number;
  /** False before start and after stop: the timer is not armed. */
  active: () => boolean;
  /** Receives each job that has come due (already taken off the heap). */
  onDue(job: T): void;
  /** Runs once after the due jobs of one firing were handed over. */
  afterDue(): void;
}

export interface DueTimer {
  /** Makes sure the one timer fires when the earliest job of the heap comes due. */
  arm(): void;
  clear(): void;
}

/** A single timer for a whole heap of jobs, armed for the earliest. */
export function createDueTimer<T extends HeapEntry>(options: DueTimerOptions<T>): DueTimer {
  const { heap, now } = options;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;

  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    timerAt = Infinity;
  };

  const fire = () => {
    timer = null;
    timerAt = Infinity;
    const t = now();
    for (let job = heap.peek(); job && job.dueAt <= t; job = heap.peek()) {
      heap.pop();
      options.onDue(job);
    }
    options.afterDue();
    arm();
  };

  const arm = () => {
    if (!options.active()) return;
    const next = heap.peek();
    if (!next) return clear();
    if (timer && timerAt <= next.dueAt) return;
    if (timer) clearTimeout(timer);
    timerAt = next.dueAt;
    timer = setTimeout(fire, Math.max(0, next.dueAt - now()));
  };

  return { arm, clear };
}
