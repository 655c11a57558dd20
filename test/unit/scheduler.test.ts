import { describe, expect, it, vi } from 'vitest';
import { createScheduler, MAX_START_SPREAD_MS, NEW_JOB_WINDOW_MS } from '../../src/schedule/scheduler.js';
import { fakeClock } from '../support/fake-clock.js';
import { eventually } from '../support/wait.js';

// Fake timers throughout (the scheduler's timer, its clock, the fake checks' durations): what is
// asserted is what a user would see over time (how often and when checks run, how many at once),
// and time passes only when the test lets it, so no verdict depends on how busy the machine is.

interface Def {
  id: string;
  version: number;
}

/** One call of the fake check: the test settles it, or a behaviour does. */
interface Call {
  n: number;
  def: Def;
  signal: AbortSignal;
  startedAt: number;
  settled: boolean;
  resolve(result: string): void;
  reject(err: unknown): void;
}

type Behaviour = (call: Call) => void;

/** Settles each check after `ms` with a result naming the definition and the call. */
const takes =
  (ms: number | ((call: Call) => number)): Behaviour =>
  (call) => {
    setTimeout(
      () => call.resolve(`${call.def.id}@${call.def.version}#${call.n}`),
      typeof ms === 'number' ? ms : ms(call),
    );
  };
/** Leaves each check pending until the test settles it. */
const manual: Behaviour = () => {};

/** Lets `ms` of fake time pass, running every timer due meanwhile. */
const sleep = (ms: number) => fakeClock.sleep(ms);

/** Lets fake time pass, 1 ms at a time, until `condition` holds; fails after `timeoutMs` of it. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  await eventually(() => condition() || undefined, timeoutMs, what, { clock: fakeClock, intervalMs: 1 });
}

/** Awaits `promise` while fake time passes (a stop waits for checks that settle on timers). */
async function settled<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  const result = await eventually(() => outcome, timeoutMs, what, { clock: fakeClock, intervalMs: 1 });
  if ('error' in result) throw result.error;
  return result.value;
}

/** Returns the given values in turn, then `rest`. */
const randomFrom =
  (values: number[], rest = 0.5) =>
  () =>
    values.shift() ?? rest;

interface HarnessOptions {
  concurrency?: number;
  behaviour?: Behaviour;
  random?: () => number;
  onResult?: (id: string, def: Def, result: string) => void;
  /** Makes check() itself throw synchronously for these ids. */
  throwsFor?: Set<string>;
}

type Harness = ReturnType<typeof harness>;

/** Runs `body` with fake timers, a fresh scheduler and fake check, and always stops it. */
async function using(options: HarnessOptions, body: (h: Harness) => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
  try {
    const h = harness(options);
    try {
      await body(h);
    } finally {
      await settled(h.scheduler.stop(100), 'the final stop');
    }
  } finally {
    vi.useRealTimers();
  }
}

function harness(options: HarnessOptions) {
  const behaviour = options.behaviour ?? takes(5);
  const calls: Call[] = [];
  const results: { id: string; def: Def; result: string; at: number }[] = [];
  const errors: { err: unknown; id: string }[] = [];
  const lags: number[] = [];
  let active = 0;
  let maxActive = 0;
  const activePerJob = new Map<string, number>();
  let maxActivePerJob = 0;

  const scheduler = createScheduler<Def, string>({
    concurrency: options.concurrency ?? 100,
    random: options.random ?? (() => 0),
    check(def, signal) {
      if (options.throwsFor?.has(def.id)) throw new Error(`check of ${def.id} blew up`);
      active++;
      maxActive = Math.max(maxActive, active);
      const perJob = (activePerJob.get(def.id) ?? 0) + 1;
      activePerJob.set(def.id, perJob);
      maxActivePerJob = Math.max(maxActivePerJob, perJob);
      let call!: Call;
      const promise = new Promise<string>((resolve, reject) => {
        call = {
          n: calls.length + 1,
          def,
          signal,
          startedAt: Date.now(),
          settled: false,
          resolve: (result) => {
            if (!call.settled) resolve(result);
            call.settled = true;
          },
          reject: (err) => {
            if (!call.settled) reject(err);
            call.settled = true;
          },
        };
      });
      calls.push(call);
      behaviour(call);
      return promise.finally(() => {
        active--;
        activePerJob.set(def.id, activePerJob.get(def.id)! - 1);
      });
    },
    onResult(id, def, result) {
      results.push({ id, def, result, at: Date.now() });
      options.onResult?.(id, def, result);
    },
    onLag: (lag) => lags.push(lag),
    onError: (err, id) => errors.push({ err, id }),
  });

  return {
    scheduler,
    calls,
    results,
    errors,
    lags,
    callsOf: (id: string) => calls.filter((c) => c.def.id === id),
    get maxActive() {
      return maxActive;
    },
    get maxActivePerJob() {
      return maxActivePerJob;
    },
  };
}

