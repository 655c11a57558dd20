import type { WebSocket } from 'ws';
import type { Logger } from '../logger.js';

/** Close code for a client that does not read what it subscribed to (RFC 6455 "policy violation"). */
export const CLOSE_SLOW_CONSUMER = 1008;

/** Closes a socket whose client does not read its events, and cuts it if it does not read the close either. */
export function closeSlowConsumer(socket: WebSocket, log: Logger): void {
  if (socket.readyState !== socket.OPEN) return;
  log.warn({ bufferedBytes: socket.bufferedAmount }, 'closing a WebSocket that does not read its events');
  socket.close(CLOSE_SLOW_CONSUMER, 'slow consumer: events are not being read');
  // A client that reads nothing will not read the close frame either.
  setTimeout(() => socket.terminate(), 1_000).unref();
}

/**
 * Sends a frame unless the socket already holds more than `maxBufferedBytes` unsent, in which case
 * its client is a slow consumer and the socket is closed. Resolves once the frame is handed to the
 * kernel, or at once when it is not sent.
 */
export function sendOrCloseSlow(socket: WebSocket, data: string, maxBufferedBytes: number, log: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket.readyState !== socket.OPEN) return resolve();
    if (socket.bufferedAmount > maxBufferedBytes) {
      closeSlowConsumer(socket, log);
      return resolve();
    }
    socket.send(data, () => resolve());
  });
}
