import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';

/** How a TCP peer started by a test behaves once a client connects. */
export type TcpBehaviour =
  /** Answers "+PONG\r\n" to every line, and greets with "HELLO\r\n". */
  | 'answering'
  /** Accepts and never sends anything. */
  | 'silent'
  /** Accepts and closes at once. */
  | 'closing'
  /** Greets with "HELLO\r\n" 150 ms after the connection. */
  | 'slow';

export interface TcpPeer {
  readonly port: number;
  readonly url: string;
  /** Bytes received from every client, in order. */
  readonly received: string[];
  /** Client connections open now. */
  connections(): number;
  close(): Promise<void>;
}

/** A real TCP server on 127.0.0.1 (port 0) behaving as asked. */
export async function startTcpPeer(behaviour: TcpBehaviour): Promise<TcpPeer> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk) => received.push(chunk.toString('utf8')));
    if (behaviour === 'closing') socket.destroy();
    else if (behaviour === 'slow') setTimeout(() => socket.write('HELLO\r\n'), 150).unref();
    else if (behaviour === 'answering') {
      socket.write('HELLO\r\n');
      socket.on('data', () => socket.write('+PONG\r\n'));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    received,
    connections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