describe('scheduler: concurrency', () => {
  it.each<[number]>([[1], [3], [8]])(
    'never more than %i checks at once, never two of one job, even with runNow in between',
    (concurrency) =>
      // 20 jobs every 50 ms, checks of 5..60 ms: far more work than the slots, so the cap is reached.
      using({ concurrency, behaviour: takes((call) => 5 + ((call.n * 37) % 56)) }, async (h) => {
        for (let i = 0; i < 20; i++) h.scheduler.upsert(`job${i}`, { id: `job${i}`, version: 1 }, 50);
        h.scheduler.start();
        const nows: Promise<string | null>[] = [];
        const samples: number[] = [];
        for (let t = 0; t < 50; t++) {
          if (t % 3 === 0) nows.push(h.scheduler.runNow(`job${t % 20}`));
          samples.push(h.scheduler.running);
          await sleep(10);
        }
        await settled(h.scheduler.stop(1_000), 'the stop');
        await Promise.all(nows);
        expect(Math.max(...samples)).toBeLessThanOrEqual(concurrency);
        expect(h.maxActive).toBe(concurrency);
        expect(h.maxActivePerJob).toBe(1);
        expect(h.calls.length).toBeGreaterThan(concurrency * 5);
        expect(new Set(h.calls.map((c) => c.def.id)).size).toBeGreaterThanOrEqual(Math.min(20, concurrency * 3));
      }),
  );
});

describe('scheduler: fixed-rate intervals', () => {
  const WINDOW_MS = 800;
  it.each<[string, number[], number]>([
    ['one job every 50 ms', [50], 0.1],
    ['one job every 200 ms', [200], 0.1],
    ['jobs of 50, 80, 130 and 200 ms side by side', [50, 80, 130, 200], 0.1],
    ['checks taking 60 % of the interval do not stretch it', [50, 100, 200], 0.6],
  ])('%s: each job runs about every interval', (_name, intervals, busyFraction) =>
    using({ behaviour: takes((call) => Math.round(Number(call.def.id.split('-')[1]) * busyFraction)) }, async (h) => {
      for (const [i, interval] of intervals.entries())
        h.scheduler.upsert(`job${i}-${interval}`, { id: `job${i}-${interval}`, version: 1 }, interval);
      const startedAt = Date.now();
      h.scheduler.start();
      await sleep(WINDOW_MS);
      await settled(h.scheduler.stop(500), 'the stop');

      for (const [i, interval] of intervals.entries()) {
        const starts = h
          .callsOf(`job${i}-${interval}`)
          .map((c) => c.startedAt - startedAt)
          .filter((t) => t <= WINDOW_MS);
        const label = `job every ${interval} ms started at ${starts.join(', ')}`;
        // About WINDOW/interval + 1 runs (the first is at once here); a stalled machine may lose one.
        expect(starts.length, label).toBeGreaterThanOrEqual(Math.floor(WINDOW_MS / interval) - 1);
        expect(starts.length, label).toBeLessThanOrEqual(Math.floor(WINDOW_MS / interval) + 1);
        // Fixed rate: the mean gap is the interval, not interval + check time.
        const meanGap = (starts.at(-1)! - starts[0]!) / (starts.length - 1);
        expect(meanGap, label).toBeGreaterThanOrEqual(interval * 0.9);
        expect(meanGap, label).toBeLessThanOrEqual(interval * 1.2);
      }
    }),
  );
});

