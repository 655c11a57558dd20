import type { WebSocket } from 'ws';
import type { Principal } from '../tokens/principal.js';
import type { Authenticator } from './auth.js';

/** The close code of a socket whose token is refused (graphql-ws's own "Forbidden"). */
export const CLOSE_FORBIDDEN = 4403;
/** setTimeout's longest delay; a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TokenSockets {
  /** Closes the socket (4403) when its token is revoked, or when it expires. */
  track(socket: WebSocket, principal: Principal): void;
  stop(): void;
}

/** A revoked or expired token loses its open sockets at once, not only its next request. */
export function createTokenSockets(auth: Pick<Authenticator, 'onRevoked'>): TokenSockets {
  const byToken = new Map<string, Set<WebSocket>>();
  const unsubscribe = auth.onRevoked((tokenId) => {
    for (const socket of byToken.get(tokenId) ?? []) socket.close(CLOSE_FORBIDDEN, 'token revoked');
  });
  const expireAt = (socket: WebSocket, expiresAt: Date) => {
    const delay = expiresAt.getTime() - Date.now();
    if (delay <= 0) {
      socket.close(CLOSE_FORBIDDEN, 'token expired');
      return;
    }
    const timer = setTimeout(() => expireAt(socket, expiresAt), Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
  return {
    track(socket, principal) {
      if (principal.tokenId === null) return;
      const id = principal.tokenId;
      let sockets = byToken.get(id);
      if (!sockets) {
        sockets = new Set();
        byToken.set(id, sockets);
      }
      sockets.add(socket);
      socket.once('close', () => {
        sockets.delete(socket);
        if (sockets.size === 0 && byToken.get(id) === sockets) byToken.delete(id);
      });
      if (principal.expiresAt) expireAt(socket, principal.expiresAt);
    },
    stop: () => void unsubscribe(),
  };
}
