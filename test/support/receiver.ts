import http, { type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the receiver got it, body byte for byte. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver answers one request with: a status (and headers, body), or nothing ever. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A notification receiver on 127.0.0.1 for tests: records every request and answers from a
 * script (then 200). It can be stopped and started again on the same port (a receiver down).
 */
export interface Receiver {
  readonly port: number;
  url(path?: string): string;
  readonly requests: ReceivedRequest[];
  /** Answers the next requests with these, in order, then 200 again. */
  script(...answers: Answer[]): void;
  /** Answers every request with this from now on (until `script` or `always(undefined)`). */
  always(answer: Answer | undefined): void;
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let queue: Answer[] = [];
  let standing: Answer | undefined;
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let server: Server;

  const answer = (res: ServerResponse, a: Answer) => {
    if (a === 'hang') {
      hanging.add(res);
      return;
    }
    res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
    res.end(a.body ?? (a.status < 300 ? 'ok' : `status ${a.status}`));
  };

  const listen = async (onPort: number) => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        answer(res, queue.shift() ?? standing ?? { status: 200 });
      });
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };

  const bound = await listen(port);
  const stop = async () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port: bound,
    url: (path = '/hook') => `http://127.0.0.1:${bound}${path}`,
    requests,
    script: (...answers) => {
      queue = answers;
    },
    always: (a) => {
      standing = a;
    },
    stop,
    restart: async () => {
      await listen(bound);
    },
    close: stop,
  };
}