describe('scheduler: when first checks run', () => {
  it.each<[string, number, number[], number[]]>([
    ['spread over a short interval', 300, [0.9, 0.1, 0.5, 0.3, 0.7], [270, 30, 150, 90, 210]],
    ['spread over at most a minute for long intervals', 3_600_000, [0.004, 0.002, 0.001], [240, 120, 60]],
    ['random 0 starts at once', 10_000, [0, 0], [0, 0]],
  ])('at start: %s', (_name, interval, randoms, expectedOffsets) =>
    using({ random: randomFrom([...randoms]) }, async (h) => {
      const ids = randoms.map((_, i) => `job${i}`);
      for (const id of ids) h.scheduler.upsert(id, { id, version: 1 }, interval);
      const startedAt = Date.now();
      h.scheduler.start();
      await waitFor(() => h.calls.length >= ids.length, 'every first check', 1_000);

      const expectedOrder = [...ids].sort(
        (a, b) => expectedOffsets[ids.indexOf(a)]! - expectedOffsets[ids.indexOf(b)]!,
      );
      expect(h.calls.map((c) => c.def.id)).toEqual(expectedOrder);
      for (const [i, id] of ids.entries()) {
        const offset = h.callsOf(id)[0]!.startedAt - startedAt;
        expect(offset, id).toBeGreaterThanOrEqual(expectedOffsets[i]! - 5);
        expect(offset, id).toBeLessThanOrEqual(expectedOffsets[i]! + 100);
      }
      expect(MAX_START_SPREAD_MS).toBe(60_000);
    }),
  );

  it.each<[number]>([[0], [0.4], [0.95]])(
    'a job added after start (random %f) runs within NEW_JOB_WINDOW_MS, not after its interval',
    (random) =>
      using({ random: randomFrom([0.99, random]) }, async (h) => {
        h.scheduler.upsert('old', { id: 'old', version: 1 }, 3_600_000); // far away: 0.99 of a minute
        h.scheduler.start();
        await sleep(20);
        const addedAt = Date.now();
        h.scheduler.upsert('new', { id: 'new', version: 1 }, 3_600_000);
        await waitFor(() => h.callsOf('new').length > 0, 'the new job', NEW_JOB_WINDOW_MS + 500);
        const after = h.callsOf('new')[0]!.startedAt - addedAt;
        expect(after).toBeGreaterThanOrEqual(random * NEW_JOB_WINDOW_MS - 5);
        expect(after).toBeLessThanOrEqual(random * NEW_JOB_WINDOW_MS + 150);
        expect(h.callsOf('old')).toHaveLength(0);
      }),
  );
});

