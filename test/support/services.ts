import net from 'node:net';

/** PostgreSQL for the tests, when TEST_DATABASE_URL is set (CI always sets it). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
/** Redis for the tests, when TEST_REDIS_URL is set (CI always sets it). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

/** A service that was asked for must be there: a missing one fails the run, it never skips tests. */
export async function assertServicesReachable(): Promise<void> {
  for (const [name, url] of [
    ['TEST_DATABASE_URL', TEST_DATABASE_URL],
    ['TEST_REDIS_URL', TEST_REDIS_URL],
  ] as const) {
    if (!url) continue;
    const { hostname, port } = new URL(url);
    const reachable = await canConnect(
      hostname || '127.0.0.1',
      Number(port) || (name === 'TEST_REDIS_URL' ? 6379 : 5432),
    );
    if (!reachable) throw new Error(`${name}=${url} is set but nothing answers there: start it, or unset ${name}`);
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
