import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import type { ResolvedAddress } from '../net/connect.js';

/**
 * The UDP sockets of one DNS prober, shared by all its checks: one current socket per address
 * family, instead of a socket bound and closed per query (most of a check's CPU before).
 *
 * Cache-poisoning safety is kept, not traded for speed. An answer is taken only when all of these
 * match a query in flight on that socket: its 16-bit id (from the CSPRNG, never two alike in flight
 * on one socket), its source address and port (the resolver's), the response bit, and the question
 * (name, case-insensitively, type and class, checked by `accepts`). Anything else is ignored and the
 * query keeps waiting until its deadline. The source port stays unpredictable: each socket is bound
 * by the kernel to a random ephemeral port and retired after `MAX_QUERIES_PER_SOCKET` queries or
 * `MAX_SOCKET_AGE_MS`, whichever comes first. A blind forger's odds per datagram are unchanged:
 * n queries in flight on one of P possible ports, or n sockets with one query each, are both hit
 * with probability n / (P × 2^16). What sharing adds is a port's lifetime: a port learnt through a
 * side channel is good for at most 64 queries and 10 s (with a socket per query, for one).
 */

/** Queries one socket serves before a fresh one (a new random port) takes over. */
export const MAX_QUERIES_PER_SOCKET = 64;
/** Age after which a socket takes no new queries. */
export const MAX_SOCKET_AGE_MS = 10_000;

export interface Resolver extends ResolvedAddress {
  port: number;
}

/** One query waiting for its answer. */
interface Pending {
  resolver: Resolver;
  /** The answer read from this datagram (from the resolver, with the query's id), or null: not the answer. */
  read: (message: Buffer) => unknown;
  resolve: (answer: unknown) => void;
  reject: (err: unknown) => void;
}

interface Shared {
  socket: dgram.Socket;
  family: 4 | 6;
  pending: Map<number, Pending>;
  used: number;
  openedAt: number;
  retired: boolean;
}

export interface DnsSockets {
  /**
   * Sends `encode(id)` to the resolver from the shared socket of its family and resolves with what
   * `read` makes of the first datagram from the resolver's address and port that carries the id and
   * that `read` takes (not null). `release` must be called once the caller is done waiting
   * (answered, deadline, abort).
   */
  ask<T extends object>(
    resolver: Resolver,
    encode: (id: number) => Buffer,
    read: (message: Buffer) => T | null,
  ): { answer: Promise<T>; release: () => void };
  /** Closes every socket; queries in flight are rejected. */
  close(): void;
}

export function createDnsSockets(): DnsSockets {
  const current: { 4: Shared | null; 6: Shared | null } = { 4: null, 6: null };
  const open = new Set<Shared>();
  const ids = randomIds();
  let closed = false;

  const retire = (shared: Shared) => {
    shared.retired = true;
    if (current[shared.family] === shared) current[shared.family] = null;
    if (shared.pending.size === 0) shut(shared);
  };
  const shut = (shared: Shared) => {
    if (!open.delete(shared)) return;
    try {
      shared.socket.close();
    } catch {
      // Already closed by an error.
    }
  };
  const fail = (shared: Shared, err: unknown) => {
    retire(shared);
    for (const entry of shared.pending.values()) entry.reject(err);
    shared.pending.clear();
    shut(shared);
  };

  const socketFor = (family: 4 | 6): Shared => {
    const now = performance.now();
    const existing = current[family];
    if (existing !== null) {
      if (existing.used < MAX_QUERIES_PER_SOCKET && now - existing.openedAt < MAX_SOCKET_AGE_MS) {
        return existing;
      }
      retire(existing);
    }
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    const shared: Shared = { socket, family, pending: new Map(), used: 0, openedAt: now, retired: false };
    // The kernel picks a random ephemeral port (bound on the first send); checks keep the process
    // alive through their deadline timers, an idle socket does not.
    socket.unref();
    socket.on('message', (message, from) => {
      if (message.length < 12) return;
      const entry = shared.pending.get(message.readUInt16BE(0));
      if (entry === undefined) return;
      const { resolver } = entry;
      if (from.port !== resolver.port || !sameAddress(from.address, resolver.address)) return;
      const answer = entry.read(message);
      if (answer !== null) entry.resolve(answer);
    });
    socket.on('error', (err) => fail(shared, err));
    open.add(shared);
    current[family] = shared;
    return shared;
  };

  return {
    ask<T extends object>(resolver: Resolver, encode: (id: number) => Buffer, read: (message: Buffer) => T | null) {
      if (closed) return { answer: Promise.reject(new Error('the DNS prober is closed')), release: () => {} };
      const shared = socketFor(resolver.family);
      let id = ids();
      while (shared.pending.has(id)) id = ids();
      shared.used += 1;
      let entry: Pending | undefined;
      const answer = new Promise<T>((resolve, reject) => {
        entry = { resolver, read, resolve: resolve as (answer: unknown) => void, reject };
      });
      shared.pending.set(id, entry as Pending);
      shared.socket.send(encode(id), resolver.port, resolver.address, (err) => {
        if (err) entry?.reject(err);
      });
      const release = () => {
        if (shared.pending.get(id) !== entry) return;
        shared.pending.delete(id);
        if (shared.retired && shared.pending.size === 0) shut(shared);
      };
      return { answer, release };
    },
    close() {
      closed = true;
      for (const shared of [...open]) fail(shared, new Error('the DNS prober is closed'));
    },
  };
}

/** Unpredictable 16-bit ids from the CSPRNG, drawn in batches. */
function randomIds(): () => number {
  const pool = Buffer.alloc(2_048);
  let at = pool.length;
  return () => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    const id = pool.readUInt16BE(at);
    at += 2;
    return id;
  };
}

function sameAddress(a: string, b: string): boolean {
  return a === b || a === `::ffff:${b}` || b === `::ffff:${a}`;
}
