import { describe, expect, it } from 'vitest';
import { singleFlight } from '../../src/single-flight.js';

/** Passes that end only when the test says so, so that every interleaving is chosen, not timed. */
function gatedPasses() {
  const gates: (() => void)[] = [];
  let started = 0;
  const pass = () => {
    started++;
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  return {
    pass,
    get started() {
      return started;
    },
    /** Ends the oldest pass still running and lets the flight move on. */
    async finishOne() {
      gates.shift()!();
      await settle();
    },
  };
}

/** Lets pending promise callbacks run (no timers, no clock). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('singleFlight', () => {
  it('runs one pass when nobody asks again, and is idle afterwards', async () => {
    const work = gatedPasses();
    const flight = singleFlight({ pass: work.pass });
    const run = flight.run();
    expect(work.started).toBe(1);
    expect(flight.current).toBe(run);
    await work.finishOne();
    await run;
    expect(work.started).toBe(1);
    expect(flight.current).toBeNull();
  });

  it('never runs two passes at once, and folds every request made meanwhile into one more pass', async () => {
    const work = gatedPasses();
    const flight = singleFlight({ pass: work.pass });
    const first = flight.run();
    const second = flight.run();
    const third = flight.run();
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(work.started).toBe(1);
    await work.finishOne();
    expect(work.started).toBe(2);
    await work.finishOne();
    await first;
    expect(work.started).toBe(2);
    expect(flight.current).toBeNull();
  });

  it('starts a new run when asked after the previous one ended', async () => {
    const work = gatedPasses();
    const flight = singleFlight({ pass: work.pass });
    const first = flight.run();
    await work.finishOne();
    await first;
    const second = flight.run();
    expect(second).not.toBe(first);
    expect(work.started).toBe(2);
    await work.finishOne();
    await second;
  });

  it('skips the extra pass when passAgain says it is not worth it', async () => {
    const work = gatedPasses();
    let worth = false;
    const flight = singleFlight({ pass: work.pass, passAgain: () => worth });
    const run = flight.run();
    flight.run();
    await work.finishOne();
    await run;
    expect(work.started).toBe(1);

    worth = true;
    const next = flight.run();
    flight.run();
    await work.finishOne();
    expect(work.started).toBe(3);
    await work.finishOne();
    await next;
  });

  it('calls succeeded once after the last pass, before the run resolves', async () => {
    const work = gatedPasses();
    const seen: string[] = [];
    const flight = singleFlight({ pass: work.pass, succeeded: () => seen.push('succeeded') });
    const run = flight.run().then(() => seen.push('resolved'));
    flight.run();
    await work.finishOne();
    expect(seen).toEqual([]);
    await work.finishOne();
    await run;
    expect(seen).toEqual(['succeeded', 'resolved']);
  });

  it('stops at a failed pass: failed sees the error, and the run rejects with what failed throws', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const boom = new Error('boom');
    const flight = singleFlight({
      pass: async () => {
        passes++;
        throw boom;
      },
      succeeded: () => errors.push('succeeded'),
      failed: (err) => {
        errors.push(err);
        throw err;
      },
    });
    const run = flight.run();
    flight.run();
    await expect(run).rejects.toBe(boom);
    expect(passes).toBe(1);
    expect(errors).toEqual([boom]);
    expect(flight.current).toBeNull();
  });

  it('resolves a failed run when failed handles the error', async () => {
    const flight = singleFlight({
      pass: async () => {
        throw new Error('handled');
      },
      failed: () => {},
    });
    await expect(flight.run()).resolves.toBeUndefined();
  });

  it('is idle again after a pass that throws before its first await', async () => {
    let passes = 0;
    const flight = singleFlight({
      pass: () => {
        passes++;
        throw new Error('synchronous');
      },
      failed: () => {},
    });
    await flight.run();
    expect(flight.current).toBeNull();
    await flight.run();
    expect(passes).toBe(2);
  });
});
