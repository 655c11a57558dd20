import { describe, expect, it } from 'vitest';
import { createServiceDirectory } from '../../src/registry/directory.js';
import type { ServiceRow } from '../../src/registry/registry.js';
import { createServiceLookup } from '../../src/registry/service-lookup.js';

const row = (id: string) => ({ id, name: `svc-${id}` }) as ServiceRow;

describe('the service lookup of live events', () => {
  it('answers from the directory at once, without loading', () => {
    const directory = createServiceDirectory([row('a')]);
    const loads: string[] = [];
    const lookup = createServiceLookup(directory, async (id) => {
      loads.push(id);
      return null;
    });
    expect(lookup.get('a')).toEqual(row('a'));
    expect(loads).toEqual([]);
  });

  it('loads a service it has not heard of once for any number of asks, then serves it from memory', async () => {
    const directory = createServiceDirectory();
    const loads: string[] = [];
    let clock = 0;
    const lookup = createServiceLookup(
      directory,
      async (id) => {
        loads.push(id);
        return row(id);
      },
      () => clock,
    );
    const asks = Array.from({ length: 1_000 }, () => lookup.get('fresh'));
    expect(asks.every((a) => a instanceof Promise)).toBe(true);
    expect(await Promise.all(asks)).toEqual(Array(1_000).fill(row('fresh')));
    expect(lookup.get('fresh')).toEqual(row('fresh'));
    expect(loads).toEqual(['fresh']);
    // A while later the directory is expected to know it; until it does, one more load.
    clock += 60_000;
    await lookup.get('fresh');
    expect(loads).toEqual(['fresh', 'fresh']);
  });

  it('answers null for a service the database does not have, and asks again next time', async () => {
    const loads: string[] = [];
    const lookup = createServiceLookup(createServiceDirectory(), async (id) => {
      loads.push(id);
      return null;
    });
    expect(await lookup.get('gone')).toBeNull();
    expect(await lookup.get('gone')).toBeNull();
    expect(loads).toEqual(['gone', 'gone']);
  });
});
