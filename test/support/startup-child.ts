/**
 * A start-up of the database in a process of its own, for tests that kill it at an exact instant.
 * `node --import tsx test/support/startup-child.ts` with
 *   DATA_DIR, DATABASE_URL (optional), MIGRATIONS_DIR (optional),
 *   PAUSE_AT: a phase key ("initdb", "migration-inside:<name>", "migrated", …) at which it prints
 *   "PAUSED <key>" and waits to be killed; without it (or when never reached) it prints "DONE <applied>".
 *   NO_TEMPLATE=1: a first start runs initdb instead of copying the build's template.
 *   MODE=lock: only takes the DATA_DIR lock, prints "LOCKED" or "REFUSED <message>", and waits.
 */
import { lockDataDir } from '../../src/db/data-dir-lock.js';
import { openDatabase } from '../../src/db/database.js';
import type { StartupPhase } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';

function phaseKey(phase: StartupPhase): string {
  return 'name' in phase ? `${phase.kind}:${phase.name}` : phase.kind;
}

const forever = () => new Promise<never>(() => setInterval(() => undefined, 60_000));
const dataDir = process.env.DATA_DIR!;

if (process.env.MODE === 'lock') {
  try {
    await lockDataDir(dataDir);
    console.log('LOCKED');
  } catch (err) {
    console.log(`REFUSED ${(err as Error).message}`);
  }
  await forever();
}

const pauseAt = process.env.PAUSE_AT;
const db = await openDatabase({
  url: process.env.DATABASE_URL,
  dataDir,
  migrationsDir: process.env.MIGRATIONS_DIR,
  ...(process.env.NO_TEMPLATE ? { pgdataTemplate: null } : {}),
  logger: createLogger('silent'),
  onPhase: async (phase) => {
    const key = phaseKey(phase);
    console.log(`PHASE ${key}`);
    if (key === pauseAt) {
      console.log(`PAUSED ${key}`);
      await forever();
    }
  },
});
const applied = await db.migrate();
await db.close();
console.log(`DONE ${JSON.stringify(applied)}`);
