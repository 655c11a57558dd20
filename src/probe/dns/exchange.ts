import { randomInt } from 'node:crypto';
import type net from 'node:net';
import * as packet from 'dns-packet';
import { CheckFailure, type CheckRun } from '../net/check-run.js';
import { connectTcp, type NetOptions, type ResolvedAddress } from '../net/connect.js';
import { addPhase } from '../prober.js';
import type { DnsRecordType } from './options.js';
import type { DnsSockets, Resolver } from './udp-sockets.js';

/** A decoded answer, with the rcode dns-packet sets but its types leave out. */
export type DnsResponse = packet.DecodedPacket & { rcode?: string };

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
  name: string,
  type: DnsRecordType,
  options: NetOptions,
  run: CheckRun,
): Promise<{ response: DnsResponse; transport: 'udp' | 'tcp' }> {
  let asked = performance.now();
  const udp = await overUdp(sockets, resolver, name, type, run);
  addPhase(run.phases, 'firstByteMs', performance.now() - asked);
  if (!udp.flag_tc) return { response: udp, transport: 'udp' };
  run.stage = 'connecting';
  const socket = await connectTcp(resolver.address, resolver.port, options, run);
  const id = randomInt(0, 65_536);
  socket.write(packet.streamEncode(queryOf(id, name, type)));
  asked = performance.now();
  const response = await overTcp(socket, id, name, type, run);
  addPhase(run.phases, 'firstByteMs', performance.now() - asked);
  return { response, transport: 'tcp' };
}

function queryOf(id: number, name: string, type: DnsRecordType): packet.Packet {
  return { type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] };
}

function overUdp(sockets: DnsSockets, resolver: Resolver, name: string, type: DnsRecordType, run: CheckRun) {
  const { answer, release } = sockets.ask(
    resolver,
    (id) => packet.encode(queryOf(id, name, type)),
    (message) => {
      const decoded = decode(message);
      return decoded !== null && answers(decoded, name, type) ? decoded : null;
    },
  );
  run.defer(release);
  // Nothing to connect: the deadline from here on is a resolver that does not answer.
  run.stage = 'connected';
  return answer;
}

/** The response to this question (the id and the source are checked by the caller). */
function answers(response: DnsResponse, name: string, type: DnsRecordType): boolean {
  const question = response.questions?.[0];
  return (
    response.type === 'response' &&
    response.questions?.length === 1 &&
    question !== undefined &&
    question.type === type &&
    (question.class ?? 'IN') === 'IN' &&
    question.name.toLowerCase() === name.toLowerCase()
  );
}

function overTcp(
  socket: net.Socket,
  id: number,
  name: string,
  type: DnsRecordType,
  run: CheckRun,
): Promise<DnsResponse> {
  return new Promise<DnsResponse>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const decoded = decode(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        if (decoded !== null && decoded.id === id && answers(decoded, name, type)) {
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

function decode(message: Buffer): DnsResponse | null {
  try {
    return packet.decode(message) as DnsResponse;
  } catch {
    return null;
  }
}
