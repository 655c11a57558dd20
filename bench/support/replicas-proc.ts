import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU of other processes from /proc, for bench:replicas: the replicas, PostgreSQL's processes,
 * Redis. Linux only; user + system time in ms, at the kernel's tick resolution (10 ms).
 */

/** USER_HZ is 100 on every Linux this runs on (`getconf CLK_TCK`). */
const MS_PER_TICK = 10;

/** user + system CPU of one process so far, ms; null when it is gone (or not Linux). */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return null;
  }
}

/** Pids whose /proc/<pid>/comm is one of `names` (e.g. every PostgreSQL process: postmaster, backends, workers). */
export function processesNamed(...names: string[]): number[] {
  const wanted = new Set(names);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (wanted.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

export type CpuSnapshot = Map<number, number>;

export function cpuSnapshot(pids: Iterable<number>): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== null) snapshot.set(pid, ms);
  }
  return snapshot;
}

export interface CpuDelta {
  /** CPU used over the window by the processes seen at its end (all of it for those born during it), ms. */
  ms: number;
  /** Processes counted (alive at the end of the window). */
  counted: number;
  /** Born during the window (their whole CPU counted), and gone before its end (their last part missed). */
  appeared: number;
  vanished: number;
}

export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuDelta {
  let ms = 0;
  let appeared = 0;
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (start === undefined) appeared++;
    ms += end - (start ?? 0);
  }
  const vanished = [...before.keys()].filter((pid) => !after.has(pid)).length;
  return { ms, counted: after.size, appeared, vanished };
}

/** The first three fields of /proc/loadavg ("1.23 0.98 0.80"), or "n/a". */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}
