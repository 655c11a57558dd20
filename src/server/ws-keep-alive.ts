import type { WebSocket } from 'ws';

/**
 * The keep-alive sweep pings one slice of the sockets at a time, one slice every
 * keepAliveMs / KEEP_ALIVE_SLICES, so each socket is still pinged every keepAliveMs. Pinging 10,000
 * sockets at once held the event loop for ~0.2 s every 12 s, and an event fan-out that fell in it
 * waited that long (bench:fanout).
 */
const KEEP_ALIVE_SLICES = 12;

export interface KeepAliveSweep {
  /** Pings the socket every keepAliveMs from now on; one that did not answer the previous ping is terminated. */
  track(socket: WebSocket): void;
  stop(): void;
}

export function startKeepAliveSweep(keepAliveMs: number): KeepAliveSweep {
  const alive = new WeakSet<WebSocket>();
  const slices = Array.from({ length: KEEP_ALIVE_SLICES }, () => new Set<WebSocket>());
  let nextSlice = 0;
  let tick = 0;

  const sweep = setInterval(() => {
    for (const socket of slices[tick++ % KEEP_ALIVE_SLICES]!) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, keepAliveMs / KEEP_ALIVE_SLICES);
  sweep.unref();

  return {
    track(socket) {
      alive.add(socket);
      const slice = slices[nextSlice++ % KEEP_ALIVE_SLICES]!;
      slice.add(socket);
      socket.once('close', () => slice.delete(socket));
      socket.on('pong', () => alive.add(socket));
    },
    stop: () => clearInterval(sweep),
  };
}
