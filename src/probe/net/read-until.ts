import type { Socket } from 'node:net';
import { quote } from '../http/target.js';
import { addPhase } from '../prober.js';
import { CheckFailure, type CheckRun } from './check-run.js';

/** What a peer is read for at most: the same bound as an HTTP body. */
export const PEER_READ_LIMIT_BYTES = 64 * 1024;

/**
 * Reads what the peer sends until `expect` appears (as UTF-8 bytes) within the first 64 KiB.
 * Fails with BODY_MISMATCH, naming what arrived, when the peer closes or the limit is reached first.
 * A socket error rejects with the error itself, for the kind to classify.
 */
export function readUntil(socket: Socket, expect: string, run: CheckRun): Promise<Buffer> {
  const needle = Buffer.from(expect, 'utf8');
  const started = performance.now();
  let firstAt: number | null = null;
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const stop = () => {
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      if (firstAt === null) {
        firstAt = performance.now();
        addPhase(run.phases, 'firstByteMs', firstAt - started);
      }
      const room = PEER_READ_LIMIT_BYTES - received.length;
      received = Buffer.concat([received, room < chunk.length ? chunk.subarray(0, room) : chunk]);
      if (received.indexOf(needle) !== -1) {
        stop();
        addPhase(run.phases, 'transferMs', performance.now() - firstAt);
        resolve(received);
      } else if (received.length >= PEER_READ_LIMIT_BYTES) {
        stop();
        reject(mismatch(expect, received, 'in the first 64 KiB'));
      }
    };
    const onEnd = () => {
      stop();
      reject(mismatch(expect, received, 'before the peer closed the connection'));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
    run.signal.addEventListener('abort', stop, { once: true });
  });
}

function mismatch(expect: string, received: Buffer, where: string): CheckFailure {
  const got = received.length === 0 ? 'nothing' : quote(received.toString('utf8'));
  return new CheckFailure('BODY_MISMATCH', `expected ${quote(expect)} ${where}, got ${got}`);
}

/**
 * What the peer sends first (its banner): the first chunk that arrives, or nothing when it closes
 * first; at most 64 KiB. Socket errors reject, for the kind to classify.
 */
export function readFirst(socket: Socket, run: CheckRun): Promise<Buffer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const stop = () => {
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      stop();
      addPhase(run.phases, 'firstByteMs', performance.now() - started);
      resolve(chunk.length > PEER_READ_LIMIT_BYTES ? chunk.subarray(0, PEER_READ_LIMIT_BYTES) : chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.alloc(0));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
    run.signal.addEventListener('abort', stop, { once: true });
  });
}
