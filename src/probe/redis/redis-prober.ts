import type { Socket } from 'node:net';
import { quote } from '../http/target.js';
import { CheckFailure, type CheckRun } from '../net/check-run.js';
import { connectTcp, hostAndPort, type NetOptions } from '../net/connect.js';
import { netProber } from '../net/net-prober.js';
import { timeFirstByte } from '../net/socket-phases.js';
import { handshake } from '../net/tls-handshake.js';
import type { Prober } from '../prober.js';
import type { ProbeTarget } from '../target.js';

export const REDIS_PORT = 6379;

/**
 * redis:// and rediss:// — AUTH when the url has a password, then PING, expecting +PONG. A raw
 * RESP exchange over the shared connect (target policy, one deadline, TLS): two commands need no
 * client library, and the check sees exactly what the server answered.
 */
export function createRedisProber(options: NetOptions): Prober<ProbeTarget> {
  return netProber(async (target, run, reached) => {
    const url = new URL(target.url);
    const address = hostAndPort(target.url, REDIS_PORT);
    reached(address.host);
    const raw = await connectTcp(address.host, address.port, options, run);
    const socket = url.protocol === 'rediss:' ? (await handshake(raw, address.host, target.tls, run)).socket : raw;
    const replies = readReplies(socket, run);
    const password = decodeURIComponent(url.password);
    if (password !== '') {
      const user = decodeURIComponent(url.username);
      socket.write(command(user === '' ? ['AUTH', password] : ['AUTH', user, password]));
      const auth = await replies.next();
      if (!auth.startsWith('+OK')) {
        // The server's words (WRONGPASS, NOAUTH…) name no password; ours never do either.
        throw new CheckFailure('AUTH', `AUTH refused: ${auth.slice(1).trim().slice(0, 200)}`);
      }
    }
    const pong = await timeFirstByte(run.phases, () => {
      socket.write(command(['PING']));
      return replies.next();
    });
    if (pong.startsWith('-NOAUTH')) throw new CheckFailure('AUTH', `PING refused: ${pong.slice(1).trim()}`);
    if (!pong.startsWith('+PONG')) throw new CheckFailure('PROTOCOL', `expected +PONG, got ${quote(pong)}`);
    return { message: 'PONG' };
  });
}

function command(parts: string[]): Buffer {
  const chunks = [`*${parts.length}\r\n`];
  for (const part of parts) chunks.push(`$${Buffer.byteLength(part)}\r\n${part}\r\n`);
  return Buffer.from(chunks.join(''));
}

/** Simple-string and error replies, one line each (all PING and AUTH answer with). */
function readReplies(socket: Socket, run: CheckRun) {
  let buffered = '';
  const lines: string[] = [];
  let waiting: { resolve: (line: string) => void; reject: (err: unknown) => void } | null = null;
  let ended: unknown = null;
  const flush = () => {
    if (waiting === null) return;
    const line = lines.shift();
    if (line !== undefined) {
      const { resolve } = waiting;
      waiting = null;
      resolve(line);
    } else if (ended !== null) {
      const { reject } = waiting;
      waiting = null;
      reject(ended);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    if (buffered.length > 64 * 1024) buffered = buffered.slice(0, 64 * 1024);
    let end = buffered.indexOf('\r\n');
    while (end !== -1) {
      lines.push(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\r\n');
    }
    flush();
  });
  const onEnd = () => {
    ended ??=
      buffered === ''
        ? new CheckFailure('PROTOCOL', 'the server closed the connection without answering')
        : new CheckFailure('PROTOCOL', `not a Redis answer: ${quote(buffered)}`);
    flush();
  };
  socket.on('end', onEnd).on('close', onEnd);
  socket.on('error', (err) => {
    ended ??= err;
    flush();
  });
  run.signal.addEventListener('abort', () => socket.destroy(), { once: true });
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        waiting = { resolve, reject };
        flush();
      }),
  };
}
