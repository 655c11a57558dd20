import type { Parameters } from 'fast-check';

/**
 * fast-check parameters for a property, overridable from the environment. On failure fast-check
 * prints the seed and path: replay with FC_SEED=<seed> (and FC_PATH=<path> to go straight to the
 * shrunk case); FC_RUNS=<n> runs longer. A `seed` among the defaults pins the inputs, so that the
 * unit tier gives the same verdict on every run.
 */
export function propertyParameters<T>(defaults: Parameters<T> = {}): Parameters<T> {
  return {
    ...defaults,
    ...(process.env.FC_RUNS ? { numRuns: Number(process.env.FC_RUNS) } : {}),
    ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
    ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
  };
}
