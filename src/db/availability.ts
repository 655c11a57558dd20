import type { Logger } from '../logger.js';

/** The database cannot be reached right now; the operation can be retried later. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(cause?: unknown) {
    super('the database is unavailable; try again shortly', { cause });
  }
}

const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
]);
const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|Connection terminated|timeout exceeded when trying to connect|Query read timeout|Can't reach database|server closed the connection|Client has encountered a connection error/i;

/** True for errors that mean "no database right now", whatever layer raised them (pg, adapter, Prisma). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    const { code, meta, message } = e as {
      code?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: string } } };
      message?: unknown;
    };
    if (
      typeof code === 'string' &&
      (UNAVAILABLE_CODES.has(code) || /^E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH)$/.test(code))
    )
      return true;
    const kind = meta?.driverAdapterError?.cause?.kind ?? (e as { kind?: string }).kind;
    if (kind && UNAVAILABLE_KINDS.has(kind)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  }
  return false;
}

export interface DatabaseHealth {
  /** False from the first failed probe or operation until a probe succeeds again. */
  readonly available: boolean;
  /**
   * Runs a database operation: refused at once while the database is known to be down (callers
   * fail fast instead of each waiting for a connection timeout); a connection failure marks it down.
   */
  guard<T>(operation: () => Promise<T>): Promise<T>;
  start(): void;
  stop(): void;
}

/** Watches the database with a cheap periodic probe; readiness and mutations read the verdict. */
export function createDatabaseHealth(options: {
  ping: (timeoutMs: number) => Promise<boolean>;
  logger: Logger;
  intervalMs?: number;
  onChange?: (available: boolean) => void;
}): DatabaseHealth {
  const log = options.logger.child({ component: 'db-health' });
  const intervalMs = options.intervalMs ?? 1_000;
  let available = true;
  let downSince = 0;
  let timer: NodeJS.Timeout | null = null;
  let probing = false;

  const set = (next: boolean) => {
    if (next === available) return;
    available = next;
    if (next) log.info({ downForMs: Date.now() - downSince }, 'database reachable again');
    else {
      downSince = Date.now();
      log.warn('database unreachable: mutations are refused, history is buffered');
    }
    options.onChange?.(next);
  };

  const probe = async () => {
    if (probing) return;
    probing = true;
    try {
      set(await options.ping(Math.min(intervalMs, 2_000)));
    } finally {
      probing = false;
    }
  };

  return {
    get available() {
      return available;
    },
    async guard(operation) {
      if (!available) throw new DatabaseUnavailableError();
      try {
        return await operation();
      } catch (err) {
        if (isDatabaseUnavailable(err)) {
          set(false);
          throw new DatabaseUnavailableError(err);
        }
        throw err;
      }
    },
    start() {
      timer ??= setInterval(() => void probe(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
