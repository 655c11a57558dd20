import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeapEntry, JobHeap } from '../../src/schedule/job-heap.js';
import { propertyParameters } from '../support/properties.js';

interface Item extends HeapEntry {
  name: string;
}

const item = (name: string, dueAt: number): Item => ({ name, dueAt, heapIndex: -1 });

function popAll(heap: JobHeap<Item>): string[] {
  const out: string[] = [];
  for (let next = heap.pop(); next; next = heap.pop()) out.push(next.name);
  return out;
}

describe('JobHeap', () => {
  it.each<[string, [string, number][], string[]]>([
    ['empty', [], []],
    [
      'already in order',
      [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ],
      ['a', 'b', 'c'],
    ],
    [
      'reversed',
      [
        ['c', 3],
        ['b', 2],
        ['a', 1],
      ],
      ['a', 'b', 'c'],
    ],
    [
      'shuffled, with negative and huge due times',
      [
        ['x', 5e12],
        ['y', -4],
        ['z', 0],
        ['w', 17],
      ],
      ['y', 'z', 'w', 'x'],
    ],
  ])('pops in due order: %s', (_name, entries, order) => {
    const heap = new JobHeap<Item>();
    for (const [name, dueAt] of entries) heap.push(item(name, dueAt));
    expect(heap.size).toBe(entries.length);
    expect(heap.peek()?.name).toBe(order[0]);
    expect(popAll(heap)).toEqual(order);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
  });

  it.each<[string, string[]]>([
    ['the root', ['a']],
    ['a leaf', ['g']],
    ['an inner entry', ['c']],
    ['the last entry of the array', ['f']],
    ['several', ['b', 'e', 'a']],
    ['all', ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
  ])('remove takes out %s and keeps the rest in order', (_name, names) => {
    const heap = new JobHeap<Item>();
    const items = Object.fromEntries(
      ['d', 'a', 'f', 'b', 'g', 'c', 'e'].map((name) => [name, item(name, name.charCodeAt(0))]),
    );
    for (const entry of Object.values(items)) heap.push(entry);
    for (const name of names) {
      expect(heap.remove(items[name]!)).toBe(true);
      expect(heap.has(items[name]!)).toBe(false);
      expect(items[name]!.heapIndex).toBe(-1);
      expect(heap.remove(items[name]!), 'a second remove').toBe(false);
    }
    const left = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].filter((name) => !names.includes(name));
    expect(popAll(heap)).toEqual(left);
  });

  it('an entry of another heap, or a stale index, is not removed', () => {
    const heap = new JobHeap<Item>();
    const other = new JobHeap<Item>();
    const a = item('a', 1);
    const b = item('b', 2);
    heap.push(a);
    other.push(b); // b.heapIndex is 0, where `a` lives in `heap`
    expect(heap.remove(b)).toBe(false);
    expect(heap.has(b)).toBe(false);
    expect(popAll(heap)).toEqual(['a']);
  });

  it('a removed entry can be pushed again with a new due time', () => {
    const heap = new JobHeap<Item>();
    const [a, b, c] = [item('a', 1), item('b', 2), item('c', 3)];
    for (const entry of [a, b, c]) heap.push(entry);
    heap.remove(a);
    a.dueAt = 10;
    heap.push(a);
    expect(popAll(heap)).toEqual(['b', 'c', 'a']);
  });

  // Property: against a plain model (a set, its minimum found by scanning), thousands of random
  // push/pop/remove keep the heap returning the earliest entry, and every entry's heapIndex says
  // where it is, or -1 once it left. A pool of entries is reused, so entries come back after leaving.
  /** One step: a roll (0-4 push, 5-7 pop, 8-9 remove), an entry of the pool, a due time. */
  const anyStep = fc.tuple(fc.nat(9), fc.nat(299), fc.nat(199));
  const POOL = 300;

  it('matches the model over 20,000 random operations (five runs)', () => {
    // The volume of each kind of operation, checked over all runs rather than inside the property
    // (so that shrinking a real failure is not side-tracked by it): the least any run reached.
    const least = { pushes: Infinity, pops: Infinity, removes: Infinity, size: Infinity };
    fc.assert(
      fc.property(fc.array(anyStep, { minLength: 20_000, maxLength: 20_000 }), (steps) => {
        const counts = runAgainstModel(steps);
        for (const key of Object.keys(least) as (keyof typeof least)[]) least[key] = Math.min(least[key], counts[key]);
      }),
      propertyParameters({ numRuns: 5, seed: 1 }),
    );
    expect(least.pushes).toBeGreaterThan(5_000);
    expect(least.pops).toBeGreaterThan(3_000);
    expect(least.removes).toBeGreaterThan(1_000);
    expect(least.size).toBeGreaterThan(10);
  });

  function runAgainstModel(steps: [number, number, number][]) {
    const heap = new JobHeap<Item>();
    const pool = Array.from({ length: POOL }, (_, i) => item(`i${i}`, 0));
    const model = new Set<Item>();
    const minimum = () => Math.min(...[...model].map((x) => x.dueAt));
    /** expect() only on a mismatch: 20,000 steps stay fast, a failure still names its step. */
    const check = (ok: boolean, what: () => string) => {
      if (!ok) expect.fail(what());
    };
    let pushes = 0;
    let pops = 0;
    let removes = 0;
    for (const [op, [roll, index, dueAt]] of steps.entries()) {
      const entry = pool[index]!;
      if (roll < 5) {
        if (model.has(entry)) continue;
        entry.dueAt = dueAt; // few distinct due times: ties are common
        heap.push(entry);
        model.add(entry);
        pushes++;
      } else if (roll < 8) {
        const expected = model.size > 0 ? minimum() : undefined;
        const popped = heap.pop();
        check(popped?.dueAt === expected, () => `op ${op}: popped ${popped?.dueAt}, earliest is ${expected}`);
        if (popped) {
          check(model.delete(popped), () => `op ${op}: popped ${popped.name}, which was not in the heap`);
          check(popped.heapIndex === -1, () => `op ${op}: popped ${popped.name} keeps heapIndex ${popped.heapIndex}`);
          pops++;
        }
      } else {
        const present = model.has(entry);
        const removed = heap.remove(entry);
        check(removed === present, () => `op ${op}: remove(${entry.name}) returned ${removed}, present: ${present}`);
        check(entry.heapIndex === -1, () => `op ${op}: removed ${entry.name} keeps heapIndex ${entry.heapIndex}`);
        if (present) removes++;
        model.delete(entry);
      }

      check(heap.size === model.size, () => `op ${op}: size ${heap.size}, expected ${model.size}`);
      const peeked = heap.peek();
      check(
        peeked?.dueAt === (model.size > 0 ? minimum() : undefined),
        () => `op ${op}: peek ${peeked?.dueAt}, earliest ${minimum()}`,
      );
      // Indexes of the live entries are exactly 0..size-1; has() agrees with the model.
      const indexes = new Set<number>();
      for (const x of pool) {
        check(heap.has(x) === model.has(x), () => `op ${op}: has(${x.name}) is ${heap.has(x)}`);
        if (model.has(x)) indexes.add(x.heapIndex);
        else check(x.heapIndex === -1, () => `op ${op}: ${x.name} is out but has heapIndex ${x.heapIndex}`);
      }
      check(
        indexes.size === model.size && [...indexes].every((i) => i >= 0 && i < model.size),
        () => `op ${op}: heapIndex values ${[...indexes]}`,
      );
    }
    const size = model.size;
    // Drains in order.
    const drained: number[] = [];
    for (let next = heap.pop(); next; next = heap.pop()) drained.push(next.dueAt);
    expect(drained).toEqual([...model].map((x) => x.dueAt).sort((a, b) => a - b));
    return { pushes, pops, removes, size };
  }
});
