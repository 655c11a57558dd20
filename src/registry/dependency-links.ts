import type { Prisma } from '../generated/prisma/client.js';
import { dependencyProblem } from './dependency-graph.js';
import { ValidationError } from './errors.js';

/** The services a service depends on, as given in register and update. */
export interface DependencyLinks {
  /** Undefined leaves them as they are (on update); null or [] removes them all. */
  dependsOn?: readonly string[] | null;
}

const FIELD = 'dependsOn';
/**
 * Held (pg_advisory_xact_lock) while dependencies are validated and written: two updates on two
 * replicas could each pass the cycle check alone and close a cycle together.
 */
const DEPENDENCY_LOCK_KEY = 1_402_002;

/** What registry queries include so that every row carries the ids it depends on, in order. */
export const WITH_DEPENDENCIES = {
  dependencies: { select: { dependsOnId: true }, orderBy: { position: 'asc' } },
} as const satisfies Prisma.ServiceInclude;

/** The ids a row (read with WITH_DEPENDENCIES) depends on. */
export function dependsOnOf(row: { dependencies: readonly { dependsOnId: string }[] }): string[] {
  return row.dependencies.map((edge) => edge.dependsOnId);
}

/**
 * The nested write of a service's dependencies, after checking, inside `tx` and under the lock,
 * that they exist and close no cycle (the error names the cycle by service names). `create` for a
 * new service, `replace` for an update.
 */
export async function dependencyWrite(
  tx: Prisma.TransactionClient,
  serviceId: string,
  ids: readonly string[] | null | undefined,
  mode: 'create' | 'replace',
) {
  if (ids === undefined) return {};
  const dependsOn = ids ?? [];
  if (dependsOn.length > 0) {
    await tx.$queryRawUnsafe('SELECT 1 FROM pg_advisory_xact_lock($1)', DEPENDENCY_LOCK_KEY);
    const rows = await tx.service.findMany({ select: { id: true, name: true, ...WITH_DEPENDENCIES } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const problem = dependencyProblem(
      serviceId,
      dependsOn,
      (id) => byId.has(id),
      (id) => (byId.get(id) ? dependsOnOf(byId.get(id)!) : []),
      (id) => byId.get(id)?.name ?? id,
    );
    if (problem) throw new ValidationError(FIELD, problem);
  }
  const create = dependsOn.map((dependsOnId, position) => ({ dependsOnId, position }));
  return { dependencies: mode === 'create' ? { create } : { deleteMany: {}, create } };
}

/** A foreign-key violation on the dependency table: a named service was deleted meanwhile. */
export function dependencyViolation(): ValidationError {
  return new ValidationError(FIELD, 'a named service no longer exists');
}
