import { deepestDownAncestor } from '../registry/dependency-graph.js';
import type { CheckDefinition } from './check-definition.js';
import type { StatusCache } from './status-cache.js';

/** The dependency graph of the services the monitor knows, read from their definitions. */
export interface Dependencies {
  /** The ids a service depends on directly (its parents). */
  parentsOf(serviceId: string): readonly string[];
  /** The ids that depend on a service directly (its children). */
  childrenOf(serviceId: string): readonly string[];
  /** Every service that depends on `serviceId`, directly or not, nearest first. Cycle-safe. */
  dependentsOf(serviceId: string): string[];
  /** The deepest DOWN (or MAINTENANCE) service `serviceId` depends on, by the cached states, or null. */
  rootCauseOf(serviceId: string): string | null;
}

/**
 * Built over the monitor's definitions and the status cache, so a judgement costs no query and
 * sees the state of parents checked by other replicas (the sync writes those into the cache).
 * Children are indexed on demand and kept until a definition changes.
 */
export function createDependencies(
  definitions: ReadonlyMap<string, Pick<CheckDefinition, 'dependsOn'>>,
  cache: Pick<StatusCache, 'get'>,
): Dependencies & { changed(): void } {
  let children: Map<string, string[]> | null = null;
  const parentsOf = (id: string) => definitions.get(id)?.dependsOn ?? [];
  const childrenOf = (id: string): readonly string[] => {
    if (!children) {
      children = new Map();
      for (const [child, definition] of definitions) {
        for (const parent of definition.dependsOn) children.set(parent, [...(children.get(parent) ?? []), child]);
      }
    }
    return children.get(id) ?? [];
  };
  return {
    parentsOf,
    childrenOf,
    dependentsOf(serviceId) {
      const seen = new Set([serviceId]);
      const order: string[] = [];
      for (let i = -1; i < order.length; i++) {
        for (const child of childrenOf(i < 0 ? serviceId : order[i]!)) {
          if (seen.has(child)) continue;
          seen.add(child);
          order.push(child);
        }
      }
      return order;
    },
    // A parent under a maintenance window is as unavailable, by plan: its children's failures are
    // its, not theirs (UNREACHABLE, not paged), whatever its own checks say underneath.
    rootCauseOf: (serviceId) =>
      deepestDownAncestor(serviceId, parentsOf, (id) => {
        const status = cache.get(id)?.status;
        return status === 'DOWN' || status === 'MAINTENANCE';
      }),
    changed() {
      children = null;
    },
  };
}
