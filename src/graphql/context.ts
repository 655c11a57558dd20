import type { Principal } from '../tokens/principal.js';
import type { GraphQLDeps } from './deps.js';
import { createLoaders, type Loaders } from './loaders.js';

/** What every resolver receives: the domain services, who is asking, and per-request batch loaders. */
export interface GraphQLContext extends GraphQLDeps {
  /** The authenticated principal (server/auth.ts); subscriptions are shared only within one principal. */
  principal: Principal;
  loaders: Loaders;
  /** The origin the request was sent to (push URLs are made from it when PUBLIC_URL is unset). */
  requestOrigin: string | null;
}

export function createContext(
  deps: GraphQLDeps,
  principal: Principal,
  requestOrigin: string | null = null,
): GraphQLContext {
  return { ...deps, principal, loaders: createLoaders(deps), requestOrigin };
}