describe('scheduler: remove and upsert while a check runs', () => {
  it.each<[string, (call: Call) => void]>([
    ['resolves anyway', (call) => call.resolve('late result')],
    ['rejects', (call) => call.reject(new DOMException('aborted', 'AbortError'))],
  ])('remove aborts the check, drops its result and runs it no more (the check %s)', (_name, settle) =>
    using({ behaviour: manual }, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 50);
      h.scheduler.upsert('b', { id: 'b', version: 1 }, 50);
      h.scheduler.start();
      await waitFor(() => h.callsOf('a').length === 1, 'the first check of a');
      const [call] = h.callsOf('a');
      expect(call!.signal.aborted).toBe(false);

      h.scheduler.remove('a');
      expect(call!.signal.aborted).toBe(true);
      expect(h.scheduler.has('a')).toBe(false);
      expect(h.scheduler.size).toBe(1);
      settle(call!);
      for (const c of h.callsOf('b')) c.resolve('b ok');
      await sleep(250); // five intervals

      expect(h.results.filter((r) => r.id === 'a')).toEqual([]);
      expect(h.callsOf('a')).toHaveLength(1);
      expect(h.callsOf('b').length).toBeGreaterThan(1); // the other job goes on
      expect(h.scheduler.running).toBe(1); // only b's pending check
    }),
  );

  it('remove of an unknown id changes nothing', () =>
    using({}, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 50);
      h.scheduler.remove('nope');
      expect(h.scheduler.size).toBe(1);
      expect(h.scheduler.has('a')).toBe(true);
    }));

  it('upsert during a check aborts it, drops its result and checks the new definition within the window', () =>
    // random 0.2: the replaced job is due 200 ms after its old check settled.
    using({ behaviour: manual, random: randomFrom([0, 0.2]) }, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 60_000);
      h.scheduler.start();
      await waitFor(() => h.calls.length === 1, 'the first check');
      const old = h.calls[0]!;

      h.scheduler.upsert('a', { id: 'a', version: 2 }, 60_000);
      expect(old.signal.aborted).toBe(true);
      await sleep(100);
      expect(h.calls, 'no second check while the old one runs').toHaveLength(1);

      const settledAt = Date.now();
      old.resolve('result of version 1');
      await waitFor(() => h.calls.length === 2, 'the check of version 2', NEW_JOB_WINDOW_MS + 500);
      const fresh = h.calls[1]!;
      expect(fresh.def).toEqual({ id: 'a', version: 2 });
      expect(fresh.startedAt - settledAt).toBeLessThanOrEqual(NEW_JOB_WINDOW_MS);
      fresh.resolve('result of version 2');
      await waitFor(() => h.results.length > 0, 'a result');
      await sleep(20);
      expect(h.results.map((r) => [r.def.version, r.result])).toEqual([[2, 'result of version 2']]);
    }));

  it.each<[number]>([[0.1], [0.5]])(
    'upsert between checks (random %f) checks the new definition within the window',
    (random) =>
      using({ random: randomFrom([0, random]) }, async (h) => {
        h.scheduler.upsert('a', { id: 'a', version: 1 }, 60_000);
        h.scheduler.start();
        await waitFor(() => h.results.length === 1, 'the first result');
        const changedAt = Date.now();
        h.scheduler.upsert('a', { id: 'a', version: 2 }, 60_000);
        await waitFor(() => h.results.length === 2, 'the result of version 2', NEW_JOB_WINDOW_MS + 500);
        expect(h.results.map((r) => r.def.version)).toEqual([1, 2]);
        const after = h.calls[1]!.startedAt - changedAt;
        expect(after).toBeGreaterThanOrEqual(random * NEW_JOB_WINDOW_MS - 5);
        expect(after).toBeLessThanOrEqual(random * NEW_JOB_WINDOW_MS + 150);
      }),
  );
});

