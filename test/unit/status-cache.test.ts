import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState, SERVICE_STATUSES, type ServiceStatus } from '../../src/checks/service-state.js';
import { createStatusCache, type StatusCache, type StatusSummary } from '../../src/checks/status-cache.js';
import { propertyParameters } from '../support/properties.js';

const NOW = new Date('2026-01-01T00:00:00Z');

/** "set a UP" writes a state with that status; "delete a" removes it. */
type Op = readonly ['set', string, ServiceStatus] | readonly ['delete', string];

function apply(cache: StatusCache, op: Op): void {
  if (op[0] === 'set') cache.set(op[1], { ...initialState(false, NOW), status: op[2] });
  else cache.delete(op[1]);
}

/** The summary a user should see, counted from scratch over a plain map of what was written. */
function recount(model: ReadonlyMap<string, ServiceStatus>): StatusSummary {
  const summary = zero();
  for (const status of model.values()) {
    summary.total++;
    summary[status.toLowerCase() as Lowercase<ServiceStatus>]++;
  }
  return summary;
}

const STATUSES: ServiceStatus[] = [...SERVICE_STATUSES];

/** Every count at 0, one per status (so a new status needs no change here). */
function zero(): StatusSummary {
  const counts = Object.fromEntries(SERVICE_STATUSES.map((s) => [s.toLowerCase(), 0]));
  return { total: 0, ...counts } as StatusSummary;
}

/** Writes to 50 services: three sets for each delete. */
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.tuple(
      fc.constant('set' as const),
      fc.nat(49).map((n) => `s${n}`),
      fc.constantFrom(...STATUSES),
    ),
    weight: 3,
  },
  {
    arbitrary: fc.tuple(
      fc.constant('delete' as const),
      fc.nat(49).map((n) => `s${n}`),
    ),
    weight: 1,
  },
);

const summary = (counts: Partial<StatusSummary>): StatusSummary => ({ ...zero(), ...counts });

describe('status cache summary', () => {
  it.each<[string, Op[], StatusSummary]>([
    ['empty', [], summary({})],
    [
      'one of each',
      [
        ['set', 'a', 'UP'],
        ['set', 'b', 'DEGRADED'],
        ['set', 'c', 'DOWN'],
        ['set', 'd', 'PAUSED'],
        ['set', 'e', 'UNKNOWN'],
      ],
      summary({ total: 5, up: 1, degraded: 1, down: 1, paused: 1, unknown: 1 }),
    ],
    [
      'a replaced state moves between counts',
      [
        ['set', 'a', 'UNKNOWN'],
        ['set', 'a', 'UP'],
        ['set', 'a', 'DOWN'],
      ],
      summary({ total: 1, down: 1 }),
    ],
    [
      'replacing with the same status counts once',
      [
        ['set', 'a', 'UP'],
        ['set', 'a', 'UP'],
        ['set', 'a', 'UP'],
      ],
      summary({ total: 1, up: 1 }),
    ],
    [
      'delete takes the service out of its count',
      [
        ['set', 'a', 'UP'],
        ['set', 'b', 'UP'],
        ['delete', 'a'],
      ],
      summary({ total: 1, up: 1 }),
    ],
    [
      'delete of a replaced state uncounts its latest status',
      [
        ['set', 'a', 'UP'],
        ['set', 'a', 'DOWN'],
        ['delete', 'a'],
      ],
      summary({}),
    ],
    [
      'deleting an unknown id changes nothing',
      [
        ['set', 'a', 'UP'],
        ['delete', 'nope'],
        ['delete', 'a'],
        ['delete', 'a'],
      ],
      summary({}),
    ],
    [
      'set again after delete',
      [
        ['set', 'a', 'DOWN'],
        ['delete', 'a'],
        ['set', 'a', 'PAUSED'],
      ],
      summary({ total: 1, paused: 1 }),
    ],
  ])('%s', (_name, ops, expected) => {
    const cache = createStatusCache();
    for (const op of ops) apply(cache, op);
    expect(cache.summary()).toEqual(expected);
    expect(cache.size).toBe(expected.total);
  });

  it('stays equal to a recount through 5,000 random writes (three runs)', () => {
    // Checked over all runs rather than inside the property, so that shrinking a real failure is
    // not side-tracked by it: every run ends with more than 10 services.
    let fewest = Infinity;
    fc.assert(
      fc.property(fc.array(anyOp, { minLength: 5_000, maxLength: 5_000 }), (ops) => {
        const cache = createStatusCache();
        const model = new Map<string, ServiceStatus>();
        for (const [i, op] of ops.entries()) {
          apply(cache, op);
          if (op[0] === 'set') model.set(op[1], op[2]);
          else model.delete(op[1]);
          expect(cache.summary(), `after write ${i}`).toEqual(recount(model));
        }
        fewest = Math.min(fewest, model.size);
        for (const status of STATUSES) {
          const ids = [...model].filter(([, s]) => s === status).map(([id]) => id);
          expect(cache.idsWithStatus([status]).sort()).toEqual(ids.sort());
        }
      }),
      propertyParameters({ numRuns: 3, seed: 1 }),
    );
    expect(fewest).toBeGreaterThan(10);
  });
});

describe('status cache idsWithStatus', () => {
  const ops: Op[] = [
    ['set', 'a', 'UP'],
    ['set', 'b', 'DOWN'],
    ['set', 'c', 'DEGRADED'],
    ['set', 'd', 'UP'],
    ['set', 'e', 'PAUSED'],
    ['set', 'b', 'UP'], // b recovered
    ['set', 'f', 'DOWN'],
    ['delete', 'd'],
  ];
  it.each<[ServiceStatus[], string[]]>([
    [['UP'], ['a', 'b']],
    [['DOWN'], ['f']],
    [
      ['UP', 'DEGRADED'],
      ['a', 'b', 'c'],
    ],
    [
      ['PAUSED', 'DOWN'],
      ['e', 'f'],
    ],
    [['UNKNOWN'], []],
    [[], []],
  ])('%j -> %j', (wanted, ids) => {
    const cache = createStatusCache();
    for (const op of ops) apply(cache, op);
    expect(cache.idsWithStatus(wanted).sort()).toEqual(ids);
  });

  it('get/has reflect the latest write', () => {
    const cache = createStatusCache();
    for (const op of ops) apply(cache, op);
    expect(cache.get('b')?.status).toBe('UP');
    expect(cache.has('d')).toBe(false);
    expect(cache.get('d')).toBeUndefined();
  });
});
