import dgram from 'node:dgram';
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import * as packet from 'dns-packet';

/**
 * A DNS server on 127.0.0.1, UDP and TCP on one port, answering by the name asked:
 *   ok.test           A 192.0.2.10 and 192.0.2.11, MX 10 mail.ok.test, TXT "v=spf1 -all"
 *   missing.test      NXDOMAIN
 *   broken.test       SERVFAIL
 *   empty.test        NOERROR with no answer
 *   silent.test       never answers
 *   big.test          over UDP: truncated (TC, no answers); over TCP: 40 A records
 *   garbage.test      answers bytes that are no DNS message, then the real answer with a wrong id
 *   spoofed.test      over UDP: forgeries first — the right id and question from another port, and from
 *                    the server's own port the right id with another name, another type, the query bit
 *                    (each with A 203.0.113.66) — then, 50 ms later, the real answer A 192.0.2.53
 */
export interface DnsServer {
  readonly port: number;
  /** dns://127.0.0.1:<port>/<name> */
  url(name: string): string;
  /** Questions received, as "udp:name:type" / "tcp:name:type". */
  readonly questions: string[];
  /** Where each UDP question came from, as "address:port", in order. */
  readonly sources: string[];
  close(): Promise<void>;
}

const RCODE_NXDOMAIN = 3;
const RCODE_SERVFAIL = 2;

export async function startDnsServer(): Promise<DnsServer> {
  const questions: string[] = [];
  const sources: string[] = [];
  const { udp, tcp, port } = await bindBoth();
  // The forger: same host, another port.
  const forger = dgram.createSocket('udp4');
  forger.bind(0, '127.0.0.1');
  await once(forger, 'listening');
  const sockets = new Set<Socket>();

  const answer = (query: packet.DecodedPacket, transport: 'udp' | 'tcp'): Buffer[] => {
    const question = query.questions?.[0];
    if (!question) return [];
    questions.push(`${transport}:${question.name}:${question.type}`);
    const reply = (extra: Partial<packet.Packet>): packet.Packet => ({
      type: 'response',
      id: query.id,
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
      questions: [question],
      ...extra,
    });
    const rcode = (code: number) => reply({ flags: packet.RECURSION_DESIRED | code });
    switch (question.name) {
      case 'ok.test': {
        const records: Record<string, packet.Answer[]> = {
          A: [
            { type: 'A', name: 'ok.test', ttl: 60, data: '192.0.2.10' },
            { type: 'A', name: 'ok.test', ttl: 60, data: '192.0.2.11' },
          ],
          MX: [{ type: 'MX', name: 'ok.test', ttl: 60, data: { preference: 10, exchange: 'mail.ok.test' } }],
          TXT: [{ type: 'TXT', name: 'ok.test', ttl: 60, data: 'v=spf1 -all' }],
        };
        return [packet.encode(reply({ answers: records[question.type] ?? [] }))];
      }
      case 'missing.test':
        return [packet.encode(rcode(RCODE_NXDOMAIN))];
      case 'broken.test':
        return [packet.encode(rcode(RCODE_SERVFAIL))];
      case 'empty.test':
        return [packet.encode(reply({ answers: [] }))];
      case 'silent.test':
        return [];
      case 'big.test':
        if (transport === 'udp') return [packet.encode(reply({ flags: packet.TRUNCATED_RESPONSE }))];
        return [
          packet.encode(
            reply({
              answers: Array.from({ length: 40 }, (_, i) => ({
                type: 'A' as const,
                name: 'big.test',
                ttl: 60,
                data: `192.0.2.${i + 1}`,
              })),
            }),
          ),
        ];
      case 'garbage.test':
        return [
          Buffer.from('not dns'),
          packet.encode({ ...reply({ answers: [] }), id: ((query.id ?? 0) + 1) % 65_536 }),
        ];
      case 'spoofed.test':
        return [packet.encode(reply({ answers: [{ type: 'A', name: 'spoofed.test', ttl: 60, data: '192.0.2.53' }] }))];
      default:
        return [packet.encode(rcode(RCODE_NXDOMAIN))];
    }
  };

  const forge = (query: packet.DecodedPacket, from: dgram.RemoteInfo) => {
    const question = query.questions?.[0] as packet.Question;
    const forged = (changes: Partial<packet.Packet>, q: packet.Question = question) =>
      packet.encode({
        type: 'response',
        id: query.id,
        flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
        questions: [q],
        answers: [{ type: 'A', name: q.name, ttl: 60, data: '203.0.113.66' }],
        ...changes,
      });
    forger.send(forged({}), from.port, from.address);
    udp.send(forged({}, { ...question, name: 'ok.test' }), from.port, from.address);
    udp.send(forged({}, { ...question, type: 'AAAA' }), from.port, from.address);
    udp.send(forged({ type: 'query' }), from.port, from.address);
  };

  udp.on('message', (message, from) => {
    sources.push(`${from.address}:${from.port}`);
    const query = packet.decode(message);
    const replies = answer(query, 'udp');
    if (query.questions?.[0]?.name === 'spoofed.test') {
      forge(query, from);
      setTimeout(() => {
        for (const out of replies) udp.send(out, from.port, from.address);
      }, 50);
      return;
    }
    for (const out of replies) udp.send(out, from.port, from.address);
  });
  tcp.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket)).on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const query = packet.decode(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        for (const out of answer(query, 'tcp')) {
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(out.length);
          socket.write(Buffer.concat([prefix, out]));
        }
      }
    });
  });

  return {
    port,
    url: (name) => `dns://127.0.0.1:${port}/${name}`,
    questions,
    sources,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => forger.close(() => resolve())),
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** A UDP and a TCP socket on the same free port of 127.0.0.1 (tries again if the TCP port is taken). */
async function bindBoth(): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const udp = dgram.createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const { port } = udp.address() as AddressInfo;
    const tcp = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', () => resolve());
      });
      return { udp, tcp, port };
    } catch {
      udp.close();
    }
  }
  throw new Error('no port free for both UDP and TCP');
}
