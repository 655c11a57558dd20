import net, { type AddressInfo, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** host:port to give the client instead of the real service. */
  readonly address: string;
  /** Cuts every open connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  /**
   * Stops passing on what the service sends, as a client that stops reading would: the service's
   * writes back up in its socket buffers. Until `resume()`; new connections start paused too.
   */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy owned by the test, in front of PostgreSQL, Redis or the server: it lets a test take
 * a service away mid-run (connections reset, new ones refused) and bring it back, without touching
 * the shared service itself, or play a client that stops reading.
 */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  let paused = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    if (paused) upstream.pause();
    else upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const cutAll = () => {
    cut = true;
    for (const [client, upstream] of pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    address: `127.0.0.1:${port}`,
    cut: cutAll,
    restore() {
      cut = false;
    },
    get isCut() {
      return cut;
    },
    pause() {
      paused = true;
      for (const [client, upstream] of pairs) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const [client, upstream] of pairs) upstream.pipe(client);
    },
    close() {
      cutAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
