import { describe, expect, it } from 'vitest';
import { deepestDownAncestor, dependencyProblem } from '../../src/registry/dependency-graph.js';

// A <- B <- C (C depends on B, B on A); D alone.
const graph: Record<string, string[]> = { a: [], b: ['a'], c: ['b'], d: [] };
const parentsOf = (id: string) => graph[id] ?? [];
const exists = (id: string) => id in graph;
const nameOf = (id: string) => id.toUpperCase();

describe('dependencies', () => {
  it('accepts existing services that make no cycle', () => {
    expect(dependencyProblem('d', ['c', 'a'], exists, parentsOf)).toBeNull();
    expect(dependencyProblem('c', ['b'], exists, parentsOf)).toBeNull();
  });

  it('refuses a cycle, naming its path', () => {
    expect(dependencyProblem('a', ['c'], exists, parentsOf, nameOf)).toBe('would make a cycle: A -> C -> B -> A');
    expect(dependencyProblem('b', ['d', 'c'], exists, parentsOf, nameOf)).toBe('would make a cycle: B -> C -> B');
  });

  it('refuses itself, unknown services, duplicates and more than 20', () => {
    expect(dependencyProblem('a', ['a'], exists, parentsOf)).toBe('a service cannot depend on itself');
    expect(dependencyProblem('a', ['zz'], exists, parentsOf)).toBe('no such service: zz');
    expect(dependencyProblem('d', ['a', 'a'], exists, parentsOf)).toBe('lists a service twice');
    const many = Array.from({ length: 21 }, (_, i) => `s${i}`);
    expect(
      dependencyProblem(
        'd',
        many,
        () => true,
        () => [],
      ),
    ).toBe('at most 20 services');
  });

  it('names the deepest DOWN ancestor as the root cause', () => {
    const down = new Set(['a', 'b']);
    expect(deepestDownAncestor('c', parentsOf, (id) => down.has(id))).toBe('a');
    expect(deepestDownAncestor('b', parentsOf, (id) => down.has(id))).toBe('a');
    expect(deepestDownAncestor('c', parentsOf, (id) => id === 'b')).toBe('b');
    expect(deepestDownAncestor('c', parentsOf, () => false)).toBeNull();
    expect(deepestDownAncestor('a', parentsOf, () => true)).toBeNull();
  });

  it('does not loop on a cycle already stored', () => {
    const cyclic: Record<string, string[]> = { x: ['y'], y: ['x'] };
    expect(
      deepestDownAncestor(
        'x',
        (id) => cyclic[id] ?? [],
        () => true,
      ),
    ).toBe('y');
    // A cycle above the service, not through it.
    const above: Record<string, string[]> = { s: ['p'], p: ['q'], q: ['p'] };
    expect(
      deepestDownAncestor(
        's',
        (id) => above[id] ?? [],
        (id) => id === 'p',
      ),
    ).toBe('p');
  });
});