describe('scheduler: runNow', () => {
  it('runs a fresh check at once and resolves with its result', () =>
    using({ random: () => 0.99, behaviour: takes(10) }, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 3_600_000); // first due ~59 s from now
      h.scheduler.start();
      const askedAt = Date.now();
      const result = await settled(h.scheduler.runNow('a'), 'the check runNow asked for');
      expect(result).toBe('a@1#1');
      expect(h.calls).toHaveLength(1);
      expect(h.calls[0]!.startedAt - askedAt).toBeLessThan(50);
      expect(h.results.map((r) => r.result)).toEqual(['a@1#1']);
    }));

  it('while a check runs, waits for it and then runs another, never two at once', () =>
    using({ behaviour: manual }, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 3_600_000);
      h.scheduler.start();
      await waitFor(() => h.calls.length === 1, 'the scheduled check');

      let answer: string | null | undefined;
      const pending = h.scheduler.runNow('a').then((r) => (answer = r));
      await sleep(50);
      expect(h.calls, 'not run beside the one in flight').toHaveLength(1);
      h.calls[0]!.resolve('stale: started before runNow');
      await waitFor(() => h.calls.length === 2, 'the check runNow asked for');
      await sleep(20);
      expect(answer, 'not answered with the check that was already running').toBeUndefined();
      h.calls[1]!.resolve('fresh');
      await pending;
      expect(answer).toBe('fresh');
      expect(h.maxActivePerJob).toBe(1);
      expect(h.results.map((r) => r.result)).toEqual(['stale: started before runNow', 'fresh']);
    }));

  it('the caller that started a check gets its result; callers that came during it get the next', () =>
    using({ behaviour: manual, random: () => 0.99 }, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 3_600_000);
      h.scheduler.start();
      const first = h.scheduler.runNow('a');
      await waitFor(() => h.calls.length === 1, 'the first check');
      const second = h.scheduler.runNow('a');
      const third = h.scheduler.runNow('a');
      h.calls[0]!.resolve('one');
      expect(await first).toBe('one');
      await waitFor(() => h.calls.length === 2, 'the second check');
      h.calls[1]!.resolve('two');
      expect(await second).toBe('two');
      expect(await third).toBe('two'); // both came during check one: one more check serves both
      await sleep(30);
      expect(h.calls).toHaveLength(2);
    }));

  it.each<[string, boolean]>([
    ['started by the runNow', true],
    ['already running when runNow came', false],
  ])(
    "a caller waiting on a check that upsert replaced gets the new definition's result (check %s)",
    (_name, startedByRunNow) =>
      // First checks far away (0.99 of a minute); the replaced job is due at once (random 0).
      using({ behaviour: manual, random: randomFrom([startedByRunNow ? 0.99 : 0], 0) }, async (h) => {
        h.scheduler.upsert('a', { id: 'a', version: 1 }, 3_600_000);
        h.scheduler.start();
        let answer: Promise<string | null> | undefined;
        if (startedByRunNow) answer = h.scheduler.runNow('a');
        await waitFor(() => h.calls.length === 1, 'the first check');
        answer ??= h.scheduler.runNow('a');
        h.scheduler.upsert('a', { id: 'a', version: 2 }, 3_600_000);
        h.calls[0]!.resolve('version 1');
        await waitFor(() => h.calls.length === 2, 'the check of version 2');
        expect(h.calls[1]!.def.version).toBe(2);
        h.calls[1]!.resolve('version 2');
        expect(await settled(answer, 'the answer', 1_000)).toBe('version 2');
      }),
  );

  it('checks asked for with runNow jump the queue when every slot is busy', () =>
    using({ concurrency: 1, behaviour: manual }, async (h) => {
      for (const id of ['a', 'b', 'c']) h.scheduler.upsert(id, { id, version: 1 }, 3_600_000);
      h.scheduler.start();
      await waitFor(() => h.calls.length === 1, 'the first check');
      expect(h.calls[0]!.def.id).toBe('a'); // b and c wait for the only slot
      const again = h.scheduler.runNow('a'); // a is running: once more after it
      const now = h.scheduler.runNow('c'); // c is waiting: ahead of b
      for (let n = 0; n < 4; n++) {
        await waitFor(() => h.calls.length === n + 1, `check ${n + 1}`);
        h.calls[n]!.resolve(`${h.calls[n]!.def.id}#${n + 1}`);
      }
      expect(await again).toBe('a#2');
      expect(await now).toBe('c#3');
      expect(h.calls.map((c) => c.def.id)).toEqual(['a', 'a', 'c', 'b']);
    }));

  it.each<[string, (h: Harness) => Promise<void>]>([
    ['the id is unknown', async () => {}],
    [
      'the job is removed while it waits',
      async (h) => {
        await waitFor(() => h.calls.length === 1, 'the check');
        h.scheduler.remove('a');
      },
    ],
    [
      'the scheduler stops while it waits',
      async (h) => {
        await waitFor(() => h.calls.length === 1, 'the check');
        await settled(h.scheduler.stop(50), 'the stop');
      },
    ],
  ])('resolves null when %s', (name, meanwhile) =>
    using({ behaviour: manual, random: () => 0.99 }, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 3_600_000);
      h.scheduler.start();
      const answer = h.scheduler.runNow(name.includes('unknown') ? 'nope' : 'a');
      await meanwhile(h);
      h.calls[0]?.resolve('too late');
      expect(await answer).toBeNull();
      expect(h.results).toEqual([]);
    }),
  );
});

