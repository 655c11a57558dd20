import { describe, expect, it } from 'vitest';
import { BUCKET_COUNT, bucketIndex, estimateQuantile, LATENCY_BOUNDS_MS } from '../../src/history/latency-histogram.js';
import { addCheck, emptyRollup, MINUTE_MS, type Rollup, RollupBuffer } from '../../src/history/rollup-buffer.js';

const M0 = Date.UTC(2026, 0, 1, 10, 0); // 10:00:00.000
const minute = (n: number) => M0 + n * MINUTE_MS;

/** One recorded check: service, time, ok, degraded, latency. */
type Check = [string, number, boolean, boolean, number];

function recordAll(buffer: RollupBuffer, checks: Check[]): void {
  for (const [serviceId, at, ok, degraded, latencyMs] of checks) buffer.record(serviceId, at, ok, degraded, latencyMs);
}

/** The totals a reader would compute from a set of rows, per service and minute. */
function totals(
  rows: Rollup[],
): Record<
  string,
  { checks: number; failures: number; degraded: number; sum: number; min: number; max: number; buckets: number }
> {
  const out: ReturnType<typeof totals> = {};
  for (const row of [...rows].sort((a, b) => a.minute - b.minute || a.serviceId.localeCompare(b.serviceId))) {
    const key = `${row.serviceId}@${(row.minute - M0) / MINUTE_MS}`;
    const t = out[key] ?? { checks: 0, failures: 0, degraded: 0, sum: 0, min: Infinity, max: 0, buckets: 0 };
    out[key] = t;
    t.checks += row.checks;
    t.failures += row.failures;
    t.degraded += row.degraded;
    t.sum += row.latencySumMs;
    t.min = Math.min(t.min, row.latencyMinMs);
    t.max = Math.max(t.max, row.latencyMaxMs);
    t.buckets += row.latencyBuckets.reduce((a, b) => a + b, 0);
  }
  return out;
}

const ALL = new Set(['a', 'b', 'c']);

describe('RollupBuffer.record: one row per service and minute', () => {
  it.each<[string, Check[], ReturnType<typeof totals>]>([
    [
      'checks in one minute add up',
      [
        ['a', M0 + 5_000, true, false, 10],
        ['a', M0 + 59_999, false, false, 30],
        ['a', M0, true, true, 600],
      ],
      { 'a@0': { checks: 3, failures: 1, degraded: 1, sum: 640, min: 10, max: 600, buckets: 3 } },
    ],
    [
      'the next minute starts a new row',
      [
        ['a', M0 + 59_999, true, false, 10],
        ['a', M0 + 60_000, true, false, 20],
      ],
      {
        'a@0': { checks: 1, failures: 0, degraded: 0, sum: 10, min: 10, max: 10, buckets: 1 },
        'a@1': { checks: 1, failures: 0, degraded: 0, sum: 20, min: 20, max: 20, buckets: 1 },
      },
    ],
    [
      'services are kept apart',
      [
        ['a', M0, true, false, 10],
        ['b', M0, false, false, 5],
      ],
      {
        'a@0': { checks: 1, failures: 0, degraded: 0, sum: 10, min: 10, max: 10, buckets: 1 },
        'b@0': { checks: 1, failures: 1, degraded: 0, sum: 5, min: 5, max: 5, buckets: 1 },
      },
    ],
    [
      'a failure is never also counted as degraded',
      [['a', M0, false, true, 900]],
      { 'a@0': { checks: 1, failures: 1, degraded: 0, sum: 900, min: 900, max: 900, buckets: 1 } },
    ],
  ])('%s', (_name, checks, expected) => {
    const buffer = new RollupBuffer();
    recordAll(buffer, checks);
    expect(totals(buffer.pendingFor(ALL, 0))).toEqual(expected);
    expect(buffer.size).toBe(Object.keys(expected).length);
  });

  it('puts each latency in its bucket', () => {
    const buffer = new RollupBuffer();
    recordAll(buffer, [
      ['a', M0, true, false, 1],
      ['a', M0, true, false, 12],
      ['a', M0, true, false, 12],
      ['a', M0, true, false, 70_000],
    ]);
    const [row] = buffer.pendingFor(ALL, 0);
    const expected = new Array<number>(BUCKET_COUNT).fill(0);
    expected[0] = 1; // <= 1 ms
    expected[6] = 2; // 10 < x <= 15 ms
    expected[BUCKET_COUNT - 1] = 1; // above 60 s
    expect(row?.latencyBuckets).toEqual(expected);
  });
});

