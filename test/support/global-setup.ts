import { assertServicesReachable } from './services.js';

/**
 * Once per run of a tier that talks to PostgreSQL or Redis: fails early and loudly when CI asked for
 * them and they are not there.
 */
export default async function setup(): Promise<void> {
  await assertServicesReachable();
}
