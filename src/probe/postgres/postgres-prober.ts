import type { Socket } from 'node:net';
import pg from 'pg';
import { CheckFailure, type CheckRun } from '../net/check-run.js';
import { classifyNetError, hostAndPort, type NetOptions, resolveAllowed } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import { timeFirstByte, timeSocket } from '../net/socket-phases.js';
import { addPhase, type Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

export const POSTGRES_PORT = 5432;

/**
 * postgres://user:password@host:port/db — connects, authenticates, runs SELECT 1. The password
 * goes to the server only: messages name the user and database, never the password.
 * `?sslmode=require` (or verify-full) speaks TLS, verified unless tlsSkipVerify.
 */
export function createPostgresProber(options: NetOptions): Prober<ProbeTarget> {
  return netProber(async (target, run, reached) => {
    const url = new URL(target.url);
    const address = hostAndPort(target.url, POSTGRES_PORT);
    reached(address.host);
    const resolved = await resolveAllowed(address.host, options, run);
    const user = decodeURIComponent(url.username) || 'postgres';
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
    const sslmode = url.searchParams.get('sslmode') ?? 'disable';
    const client = new pg.Client({
      host: resolved.address,
      port: address.port,
      user,
      password: decodeURIComponent(url.password),
      database,
      connectionTimeoutMillis: run.timeoutMs,
      ...(sslmode === 'disable' ? {} : { ssl: sslOptions(target, address.host) }),
    });
    client.on('error', () => {});
    const connection = (client as unknown as { connection: PgConnection }).connection;
    timeSocket(connection.stream, run.phases);
    // pg starts TLS on the connected socket, in a TLSSocket of its own: the handshake is 'connect' to 'sslconnect'.
    let connectedAt: number | null = null;
    connection.stream.once('connect', () => {
      connectedAt = performance.now();
    });
    connection.once('sslconnect', () => {
      if (connectedAt !== null) addPhase(run.phases, 'tlsMs', performance.now() - connectedAt);
    });
    run.defer(() => {
      void client.end().catch(() => {});
    });
    await client.connect();
    run.stage = 'connected';
    const result = await timeFirstByte(run.phases, () => client.query('SELECT 1 AS ok'));
    if (result.rows[0]?.ok !== 1) throw new CheckFailure('PROTOCOL', 'SELECT 1 did not return 1');
    return { message: `SELECT 1 as ${user} on ${database}` };
  }, classify);
}

/** The part of pg's (untyped) Connection that is timed. */
interface PgConnection {
  stream: Socket;
  once(event: 'sslconnect', listener: () => void): void;
}

function sslOptions(target: ProbeTarget, servername: string) {
  const ca = target.tls?.caCertificate;
  return { rejectUnauthorized: !(target.tls?.skipVerify ?? false), servername, ...(ca ? { ca } : {}) };
}

/** SQLSTATE class 28 is "invalid authorization specification": the server refused the credentials. */
function classify(err: unknown, host: string, run: CheckRun): CheckFailure {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (code.startsWith('28')) return new CheckFailure('AUTH', `authentication refused (${code}): ${message}`);
    if (code === '3D000') return new CheckFailure('AUTH', `the database does not exist (${code}): ${message}`);
    return new CheckFailure('PROTOCOL', `${code}: ${message}`.slice(0, 300));
  }
  if (/timeout expired/i.test(message)) {
    return run.stage === 'connected'
      ? new CheckFailure('TIMEOUT', `timed out after ${run.timeoutMs} ms`)
      : new CheckFailure('CONNECT_TIMEOUT', `could not connect within ${run.timeoutMs} ms`);
  }
  if (/Connection terminated|unexpected|does not support SSL/i.test(message)) {
    return new CheckFailure('PROTOCOL', `not a PostgreSQL server, or it hung up (${message})`.slice(0, 300));
  }
  return classifyNetError(err, host, run);
}