describe('RollupBuffer take / committed / failed', () => {
  const first: Check[] = [
    ['a', minute(0) + 1, true, false, 10],
    ['a', minute(0) + 2, false, false, 50],
    ['b', minute(1), true, true, 700],
  ];
  const meanwhile: Check[] = [
    ['a', minute(0) + 3, true, false, 5],
    ['a', minute(2), true, false, 20],
    ['c', minute(2), false, false, 1],
  ];

  it('written in parts: a failure gives back only the rows not written yet, counted once', () => {
    const buffer = new RollupBuffer();
    for (const id of ['a', 'b', 'c']) buffer.record(id, 0, true, false, 5);
    const batch = buffer.take();
    expect(batch.map((r) => r.serviceId)).toEqual(['a', 'b', 'c']);
    buffer.committed(2); // a and b are in the database
    expect(buffer.size).toBe(1);
    expect(buffer.pendingFor(new Set(['a', 'b', 'c']), 0).map((r) => r.serviceId)).toEqual(['c']);
    buffer.record('c', 1_000, false, false, 7); // recorded while c was being written
    buffer.failed();
    const again = buffer.take();
    expect(again.map((r) => [r.serviceId, r.checks, r.failures])).toEqual([['c', 2, 1]]);
  });

  it('take hands over every row; reads still count them until committed', () => {
    const buffer = new RollupBuffer();
    recordAll(buffer, first);
    const batch = buffer.take();
    expect(totals(batch)).toEqual(totals(buffer.pendingFor(ALL, 0)));
    expect(batch).toHaveLength(2);
    expect(buffer.size).toBe(2);
    recordAll(buffer, meanwhile);
    // In flight and newer rows both show, the same minute twice (a reader adds them up).
    expect(totals(buffer.pendingFor(ALL, 0))['a@0']?.checks).toBe(3);
    buffer.committed();
    expect(totals(buffer.pendingFor(ALL, 0))).toEqual(totals(buildRows(meanwhile)));
    expect(buffer.take()).toHaveLength(3);
  });

  it.each<[string, Check[]]>([
    ['nothing recorded meanwhile', []],
    ['newer checks of the same and other minutes', meanwhile],
  ])('failed gives the rows back merged, nothing counted twice or lost: %s', (_name, later) => {
    const buffer = new RollupBuffer();
    recordAll(buffer, first);
    buffer.take();
    recordAll(buffer, later);
    buffer.failed();
    expect(buffer.size).toBe(Object.keys(totals(buildRows([...first, ...later]))).length);
    const retry = buffer.take();
    // One row per service and minute, with exactly the checks recorded.
    expect(new Set(retry.map((r) => `${r.serviceId}@${r.minute}`)).size).toBe(retry.length);
    expect(totals(retry)).toEqual(totals(buildRows([...first, ...later])));
    buffer.committed();
    expect(buffer.size).toBe(0);
    expect(buffer.pendingFor(ALL, 0)).toEqual([]);
  });

  it('fails twice, then commits: still every check exactly once', () => {
    const buffer = new RollupBuffer();
    const all: Check[] = [];
    for (let round = 0; round < 3; round++) {
      const checks: Check[] = [
        ['a', minute(round % 2) + round, round !== 1, false, 10 * (round + 1)],
        ['b', minute(0), true, false, 3],
      ];
      recordAll(buffer, checks);
      all.push(...checks);
      buffer.take();
      if (round < 2) buffer.failed();
    }
    const inFlight = buffer.pendingFor(ALL, 0);
    expect(inFlight.map((r) => `${r.serviceId}@${(r.minute - M0) / MINUTE_MS}`).sort()).toEqual(['a@0', 'a@1', 'b@0']);
    expect(totals(inFlight)).toEqual(totals(buildRows(all)));
    buffer.committed();
    expect(buffer.size).toBe(0);
  });
});

