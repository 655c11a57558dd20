import { execFileSync } from 'node:child_process';

/**
 * Once per run: compile src/ to dist/ exactly as `npm start` does, because end-to-end tests start
 * the real server process from dist/. Also fails early and loudly when CI asked for PostgreSQL or
 * Redis and they are not there.
 */
export default async function setup(): Promise<void> {
  execFileSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const { assertServicesReachable } = await import('./services.js');
  await assertServicesReachable();
}
