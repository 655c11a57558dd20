import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

const LOCK_FILE = 'statuschecker.pid';
/** An empty lock file is a process of an older version between its create and its write: give it this long. */
const EMPTY_LOCK_GRACE_MS = 2_000;

/**
 * The embedded database must have one process: two PGlite instances on one directory corrupt it.
 * A pid file claims the directory. It is written whole under a private name and then hard-linked
 * into place, so the claim is atomic and the file never exists empty; a file whose process no
 * longer runs is moved aside, checked to be the one judged stale, and only then removed.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, LOCK_FILE);
  const mine = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(mine, String(process.pid), { flag: 'wx' });
  try {
    const deadline = Date.now() + EMPTY_LOCK_GRACE_MS;
    for (;;) {
      if (await tryLink(mine, file)) {
        return async () => {
          await rm(file, { force: true });
        };
      }
      const content = await readFile(file, 'utf8').catch(() => undefined);
      if (content === undefined) continue; // removed in between: try again
      const pid = Number(content.trim());
      if (content.trim() === '' || !Number.isInteger(pid) || pid <= 0) {
        if (Date.now() > deadline) throw inUse(dataDir, `an unreadable pid file ${JSON.stringify(content)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if (pid !== process.pid && isRunning(pid)) throw inUse(dataDir, `pid ${pid}`);
      await takeOverStale(file, content);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Two processes may judge the same file stale at once; the first removes it and takes the
 * directory, and the second must not then remove the first one's fresh claim. So the file is
 * renamed aside (atomic), and what was moved is read again: a live claim is linked back.
 */
async function takeOverStale(file: string, staleContent: string): Promise<void> {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== staleContent) await tryLink(aside, file);
  await unlink(aside);
}

function inUse(dataDir: string, holder: string): Error {
  return new Error(
    `DATA_DIR ${dataDir} is in use by another statuschecker process (${holder}): the embedded database serves one process. ` +
      'Stop it, use another DATA_DIR, or run replicas on PostgreSQL (DATABASE_URL).',
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
