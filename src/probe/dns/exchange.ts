import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import type net from 'node:net';
import * as packet from 'dns-packet';
import { CheckFailure, type CheckRun } from '../net/check-run.js';
import { connectTcp, type NetOptions, type ResolvedAddress } from '../net/connect.js';
import { addPhase } from '../prober.js';
import type { DnsRecordType } from './options.js';

/** A decoded answer, with the rcode dns-packet sets but its types leave out. */
export type DnsResponse = packet.DecodedPacket & { rcode?: string };

/** Larger than any UDP answer without EDNS (512 bytes) and than a typical EDNS buffer. */
const MAX_TCP_ANSWER_BYTES = 65_535;

/**
 * One question to a resolver over UDP; a truncated answer (TC) is asked again over TCP, as
 * RFC 7766 asks. Both under the run's deadline; an answer whose id or question does not match is ignored.
 */
export async function askResolver(
  resolver: ResolvedAddress & { port: number; host: string },
  name: string,
  type: DnsRecordType,
  options: NetOptions,
  run: CheckRun,
): Promise<{ response: DnsResponse; transport: 'udp' | 'tcp' }> {
  const id = randomInt(0, 65_536);
  const query: packet.Packet = {
    type: 'query',
    id,
    flags: packet.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
  };
  let asked = performance.now();
  const udp = await overUdp(resolver, packet.encode(query), id, run);
  addPhase(run.phases, 'firstByteMs', performance.now() - asked);
  if (!udp.flag_tc) return { response: udp, transport: 'udp' };
  run.stage = 'connecting';
  const socket = await connectTcp(resolver.address, resolver.port, options, run);
  socket.write(packet.streamEncode(query));
  asked = performance.now();
  const response = await overTcp(socket, id, run);
  addPhase(run.phases, 'firstByteMs', performance.now() - asked);
  return { response, transport: 'tcp' };
}

function overUdp(resolver: ResolvedAddress & { port: number }, query: Buffer, id: number, run: CheckRun) {
  const socket = dgram.createSocket(resolver.family === 6 ? 'udp6' : 'udp4');
  run.defer(() => socket.close());
  // Nothing to connect: the deadline from here on is a resolver that does not answer.
  run.stage = 'connected';
  return new Promise<DnsResponse>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (message, from) => {
      if (from.port !== resolver.port || !sameAddress(from.address, resolver.address)) return;
      const decoded = decode(message);
      if (decoded !== null && decoded.id === id && decoded.type === 'response') resolve(decoded);
    });
    socket.send(query, resolver.port, resolver.address, (err) => {
      if (err) reject(err);
    });
  });
}

function overTcp(socket: net.Socket, id: number, run: CheckRun): Promise<DnsResponse> {
  return new Promise<DnsResponse>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        const decoded = decode(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        if (decoded !== null && decoded.id === id) {
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

function sameAddress(a: string, b: string): boolean {
  return a === b || a === `::ffff:${b}` || b === `::ffff:${a}`;
}
