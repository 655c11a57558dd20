#!/usr/bin/env node
// Runs on `npm install`/`npm ci`: generates the Prisma client, the Pothos Prisma types and the typed
// test documents. Offline-safe: `prisma generate` never runs the native schema engine, it only
// insists that the binary exists, so unless the user points PRISMA_SCHEMA_ENGINE_BINARY at a real
// engine it is pointed at an existing file to skip the download (see README, "Migrations").
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ||= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
env.CHECKPOINT_DISABLE = '1';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('npx', ['--no-install', 'prisma', 'generate']);
// graphql-codegen is a development tool; a production install (--omit=dev) has no tests to type.
if (existsSync('node_modules/@graphql-codegen/cli'))
  run('npx', ['--no-install', 'graphql-codegen', '--config', 'codegen.ts']);