/** Rows built independently of the buffer: one fresh rollup per check. */
function buildRows(checks: Check[]): Rollup[] {
  return checks.map(([serviceId, at, ok, degraded, latencyMs]) => {
    const row = emptyRollup(serviceId, at - (at % MINUTE_MS));
    addCheck(row, ok, degraded, latencyMs);
    return row;
  });
}

describe('RollupBuffer.dropOldest', () => {
  // Three services over minutes 0..3: a@0 (2 checks), b@0 (1), a@1 (1), c@2 (3), a@3 (1).
  const checks: Check[] = [
    ['a', minute(0), true, false, 1],
    ['a', minute(0) + 1, true, false, 1],
    ['b', minute(0), true, false, 1],
    ['a', minute(1), true, false, 1],
    ['c', minute(2), true, false, 1],
    ['c', minute(2) + 1, true, false, 1],
    ['c', minute(2) + 2, false, false, 1],
    ['a', minute(3), true, false, 1],
  ];
  it.each<[number, { rows: number; checks: number }, string[]]>([
    [5, { rows: 0, checks: 0 }, ['a@0', 'b@0', 'a@1', 'c@2', 'a@3']],
    [10, { rows: 0, checks: 0 }, ['a@0', 'b@0', 'a@1', 'c@2', 'a@3']],
    [3, { rows: 2, checks: 3 }, ['a@1', 'c@2', 'a@3']],
    [2, { rows: 3, checks: 4 }, ['c@2', 'a@3']],
    [1, { rows: 4, checks: 7 }, ['a@3']],
    [0, { rows: 5, checks: 8 }, []],
  ])('to %i rows drops %j, keeping the newest', (max, dropped, kept) => {
    const buffer = new RollupBuffer();
    recordAll(buffer, checks);
    expect(buffer.dropOldest(max)).toEqual(dropped);
    expect(Object.keys(totals(buffer.pendingFor(ALL, 0))).sort()).toEqual([...kept].sort());
  });
});

describe('RollupBuffer.pendingFor and forget', () => {
  const checks: Check[] = [
    ['a', minute(0), true, false, 1],
    ['a', minute(5), true, false, 1],
    ['b', minute(5), true, false, 1],
    ['c', minute(9), true, false, 1],
  ];
  it.each<[string, string[], number, string[]]>([
    ['every service, every minute', ['a', 'b', 'c'], 0, ['a@0', 'a@5', 'b@5', 'c@9']],
    ['only the asked services', ['a'], 0, ['a@0', 'a@5']],
    ['from a minute on (inclusive)', ['a', 'b', 'c'], minute(5), ['a@5', 'b@5', 'c@9']],
    ['a minute that started before sinceMs is left out', ['a', 'b', 'c'], minute(5) + 1, ['c@9']],
    ['an unknown service', ['zzz'], 0, []],
  ])('%s', (_name, ids, since, expected) => {
    for (const inFlight of [false, true]) {
      const buffer = new RollupBuffer();
      recordAll(buffer, checks);
      if (inFlight) buffer.take();
      expect(
        Object.keys(totals(buffer.pendingFor(new Set(ids), since))).sort(),
        inFlight ? 'in flight' : 'pending',
      ).toEqual(expected);
    }
  });

  it('forget drops one service and keeps the others', () => {
    const buffer = new RollupBuffer();
    recordAll(buffer, checks);
    buffer.forget('a');
    expect(Object.keys(totals(buffer.pendingFor(ALL, 0))).sort()).toEqual(['b@5', 'c@9']);
    expect(buffer.size).toBe(2);
    expect(
      buffer
        .take()
        .map((r) => r.serviceId)
        .sort(),
    ).toEqual(['b', 'c']);
  });
});

