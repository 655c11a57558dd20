import type { StatusCache } from '../checks/status-cache.js';
import type { PrismaClient } from '../db/database.js';
import type { Registry } from '../registry/registry.js';

/** What every resolver receives: the domain services, never the transport. */
export interface GraphQLContext {
  prisma: PrismaClient;
  registry: Registry;
  cache: StatusCache;
}
