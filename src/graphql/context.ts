import type { Principal } from '../tokens/principal.js';
import type { GraphQLDeps } from './deps.js';
import { createLoaders, type Loaders } from './loaders.js';

/** What every resolver receives: the domain services, who is asking, and per-request batch loaders. */
export interface GraphQLContext extends GraphQLDeps {
  /** The authenticated principal (server/auth.ts); subscriptions are shared only within one principal. */
  principal: Principal;
  loaders: Loaders;
}

export function createContext(deps: GraphQLDeps, principal: Principal): GraphQLContext {
  return { ...deps, principal, loaders: createLoaders(deps) };
}
