import { randomInt } from 'node:crypto';
import type net from 'node:net';
import { CheckFailure, type CheckRun } from '../net/check-run.js';
import { connectTcp, type NetOptions, type ResolvedAddress } from '../net/connect.js';
import { addPhase } from '../prober.js';
import type { DnsSockets, Resolver } from './udp-sockets.js';
import { type DnsResponse, queryWithId, readResponse } from './wire.js';

/** Larger than any UDP answer without EDNS (512 bytes) and than a typical EDNS buffer. */
const MAX_TCP_ANSWER_BYTES = 65_535;

/**
 * One question to a resolver over UDP; a truncated answer (TC) is asked again over TCP, as
 * RFC 7766 asks. Both under the run's deadline; an answer whose id, source or question does not match
 * is ignored. UDP goes through the prober's shared sockets (see udp-sockets.ts for what is matched).
 */
export async function askResolver(
  sockets: DnsSockets,
  resolver: ResolvedAddress & { port: number; host: string },
  /** The question, from `questionTemplate`. */
  question: Buffer,
  options: NetOptions,
  run: CheckRun,
): Promise<{ response: DnsResponse; transport: 'udp' | 'tcp' }> {
  let asked = performance.now();
  const udp = await overUdp(sockets, resolver, question, run);
  addPhase(run.phases, 'firstByteMs', performance.now() - asked);
  if (!udp.flag_tc) return { response: udp, transport: 'udp' };
  run.stage = 'connecting';
  const socket = await connectTcp(resolver.address, resolver.port, options, run);
  const id = randomInt(0, 65_536);
  const query = queryWithId(question, id);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(query.length);
  socket.write(Buffer.concat([length, query]));
  asked = performance.now();
  const response = await overTcp(socket, id, question, run);
  addPhase(run.phases, 'firstByteMs', performance.now() - asked);
  return { response, transport: 'tcp' };
}

function overUdp(sockets: DnsSockets, resolver: Resolver, question: Buffer, run: CheckRun) {
  const { answer, release } = sockets.ask(
    resolver,
    (id) => queryWithId(question, id),
    (message) => readResponse(message, question),
  );
  run.defer(release);
  // Nothing to connect: the deadline from here on is a resolver that does not answer.
  run.stage = 'connected';
  return answer;
}

function overTcp(socket: net.Socket, id: number, question: Buffer, run: CheckRun): Promise<DnsResponse> {
  return new Promise<DnsResponse>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const decoded = message.length >= 2 && message.readUInt16BE(0) === id ? readResponse(message, question) : null;
        if (decoded !== null) {
          resolve(decoded);
          return;
        }
      }
      if (buffered.length > MAX_TCP_ANSWER_BYTES + 2) {
        reject(new CheckFailure('PROTOCOL', 'the resolver sent more than one DNS message can hold'));
      }
    });
    socket.once('end', () =>
      reject(new CheckFailure('NETWORK', 'the resolver closed the TCP connection without an answer')),
    );
    socket.once('error', reject);
    run.signal.addEventListener('abort', () => socket.destroy(), { once: true });
  });
}