describe('scheduler: lag', () => {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  it.each<[string, number, (lags: number[]) => void]>([
    ['room to spare: lag stays small', 10, (lags) => expect(Math.max(...lags)).toBeLessThan(80)],
    [
      'cap saturated: lag grows',
      1,
      (lags) => {
        expect(mean(lags.slice(-4))).toBeGreaterThan(mean(lags.slice(0, 4)) + 100);
        expect(Math.max(...lags)).toBeGreaterThan(150);
      },
    ],
  ])('%s', (_name, concurrency, expectLags) =>
    // 6 jobs every 100 ms, each check 40 ms: 2.4 slots of work.
    using({ concurrency, behaviour: takes(40) }, async (h) => {
      for (let i = 0; i < 6; i++) h.scheduler.upsert(`job${i}`, { id: `job${i}`, version: 1 }, 100);
      h.scheduler.start();
      await sleep(700);
      await settled(h.scheduler.stop(200), 'the stop');
      expect(h.lags.length).toBeGreaterThanOrEqual(8);
      expect(h.lags.length).toBe(h.calls.length);
      expect(Math.min(...h.lags)).toBeGreaterThanOrEqual(0);
      expectLags(h.lags);
    }),
  );
});

describe('scheduler: stop', () => {
  it.each<[string, Behaviour, number, [number, number]]>([
    [
      'honours the abort signal',
      (call) => call.signal.addEventListener('abort', () => call.reject(call.signal.reason)),
      2_000,
      [0, 100],
    ],
    ['ignores the abort signal', manual, 150, [140, 400]],
  ])('aborts in-flight checks and resolves in time when the check %s', (_name, behaviour, timeoutMs, [min, max]) =>
    using({ behaviour }, async (h) => {
      for (const id of ['a', 'b']) h.scheduler.upsert(id, { id, version: 1 }, 50);
      h.scheduler.start();
      await waitFor(() => h.calls.length === 2, 'both checks');

      const stoppingAt = Date.now();
      await settled(h.scheduler.stop(timeoutMs), 'the stop');
      const took = Date.now() - stoppingAt;
      expect(took).toBeGreaterThanOrEqual(min);
      expect(took).toBeLessThanOrEqual(max);
      expect(h.calls.map((c) => c.signal.aborted)).toEqual([true, true]);

      for (const call of h.calls) call.resolve('after stop');
      await sleep(150); // three intervals
      expect(h.calls).toHaveLength(2);
      expect(h.results).toEqual([]);
      expect(await h.scheduler.runNow('a')).toBeNull();
    }),
  );

  it('a second stop resolves at once', () =>
    using({ behaviour: manual }, async (h) => {
      h.scheduler.upsert('a', { id: 'a', version: 1 }, 50);
      h.scheduler.start();
      await waitFor(() => h.calls.length === 1, 'the check');
      await settled(h.scheduler.stop(100), 'the first stop');
      const again = Date.now();
      await settled(h.scheduler.stop(5_000), 'the second stop');
      expect(Date.now() - again).toBeLessThan(50);
    }));
});

describe('scheduler: a failing check does not stop it', () => {
  it.each<[string, HarnessOptions]>([
    [
      'the check rejects',
      {
        behaviour: (call) => (call.def.id === 'bad' ? call.reject(new Error('check of bad blew up')) : takes(2)(call)),
      },
    ],
    ['the check throws synchronously', { throwsFor: new Set(['bad']) }],
    [
      'onResult throws',
      {
        onResult: (id) => {
          if (id === 'bad') throw new Error('check of bad blew up');
        },
      },
    ],
  ])('%s: onError gets it, and every job keeps running', (_name, options) =>
    using(options, async (h) => {
      for (const id of ['bad', 'good']) h.scheduler.upsert(id, { id, version: 1 }, 40);
      h.scheduler.start();
      await sleep(300);
      await settled(h.scheduler.stop(100), 'the stop');

      expect(h.errors.length).toBeGreaterThanOrEqual(4);
      expect(h.errors.every((e) => e.id === 'bad' && (e.err as Error).message === 'check of bad blew up')).toBe(true);
      expect(h.results.filter((r) => r.id === 'good').length).toBeGreaterThanOrEqual(4);
      expect(h.scheduler.running).toBe(0);
    }),
  );
});
