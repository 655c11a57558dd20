/** The services each service depends on (its parents), by id. */
export type ParentsOf = (serviceId: string) => readonly string[];

export const MAX_DEPENDENCIES = 20;

/**
 * Why `serviceId` may not depend on `dependsOn`, or null: every parent must exist, be another service,
 * be listed once, at most 20 of them, and no cycle may form. A cycle is named by its path, e.g.
 * "a -> b -> c -> a", with `nameOf` turning ids into what the operator knows.
 */
export function dependencyProblem(
  serviceId: string,
  dependsOn: readonly string[],
  exists: (serviceId: string) => boolean,
  parentsOf: ParentsOf,
  nameOf: (serviceId: string) => string = (id) => id,
): string | null {
  if (dependsOn.length > MAX_DEPENDENCIES) return `at most ${MAX_DEPENDENCIES} services`;
  if (new Set(dependsOn).size !== dependsOn.length) return 'lists a service twice';
  for (const parent of dependsOn) {
    if (parent === serviceId) return 'a service cannot depend on itself';
    if (!exists(parent)) return `no such service: ${parent}`;
  }
  // A cycle would need a path from one of the new parents back to this service.
  const parents = (id: string) => (id === serviceId ? dependsOn : parentsOf(id));
  const path = pathTo(serviceId, dependsOn, parents);
  if (path) return `would make a cycle: ${[serviceId, ...path].map(nameOf).join(' -> ')}`;
  return null;
}

/** A path of parents from one of `starts` to `target` (ending with it), depth first, or null. */
function pathTo(target: string, starts: readonly string[], parents: ParentsOf): string[] | null {
  const seen = new Set<string>();
  const walk = (id: string): string[] | null => {
    if (id === target) return [id];
    if (seen.has(id)) return null;
    seen.add(id);
    for (const next of parents(id)) {
      const rest = walk(next);
      if (rest) return [id, ...rest];
    }
    return null;
  };
  for (const start of starts) {
    const found = walk(start);
    if (found) return found;
  }
  return null;
}

/**
 * The root cause of a failing service: its deepest ancestor that is DOWN (the DOWN one farthest up,
 * on the longest chain of DOWN-or-not ancestors), or null when none is. Cycle-safe.
 */
export function deepestDownAncestor(
  serviceId: string,
  parentsOf: ParentsOf,
  isDown: (serviceId: string) => boolean,
): string | null {
  let best: { id: string; depth: number } | null = null;
  const depthOf = new Map<string, number>();
  const onPath = new Set<string>([serviceId]);
  const visit = (id: string, depth: number) => {
    for (const parent of parentsOf(id)) {
      if (onPath.has(parent) || (depthOf.get(parent) ?? -1) >= depth + 1) continue;
      depthOf.set(parent, depth + 1);
      if (isDown(parent) && (best === null || depth + 1 > best.depth)) best = { id: parent, depth: depth + 1 };
      onPath.add(parent);
      visit(parent, depth + 1);
      onPath.delete(parent);
    }
  };
  visit(serviceId, 0);
  return (best as { id: string } | null)?.id ?? null;
}
