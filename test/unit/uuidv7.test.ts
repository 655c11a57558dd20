import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { uuidv7 } from '../../src/uuidv7.js';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const COUNTER_PER_MS = 4096; // 12 bits

/** The Unix milliseconds in the first 48 bits. */
const timestampOf = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
const sortedCopy = (ids: string[]) => [...ids].sort();
/** Positions where an id does not sort after the one made before it (cheap to report on 20,000 ids). */
const outOfOrder = (ids: string[]) => ids.flatMap((id, i) => (i > 0 && !(ids[i - 1]! < id) ? [i] : []));

// The generator remembers the last millisecond it used, like a clock. The tests below run in file
// order, so the clock-driven ones come first and every explicit millisecond is later than the last.
// The clock they read is a fake one, set by each test: no verdict depends on the wall clock.
let clock = Date.UTC(2026, 0, 1);
const nextMs = () => (clock += 1_000);

describe('uuidv7 from the clock', () => {
  let now: number;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    now = nextMs();
    vi.setSystemTime(now);
  });
  afterEach(() => {
    vi.useRealTimers();
    clock += 1_000; // past whatever the ids borrowed
  });

  it('is an RFC 9562 version 7 id with variant 10', () => {
    for (let i = 0; i < 1_000; i++) expect(uuidv7()).toMatch(FORMAT);
  });

  it('fills the last 62 bits with fresh random bits (ids of different processes do not collide)', () => {
    const bytes = Array.from({ length: 1_000 }, () => Buffer.from(uuidv7().replaceAll('-', ''), 'hex'));
    for (let i = 8; i < 16; i++) {
      const mask = i === 8 ? 0x3f : 0xff; // byte 8 keeps the variant in its top two bits
      const distinct = new Set(bytes.map((b) => b[i]! & mask)).size;
      expect(distinct, `distinct values of byte ${i}`).toBeGreaterThan(i === 8 ? 40 : 200);
    }
  });

  it('embeds the current time', () => {
    expect(timestampOf(uuidv7())).toBe(now);
    vi.setSystemTime(now + 1);
    expect(timestampOf(uuidv7())).toBe(now + 1);
  });

  it('50,000 ids made in a tight loop (many per millisecond) sort in creation order and are unique', () => {
    // The clock moves on a millisecond every 1,000 ids, as a fast machine's would.
    const ids = Array.from({ length: 50_000 }, (_, i) => {
      if (i > 0 && i % 1_000 === 0) vi.setSystemTime(Date.now() + 1);
      return uuidv7();
    });
    expect(outOfOrder(ids)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('uuidv7 for a given millisecond', () => {
  it.each<[number]>([[2], [100], [COUNTER_PER_MS], [COUNTER_PER_MS + 1], [5 * COUNTER_PER_MS]])(
    '%i ids in the same millisecond sort in creation order',
    (count) => {
      const ms = nextMs();
      const ids = Array.from({ length: count }, () => uuidv7(ms));
      expect(ids.filter((id) => !FORMAT.test(id))).toEqual([]);
      expect(outOfOrder(ids)).toEqual([]);
      expect(new Set(ids).size).toBe(count);
      // Those the 12-bit counter can hold carry the millisecond itself.
      for (const id of ids.slice(0, COUNTER_PER_MS)) expect(timestampOf(id)).toBe(ms);
      // Never more than a few milliseconds ahead when the counter runs out.
      expect(timestampOf(ids.at(-1)!) - ms).toBeLessThanOrEqual(Math.ceil(count / COUNTER_PER_MS));
    },
  );

  it.each<[string, number[]]>([
    ['one per millisecond', [0, 1, 2, 3, 4, 5]],
    ['several per millisecond', [0, 0, 0, 1, 1, 2, 2, 2, 2, 7, 7, 1_000]],
    ['far apart', [0, 60_000, 3_600_000, 86_400_000]],
  ])('across milliseconds, %s: sort == creation order, each embeds its millisecond', (_name, offsets) => {
    const base = nextMs();
    clock += 100_000_000;
    const ids = offsets.map((offset) => uuidv7(base + offset));
    expect(sortedCopy(ids)).toEqual(ids);
    expect(ids.map(timestampOf)).toEqual(offsets.map((offset) => base + offset));
  });

  it('a clock that steps back still yields ids that sort in creation order', () => {
    const ms = nextMs();
    const ids = [uuidv7(ms), uuidv7(ms + 5), uuidv7(ms + 2), uuidv7(ms), uuidv7(ms + 6)];
    expect(sortedCopy(ids)).toEqual(ids);
  });

  it.each<[string, number]>([
    ['a date in 2040', Date.UTC(2040, 0, 1, 8, 30, 0, 123)],
    ['a date in 2100', Date.UTC(2100, 11, 31, 23, 59, 59, 999)],
    ['the last representable millisecond (year 10889)', 2 ** 48 - 1],
  ])('%s decodes back from the id', (_name, ms) => {
    const id = uuidv7(ms);
    expect(id).toMatch(FORMAT);
    expect(timestampOf(id)).toBe(ms);
  });
});