describe('bucketIndex', () => {
  it.each<[number, number]>([
    [0, 0],
    [0.4, 0],
    [1, 0],
    [1.0001, 1],
    [2, 1],
    [3, 2],
    [4.9, 3],
    [5, 3],
    [12, 6],
    [999, 15],
    [1_000, 15],
    [1_000.5, 16],
    [60_000, 24],
    [60_000.01, 25],
    [3_600_000, 25],
  ])('%f ms -> bucket %i', (latency, index) => {
    expect(bucketIndex(latency)).toBe(index);
  });

  it('each bound is inclusive: the bound is in its bucket, a hair above is in the next', () => {
    LATENCY_BOUNDS_MS.forEach((bound, i) => {
      expect(bucketIndex(bound), `${bound}`).toBe(i);
      expect(bucketIndex(bound + 0.001), `${bound}+`).toBe(i + 1);
    });
    expect(BUCKET_COUNT).toBe(LATENCY_BOUNDS_MS.length + 1);
  });
});

describe('estimateQuantile', () => {
  /** A rollup of these latencies, as stored. */
  const rollupOf = (latencies: number[]) => {
    const row = emptyRollup('a', M0);
    for (const latency of latencies) addCheck(row, true, false, latency);
    return row;
  };
  const estimate = (latencies: number[], q: number) => {
    const row = rollupOf(latencies);
    return estimateQuantile(row.latencyBuckets, q, row.latencyMinMs, row.latencyMaxMs);
  };
  /** The true quantile (nearest rank). */
  const exact = (latencies: number[], q: number) => {
    const sorted = [...latencies].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  };
  /** Width of the bucket a latency falls in: the most an estimate inside it can be off by. */
  const widthAt = (latency: number) => {
    const i = bucketIndex(latency);
    const low = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
    const high = i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : Infinity;
    return high - low;
  };

  let seed = 7;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const DISTRIBUTIONS: [string, number[]][] = [
    ['uniform 1..1000 ms', Array.from({ length: 1_000 }, (_, i) => i + 1)],
    ['uniform 20..80 ms', Array.from({ length: 601 }, (_, i) => 20 + i / 10)],
    ['exponential, mean 120 ms', Array.from({ length: 5_000 }, () => -120 * Math.log(1 - random()))],
    [
      'bimodal: 90 % near 30 ms, 10 % near 2 s',
      Array.from({ length: 2_000 }, (_, i) => (i % 10 === 0 ? 1_800 + random() * 400 : 25 + random() * 10)),
    ],
    ['all the same, 42 ms', new Array<number>(300).fill(42)],
    ['slow: 40..90 s', Array.from({ length: 500 }, (_, i) => 40_000 + i * 100)],
  ];

  it.each(
    DISTRIBUTIONS.flatMap(([name, latencies]) => [0.5, 0.9, 0.95, 0.99].map((q) => [name, q, latencies] as const)),
  )('%s: p%s within one bucket width of the truth', (_name, q, latencies) => {
    const truth = exact(latencies, q);
    const got = estimate(latencies, q);
    expect(got).not.toBeNull();
    expect(Math.abs(got! - truth)).toBeLessThanOrEqual(widthAt(truth));
    // Never outside what was seen.
    expect(got!).toBeGreaterThanOrEqual(Math.min(...latencies));
    expect(got!).toBeLessThanOrEqual(Math.max(...latencies));
  });

  it.each<[string, number[], number]>([
    ['a single check', [137], 137],
    ['identical checks', [42, 42, 42], 42],
  ])('%s: every quantile is the latency itself', (_name, latencies, value) => {
    for (const q of [0, 0.5, 0.99, 1]) expect(estimate(latencies, q)).toBe(value);
  });

  it('grows with the quantile', () => {
    const latencies = DISTRIBUTIONS[2]![1];
    const values = [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1].map((q) => estimate(latencies, q)!);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(Math.max(...latencies));
  });

  it.each<[string, number[]]>([
    ['no buckets at all', new Array<number>(BUCKET_COUNT).fill(0)],
    ['an empty list', []],
  ])('nothing checked (%s) -> null', (_name, buckets) => {
    expect(estimateQuantile(buckets, 0.5, Infinity, 0)).toBeNull();
  });
});
