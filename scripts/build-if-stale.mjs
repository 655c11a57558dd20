#!/usr/bin/env node
// `npm start`'s prestart: builds only when something the build reads is newer than the last
// complete build, so a start with a current dist/ costs no compile (tsc and Vite take seconds).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAMP = 'dist/.build-complete';
const INPUTS = [
  'src',
  'web',
  'prisma',
  'scripts/prepare-pgdata.mjs',
  'package-lock.json',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
const SKIP = new Set(['node_modules', 'generated']);

function newest(file) {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(file)) {
    if (!SKIP.has(entry)) max = Math.max(max, newest(path.join(file, entry)));
  }
  return max;
}

const built = newest(STAMP);
const changed = Math.max(...INPUTS.map(newest), newest('src/generated'));
if (built > 0 && changed < built) process.exit(0);

const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
