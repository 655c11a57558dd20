import { execFileSync } from 'node:child_process';

/**
 * Once per run of the end-to-end tier: compile src/ to dist/ exactly as `npm start` does, because
 * end-to-end tests start the real server process from dist/.
 */
export default function setup(): void {
  execFileSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
