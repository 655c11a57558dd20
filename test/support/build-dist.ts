import { execFileSync } from 'node:child_process';

/**
 * Once per run of the end-to-end tier: compile src/ to dist/ and build web/ into dist/web exactly as `npm start` does, because
 * end-to-end tests start the real server process from dist/.
 */
export default function setup(): void {
  execFileSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // The dashboard the browser tests open, served from dist/web by the same process.
  execFileSync('npx', ['--no-install', 'vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  // The embedded database's template, which a first start copies (made once, then current).
  execFileSync('node', ['scripts/prepare-pgdata.mjs'], { stdio: 'inherit' });
}
